#pragma once
// What running a plan asks of memory, checked before anything is allocated: every tensor's element
// count is computed with overflow checks, and their float32 bytes (input, weights, output and every
// stage's operands and result, as if all were alive at once, times `copies` for batches or gradients)
// are compared with the memory the machine has available. Throws syno::Error "needs N GB" otherwise.
#include "plans/Plan.h"

namespace syno::plans {

// Bytes of float32 tensors the plan touches (see above); throws when a count overflows 64 bits.
double planBytes(const Plan& plan);
void requireMemory(const Plan& plan, double copies = 1);

}  // namespace syno::plans
