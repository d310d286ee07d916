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
    dropOps(plan, drop);
}

}  // namespace syno::plans
