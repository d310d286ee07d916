#pragma once
// Fewer autograd nodes in a training step: a run of index ops on the weights alone (reshapes, permutes,
// rolls, tilings, window folds, sums...) is one linear map from its first tensor's elements to its last's,
// each output element the sum of a set of inputs. One Gather op computes it (an index_select, plus an
// index_add where outputs sum several inputs), from index lists computed here. Inference prepares
// weight-only ops once either way; a training step runs them every time, forward and backward: at batch 1
// the weight-side ops of a sampled operator took more of the step than its convolution (small sample 4 at
// 64@7, 1 thread: 0.048 of 0.084 ms forward).
#include "plans/Plan.h"

namespace syno::plans {

// Replaces each run of at least two index ops acting in place on one weight-only slot, at least one of
// which is not a view (reshape, permute), with one Gather op, when the map has at most kMaxGatherPairs
// (source, destination) pairs. The values computed do not change. Assumes markWeightOnly has run and the
// ops act in place (dst == a) as compilePlan emits them; the stages' op ranges are kept in step.
void fuseIndexMaps(Plan& plan);

}  // namespace syno::plans
