#pragma once
// Fewer passes over activations: adjacent rolls of one tensor (a shift on each of two axes, often in the
// stage that brings the result to the output order) become one roll over several axes, which inference
// runs as a single pass (Execute.cpp) instead of one full copy per axis.
//
// Measured and rejected: moving rolls after the permutes that follow them. A permute followed by a
// reshape is often a view (the output keeps permuted strides), and rolling the permuted view is then a
// strided gather: 4.8 ms instead of 1.6 ms for [56, 32, 56, 64] on 2 threads. Where the reshape copies
// anyway, the executor does move the roll (Execute.cpp, permuteToRollInto): one pass instead of two, 32@14
// batch 128 (a group roll, then the reorder), 0.09 ms against 0.14-0.20 ms.
#include "plans/Plan.h"

namespace syno::plans {

// Within each stage, merges adjacent rolls of one slot into one multi-axis roll (PlanOp::ints and ints2
// hold the extra axes and amounts). The values computed do not change. Assumes rolls act in place on
// their slot (dst == a), as compilePlan emits them.
void fuseRolls(Plan& plan);

}  // namespace syno::plans
