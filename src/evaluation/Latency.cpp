#include "evaluation/Latency.h"

#include <algorithm>
#include <chrono>

#include "evaluation/Models.h"

namespace syno::evaluation {

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

double timeOnce(Net& net, const torch::Tensor& x) {
    const auto start = std::chrono::steady_clock::now();
    auto y = net->forward(x);
    (void)y.sum().item<float>();  // make sure the work happened
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

ModelLatency measureModelLatency(const ModelLayout& layout, const Operator* op, const SizeContext* ctx, int runs) {
    constexpr int kWarmup = 3;
    torch::NoGradGuard noGrad;
    Net candidate(layout, op, op ? *ctx : SizeContext(), 1);
    Net baseline(layout, nullptr, SizeContext(), 1);
    candidate->eval();
    baseline->eval();
    ModelLatency out;
    out.runs = runs;
    auto gen = at::detail::createCPUGenerator(1);
    for (int64_t batch : {int64_t{1}, int64_t{64}}) {
        auto x = torch::randn({batch, 1, layout.imageSize, layout.imageSize}, gen, torch::kFloat);
        for (int i = 0; i < kWarmup; ++i) {
            timeOnce(candidate, x);
            timeOnce(baseline, x);
        }
        std::vector<double> mine, theirs;
        for (int i = 0; i < runs; ++i) {
            // Alternate which model goes first so that neither always inherits the other's warm caches.
            if (i % 2 == 0) {
                mine.push_back(timeOnce(candidate, x));
                theirs.push_back(timeOnce(baseline, x));
            } else {
                theirs.push_back(timeOnce(baseline, x));
                mine.push_back(timeOnce(candidate, x));
            }
        }
        (batch == 1 ? out.ms1 : out.ms64) = median(mine);
        (batch == 1 ? out.baselineMs1 : out.baselineMs64) = median(theirs);
    }
    return out;
}

}  // namespace syno::evaluation
