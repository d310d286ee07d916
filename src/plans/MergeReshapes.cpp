#include "plans/MergeReshapes.h"

#include <algorithm>
#include <utility>

namespace syno::plans {

namespace {

bool inPlaceReshape(const PlanOp& o) { return o.kind == OpKind::Reshape && o.dst == o.a; }

}  // namespace

void mergeReshapes(Plan& plan) {
    const size_t n = plan.ops.size();
    std::vector<bool> drop(n, false);
    for (size_t j = 0; j < n; ++j) {
        if (!inPlaceReshape(plan.ops[j])) continue;
        const int slot = plan.ops[j].dst;
        for (size_t k = j + 1; k < n; ++k) {
            const PlanOp& o = plan.ops[k];
            if (o.a == slot || o.b == slot || o.dst == slot) {
                drop[j] = inPlaceReshape(o) && o.a == slot;
                break;
            }
        }
    }
    // Kept ops before each old position: the stages' new ranges.
    std::vector<size_t> keptBefore(n + 1, 0);
    for (size_t j = 0; j < n; ++j) keptBefore[j + 1] = keptBefore[j] + (drop[j] ? 0 : 1);
    for (StageRecord& s : plan.stages) {
        s.firstOp = keptBefore[std::min(s.firstOp, n)];
        s.endOp = keptBefore[std::min(s.endOp, n)];
    }
    std::vector<PlanOp> out;
    out.reserve(keptBefore[n]);
    for (size_t j = 0; j < n; ++j)
        if (!drop[j]) out.push_back(std::move(plan.ops[j]));
    plan.ops = std::move(out);
}

}  // namespace syno::plans
