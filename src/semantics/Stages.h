#pragma once
// How an operator is computed in stages: an order of pairwise contractions of its tensors (input and
// weights), each reduction summed as soon as no remaining tensor needs it, plus single-tensor sums of
// reductions private to one tensor. The order chosen minimises FLOPs summed over all bindings; it is
// what the cost model reports and what execution plans follow.
//
// Each tensor is described by the set of loop variables (output iterators and reductions, the
// "leaves") its indices depend on. A stage over leaf set L costs Π|L| points: 2 FLOPs each for a
// contraction (multiply, add), 1 for a sum.
#include <cstdint>
#include <string>
#include <vector>

#include "ir/Operator.h"
#include "sizes/Bindings.h"

namespace syno {

struct Stage {
    enum class Kind { Contract, Sum } kind;
    std::vector<int> operands;  // tensor slots: 0 = input, 1.. = weights, >tensors = earlier stages
    uint32_t loops = 0;         // leaf bitmask the stage iterates over (bit i: outputs, then reductions)
    uint32_t result = 0;        // leaves of its result
    double flops = 0;           // summed over bindings
};

struct StagePlan {
    std::vector<Stage> stages;
    double flops = 0;
    std::string describe(const Operator& op) const;
};

// What the order minimises.
enum class StageCost {
    AllFlops,  // every stage's FLOPs (training: weights change every step, so every stage runs every step)
    PerCall,   // inference: a stage on weights alone runs once per weight version, so it counts
               // 1/kWeightStageCalls of its FLOPs (enough to keep weight-only results of sane size)
};
constexpr double kWeightStageCalls = 1000;

// Leaf bitmask of each tensor: bit i < #outputs is output i, then reductions.
std::vector<uint32_t> tensorLeaves(const Operator& op);
// ctx must make every size integral (pad first if needed). At most 4 tensors and 32 leaves.
// StagePlan::flops is the FLOPs of all stages whatever the cost minimised.
StagePlan planStages(const Operator& op, const SizeContext& ctx, StageCost cost = StageCost::AllFlops);

// Σ over bindings of each binding's own cheapest staging: the FLOPs the execution plans run, since a plan
// is compiled for one layer at a time and may contract in another order on each. Never more than
// planStages(op, ctx).flops, whose one order must serve every binding. Same assumptions as planStages.
double stagedFlopsPerBinding(const Operator& op, const SizeContext& ctx);

}  // namespace syno
