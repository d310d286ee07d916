#pragma once
// Fewer view ops per call: a reshape of a slot that the next op touching that slot reshapes again is
// dropped (reshape(reshape(x, a), b) == reshape(x, b): both keep the row-major order). Each view op costs
// a few microseconds (and an autograd node when training), which is most of an operator's time on small
// maps at batch 1.
#include "plans/Plan.h"

namespace syno::plans {

// Drops every in-place reshape whose slot is next touched by another in-place reshape, keeping the
// stages' op ranges consistent. The values computed do not change. Assumes ops act on slots in list
// order, as compilePlan emits them.
void mergeReshapes(Plan& plan);

}  // namespace syno::plans
