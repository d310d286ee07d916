#pragma once
// The reference interpreter: defines what an operator computes, in double precision, by running its
// loop nest literally over outputs x reductions. Slow by design; everything faster is checked against it.
//
// At each point of the loop nest every dim gets its index value; a point where some Unfold window
// falls outside its dimension reads zero padding and contributes nothing. Gradients are the exact
// adjoints: the same loop nest, accumulating grad_out times the other tensors into each tensor's
// gradient.
#include <cstdint>
#include <functional>
#include <vector>

#include "semantics/Realize.h"
#include "semantics/Tensor.h"

namespace syno {

struct Gradients {
    Tensor input;
    std::vector<Tensor> weights;
};

// Shapes must be r.inputShape and r.weightShapes; returns a tensor of r.outputShape.
Tensor interpretForward(const Realization& r, const Tensor& input, const std::vector<Tensor>& weights);
// gradOutput has r.outputShape; returns gradients shaped like input and weights.
Gradients interpretBackward(const Realization& r, const Tensor& input, const std::vector<Tensor>& weights,
                            const Tensor& gradOutput);

// The terms whose sum is the output: visit(outputOffset, tensorOffsets) at every point of the loop nest
// that reads no padding, with row-major offsets into the padded output and into each tensor (0 = the
// padded input, then the weights). What a functional fingerprint compares.
void forEachTerm(const Realization& r, const std::function<void(int64_t, const std::vector<int64_t>&)>& visit);

}  // namespace syno
