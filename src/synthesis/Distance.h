#pragma once
// Lower bounds that prune the search: a branch is cut when it provably cannot finish in the steps
// left or inside the FLOPs window, so sampling wastes no time there.
#include <vector>

#include "synthesis/Problem.h"
#include "synthesis/State.h"

namespace syno {

inline constexpr int kUnreachable = 1 << 20;

// Lower bound on the steps needed to turn the state's frontier into the free input sizes.
//
// Views can only join dims (split, unfold: one step removes one dim), fork them (merge), or remove
// whole output-side dims (expand, or one contraction for many). Dims that share a primary variable with
// an input dim must end up in the same connected group, since primaries are never created or removed
// except by expanding an output dim. A group of g frontier dims and h input dims needs g+h-2 steps;
// each coefficient-only dim (a window, a stride) needs one step to be absorbed, and a 1:1 group of
// unequal sizes needs one step, possibly the same one. Returns kUnreachable when a primary cannot be
// placed: it is then impossible within any depth.
int shapeDistance(const State& state, const Problem& problem);

// Lower bound on staged FLOPs (summed over bindings): whatever stage first reads the input loops at
// least over every leaf below the frontier dims that cannot be expanded away.
double flopsLowerBound(const State& state, const Problem& problem);

// Upper bound on the staged FLOPs (summed over bindings) of any completion of the state. Every stage loops
// over a subset of the leaves (output iterators and sums), so with T tensors the cheapest staging costs at
// most (2 (T - 1) + 1) times the points of all leaves; T counts the weights still allowed, and sums still
// allowed are taken at the largest size synthesis may introduce. Infinite when sizes may be padded.
double flopsUpperBound(const State& state, const Problem& problem);

// Whether d may still be removed by an expansion: an output iterator (or a merge half of one) whose
// variables do not occur in the input shape. Dims the input has (H, W) must come from the input.
bool isExpandable(Dim d, const Problem& problem);

// Whether a sum can still leave the data path by tying two weights (a low-rank product): it is held by
// some weights and enough contractions remain for two in all.
bool canTieWeights(Dim d, const State& state, const Problem& problem);

// Weights the state may still add: the weight count, the contraction cap, and a weight rank of at least 2.
int contractionsLeft(const State& state, const SynthesisOptions& o);

}  // namespace syno
