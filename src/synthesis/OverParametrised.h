#pragma once
// Over-parametrised operators (issue 25): two weights that meet only through sums R of their own,
//   Σ_R W1[B, R, A] · W2[B, R, C]   (B: dims both keep, A and C: each one's other dims),
// form a product W[B, A, C] of rank min(|R|, |A|, |C|) per B. Where |R| ≥ min(|A|, |C|) at every binding
// the product can be any tensor of that shape: the operator computes exactly the family of the
// operator with one weight W, with more parameters and more FLOPs. Synthesis counts such operators and
// skips them unless asked to keep them.
#include <optional>
#include <string>

#include "ir/Operator.h"
#include "sizes/Bindings.h"
#include "synthesis/State.h"

namespace syno {

struct OverParametrisation {
    int first = 0, second = 0;  // the two weights, 0-based
    std::string reason;         // e.g. "weights 1 and 2 meet through a sum of 64 >= min(2, 512) at C_in=512, ..."
};

// The first pair of weights whose product is full-rank at every binding of ctx, if any. Assumes ctx
// binds every variable of op (as synthesis's problem context does).
std::optional<OverParametrisation> overParametrised(const Operator& op, const SizeContext& ctx);

// Whether every operator completing the partial operator s is over-parametrised, so synthesis can stop
// there. Exact because later steps cannot undo it: weights take only frontier dims and never change, a
// sum off the frontier never reaches the input, and the frontier only shrinks onto new dims, so the
// tied sums R can only grow while A and C stay.
bool everyCompletionOverParametrised(const State& s, const SizeContext& ctx);

}  // namespace syno
