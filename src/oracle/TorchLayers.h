#pragma once
// libtorch's own layers, run in double precision with autograd: the oracle that the reference
// interpreter is tested against. This header is torch-free on purpose (torch headers take ~15 s per
// translation unit); only TorchLayers.cpp includes them.
#include <cstdint>
#include <string>
#include <vector>

#include "semantics/Tensor.h"

namespace syno::oracle {

struct LayerRun {
    Tensor output;
    Tensor gradInput;
    std::vector<Tensor> gradWeights;  // shaped like the weights passed in
};

// torch::conv2d with the weight viewed as torchWeightShape ([C_out, C_in/groups, kh, kw]).
LayerRun conv2d(const Tensor& x, const Tensor& w, const std::vector<int64_t>& torchWeightShape, int64_t padding,
                int64_t dilation, int64_t groups, const Tensor& gradOut);
// Grouped conv2d (same padding) whose weight is [C_in, C_out/g, k, k], as syno's canonical form holds it.
LayerRun groupedConv2dInputMajor(const Tensor& x, const Tensor& w, int64_t groups, const Tensor& gradOut);
// torch::linear without bias; w is [C_out, C_in].
LayerRun linear(const Tensor& x, const Tensor& w, const Tensor& gradOut);
// torch::avg_pool2d with stride = kernel, zero padding counted in the mean.
LayerRun avgPool2d(const Tensor& x, int64_t kernel, int64_t padding, const Tensor& gradOut);
// torch::roll along dim 2 by `shifts`, then a 1x1 conv with w [C_out, C_in].
LayerRun rollThenConv1x1(const Tensor& x, const Tensor& w, int64_t shifts, const Tensor& gradOut);

void setThreads(int threads);
std::string describeBackend();  // libtorch version, threads, BLAS/oneDNN availability

}  // namespace syno::oracle
