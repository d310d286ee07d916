#pragma once
// The Products op (FuseWeightProducts.h) on libtorch tensors: a bilinear map of two weights from a list of
// terms, with its own backward. Kept out of Execute.cpp: a custom autograd function and its loops.
namespace at {
class Tensor;
}

namespace syno::plans {

struct PlanOp;

// out.flat[o.ints2[t]] += a.flat[o.ints[2t]] * b.flat[o.ints[2t + 1]], shaped o.shape. When grad mode is on
// and a or b requires grad, one autograd node whose backward is one more loop over the terms; the term
// list is copied into it (the backward may outlive the plan). Float and double.
at::Tensor runProducts(const at::Tensor& a, const at::Tensor& b, const PlanOp& o);

}  // namespace syno::plans
