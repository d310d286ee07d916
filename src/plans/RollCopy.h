#pragma once
// Rolls of small tensors as plain copies of contiguous runs: libtorch's roll and narrow-and-copy cost a few
// microseconds of dispatch per call and per block, most of a roll at batch 1 on small maps.
#include <cstdint>
#include <vector>

namespace at {
class Tensor;
}

namespace syno::plans {

// x rolled so that out[i] = x[(i + start[k]) mod n] along axes[k] (0 <= start[k] < n), with x's strides.
// x must be non-overlapping and dense (any dense layout; NCHW and NHWC are the ones plans use). No autograd
// (inference), one thread: meant for small tensors (Execute.cpp uses it up to 16384 elements).
at::Tensor rollCopy(const at::Tensor& x, const std::vector<int64_t>& axes, const std::vector<int64_t>& start);

}  // namespace syno::plans
