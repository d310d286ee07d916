#include "plans/HoistWeights.h"

namespace syno::plans {

void markWeightOnly(Plan& plan) {
    // A slot is a variable of the op list: what it holds depends on the last op that wrote it.
    std::vector<bool> onWeights(static_cast<size_t>(plan.slots), false);
    for (size_t w = 0; w < plan.weightShapes.size(); ++w) onWeights[w + 1] = true;
    for (PlanOp& o : plan.ops) {
        o.weightOnly = onWeights[static_cast<size_t>(o.a)] && (o.b < 0 || onWeights[static_cast<size_t>(o.b)]);
        onWeights[static_cast<size_t>(o.dst)] = o.weightOnly;
    }
    plan.inferenceFlops = 0;
    for (StageRecord& s : plan.stages) {
        s.weightOnly = s.endOp > s.firstOp;
        for (size_t i = s.firstOp; i < s.endOp; ++i) s.weightOnly = s.weightOnly && plan.ops[i].weightOnly;
        if (!s.weightOnly) plan.inferenceFlops += s.flops;
    }
}

}  // namespace syno::plans
