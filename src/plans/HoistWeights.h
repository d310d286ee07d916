#pragma once
// Which parts of a plan depend on the weights alone. Inference computes those once per weight version
// (a deployed layer's weights do not change between calls) instead of on every call: the weight
// tiling, rolls and permutations that some operators need, and whole stages that contract two weights.
#include "plans/Plan.h"

namespace syno::plans {

// Marks every op whose operands depend on the weights alone (transitively; the input is slot 0), every
// stage whose ops all are, and sets plan.inferenceFlops to the FLOPs of the remaining stages.
// Assumes the ops are in execution order and slot 0 holds the input, slots 1..weights the weights.
void markWeightOnly(Plan& plan);

}  // namespace syno::plans
