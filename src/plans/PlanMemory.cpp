#include "plans/PlanMemory.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::plans {

namespace {

int64_t checkedNumel(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t s : shape)
        if (s < 0 || __builtin_mul_overflow(n, s, &n))
            throw Error(fmt::format("a tensor of shape {} has more elements than 64 bits count", listText(shape)));
    return n;
}

// MemAvailable from /proc/meminfo, else physical memory; bytes.
double availableBytes() {
    std::ifstream in("/proc/meminfo");
    std::string key, unit;
    double kb = 0;
    while (in >> key >> kb >> unit)
        if (key == "MemAvailable:") return kb * 1024;
    return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
}

}  // namespace

double planBytes(const Plan& plan) {
    double elements = 0;
    for (const auto* shape : {&plan.inputShape, &plan.paddedInputShape, &plan.outputShape})
        elements += static_cast<double>(checkedNumel(*shape));
    for (const auto& w : plan.weightShapes) elements += static_cast<double>(checkedNumel(w));
    for (const auto& s : plan.stages) {
        for (const auto& operand : s.operandShapes) elements += static_cast<double>(checkedNumel(operand));
        elements += static_cast<double>(checkedNumel(s.resultShape));
    }
    return elements * 4;
}

void requireMemory(const Plan& plan, double copies) {
    const double needed = planBytes(plan) * copies, available = availableBytes();
    if (needed > available)
        throw Error(fmt::format("running this plan needs about {:.3g} GB for its tensors; {:.3g} GB of memory are "
                                "available (use smaller --bindings)",
                                needed / 1e9, available / 1e9));
}

}  // namespace syno::plans
