#pragma once
// The search-space limits as command-line options, one list for every command that synthesizes (sample,
// search): each limit's flag name, help and accepted range. `visit(name, field, help, lo, hi)` is called
// once per limit, in the order the help lists them.
#include <string>

#include <fmt/format.h>

#include "synthesis/Options.h"

namespace syno::cli {

template <class Visit>
void forEachSynthesisFlag(SynthesisOptions& s, Visit&& visit) {
    visit("depth", s.depth, "most primitive steps", 1, 40);
    visit("max-reductions", s.maxReductions, "most reductions", 0, 16);
    visit("max-weights", s.maxWeights, "most weight tensors (tensors - 1)", 0, 3);
    visit("max-chain", s.maxChainLength, "most primitives stacked on one dimension", 1, 32);
    visit("max-weight-rank", s.maxWeightRank, "most dimensions of one weight", 1, 16);
    const char* kinds[] = {"reductions", "contractions", "splits", "merges", "shifts", "strides", "unfolds", "expands"};
    for (int k = 2; k < 8; ++k)
        visit(fmt::format("max-{}", kinds[k]), s.maxOfKind[static_cast<size_t>(k)],
              fmt::format("most {} (-1: no limit)", kinds[k]), -1, 64);
    visit("max-flops", s.maxFlops, "largest staged FLOPs, summed over bindings", 0, 1e30);
    visit("min-flops", s.minFlops, "smallest staged FLOPs, summed over bindings", 0, 1e30);
    visit("min-weight-size", s.minWeightNumel, "smallest weight (elements, in every binding)", 0, 1e18);
    visit("max-enum", s.maxEnumerationsPerVar, "powers enumerated per coefficient", 1, 16);
    visit("max-vars-in-size", s.maxVariablesInSize, "most variables in one size", 1, 8);
    visit("max-unfold-kernel", s.maxUnfoldKernel, "widest window", 1, 1e6);
    visit("max-pooling", s.maxPoolingFactor, "largest product of sums shared with no weight", 1, 1e12);
}

}  // namespace syno::cli
