#pragma once
// What an operator costs, summed over the bindings it must serve (one per layer it replaces).
#include "ir/Operator.h"
#include "semantics/Realize.h"

namespace syno {

struct Cost {
    double flops = 0;   // of the literal loop nest: per point, (tensors-1) products and one addition
    double params = 0;  // weight elements
};

// Uses padded sizes when the policy pads.
Cost naiveCost(const Operator& op, const SizeContext& ctx, PaddingPolicy policy = PaddingPolicy::Exact);

}  // namespace syno
