#pragma once
// Index expressions of an operator, printed as loop nests: the forward access of every tensor and, for
// the input and each weight, the backward access that accumulates its gradient (the adjoint of the
// forward loop nest). Sizes stay symbolic, so one printout holds for every binding.
//
//   for i0 < N, i1 < C_out, i2 < H, i3 < W:
//     out[i0, i1, i2, i3] = sum(r0 < C_in, r1 < k, r2 < k) in_0[i0, r0, restrict(i2+r1-(k-1)/2, 0, H), ...] * in_1[...]
//
// restrict(e, 0, H) reads zero padding when e falls outside [0, H).
#include <string>
#include <vector>

#include "ir/Operator.h"

namespace syno {

// Index expression of every axis of tensor t (0 = input, 1.. = weights).
std::vector<std::string> accessExpressions(const Operator& op, int tensor);
std::string printForwardLoops(const Operator& op);
std::string printBackwardLoops(const Operator& op);

}  // namespace syno
