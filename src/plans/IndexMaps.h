#pragma once
// The weight-side ops of a plan as maps between tensor elements, for the passes that fuse them
// (FuseIndexMaps.h, FuseWeightProducts.h). A tensor is described element by element as a sum of terms;
// a term names one element of each of `arity` source tensors and stands for their product. An index op
// (reshape, permute, roll, window, fold, sum...) moves and sums terms exactly as Execute.cpp moves and sums
// values; a product of two tensors (Mul, MatMul) pairs their terms.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plans/Plan.h"

namespace syno::plans::indexmaps {

using Shape = std::vector<int64_t>;

struct Terms {
    Shape shape;
    int arity = 1;
    std::vector<int64_t> start;  // numel + 1 offsets into the terms (CSR)
    std::vector<int64_t> src;    // `arity` flat source indices per term
    int64_t count() const { return start.empty() ? 0 : start.back(); }
};

// Every element of a tensor of this shape as itself (one term each, arity 1).
Terms identity(const Shape& shape);

// The element each term sums into, term by term (ascending): the destination list of Gather and Products.
std::vector<int64_t> destinations(const Terms& t);

// The kinds of these ops of the plan, in order ("reshape, permute, fold_window"): the equation of the op
// that replaces them.
std::string kindList(const Plan& plan, const std::vector<size_t>& ops);

// The shape an op leaves in its dst slot, from its operands' (nullopt: not tracked, e.g. einsum).
std::optional<Shape> resultShape(const PlanOp& o, const std::optional<Shape>& a, const std::optional<Shape>& b);

// Whether `apply` knows this op kind: the unary ops that only move, drop or sum elements.
bool isIndexOp(OpKind kind);

// The terms after one index op; nullopt when the op is not an index op or the result would hold more than
// maxTerms terms.
std::optional<Terms> apply(const Terms& in, const PlanOp& o, int64_t maxTerms);

// The terms of a Mul (broadcast) or MatMul of two tensors: each term of the result concatenates a term of
// `a` with one of `b` (arity a.arity + b.arity). nullopt for other kinds, shapes that do not broadcast, or
// more than maxTerms terms.
std::optional<Terms> product(const Terms& a, const Terms& b, const PlanOp& o, int64_t maxTerms);

}  // namespace syno::plans::indexmaps
