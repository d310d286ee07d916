#pragma once
// Fewer autograd nodes in a training step, for operators whose two weights are multiplied together before
// they meet the data: each weight reshaped, permuted or tiled, the two multiplied (broadcast or matrix
// product), the result folded into the shape the data stage reads. All of that is one bilinear map,
// out[i] = sum over the terms of i of w1[j] * w2[k], which one Products op computes from a list of terms:
// one loop forward and one backward in a custom autograd function (Execute.cpp), where libtorch ran
// every op and its backward node. Inference prepares weight-only ops once either way; a training step runs
// them every time, and at batch 1 on small maps they took about a third of the step.
#include "plans/Plan.h"

namespace syno::plans {

// Replaces the weight-only ops that compute a tensor read by a data op, when that tensor is a product of
// two weights through index ops, Mul and MatMul with at most kMaxProductTerms terms, and none of those ops
// computes anything else that is read, with one Products op where the product was written. The values
// computed do not change. Assumes markWeightOnly has run and slots 1..weights hold the weights.
void fuseWeightProducts(Plan& plan);

}  // namespace syno::plans
