#pragma once
// Limits of the search space. Defaults suit the standard conv space; every one is an option of
// `syno sample`.
#include <array>
#include <cstdint>

namespace syno {

// The primitive steps of synthesis, in the order children are generated.
enum class StepKind : uint8_t { Reduce, Contraction, Split, Merge, Shift, Stride, Unfold, Expand, Finalize };
inline constexpr int kStepKinds = 9;
const char* stepKindName(StepKind kind);

inline constexpr int kRulesRevision = 3;

struct SynthesisOptions {
    int depth = 10;                 // steps from the output to the input, Finalize not counted
    int maxReductions = 4;
    int maxWeights = 2;             // tensors - 1
    int maxChainLength = 6;         // primitives stacked on one dim (its height)
    int maxWeightRank = 5;          // dims of one weight
    // Per-primitive caps; -1 = unlimited. Defaults follow the paper's vision runs: 1 merge, 3 splits,
    // 2 shifts, no strides, no standalone expands.
    std::array<int, kStepKinds> maxOfKind{-1, -1, 3, 1, 2, 0, -1, 0, -1};
    int maxEnumerationsPerVar = 3;  // coefficient powers in [-(maxEnum-1)/2, maxEnum/2]; primaries 0..1
    int maxVariablesInSize = 2;
    int maxPrimariesInSize = 1;     // of sizes synthesis introduces (reductions, merge blocks)
    bool requireExactDivision = true;
    double maxFlops = 1e18;         // window on the staged FLOPs (operatorFlops), summed over bindings
    double minFlops = 0;
    double minWeightNumel = 1;      // smallest weight allowed (lower bound over bindings)
    int64_t maxUnfoldKernel = 30;   // window size (upper bound over bindings)
    double minUnfoldRatio = 2.0;    // |dim| / |window| (lower bound over bindings)
    int64_t maxStridedSize = 30;    // |dim| * s for strided windows
    double maxPoolingFactor = 8;    // Π reductions shared with no weight
    double maxReductionMultiplier = 64;  // Π reductions / numel(input) (upper bound)
    int maxFinalizations = 4;       // input assignments tried per state when sizes repeat
    // Drop operators whose two weights multiply into what one weight would express (OverParametrised.h):
    // the search trains the one-weight form instead of a costlier copy of it.
    bool skipOverParametrised = false;
    // Cut partial operators whose every completion is cheaper than minFlops (flopsUpperBound). Off only
    // to replay runs recorded before the bound, whose random descents it would change.
    bool boundFlopsFromAbove = true;
    // Cost each binding with its own staging, as the plans run it (stagedFlopsPerBinding); otherwise one
    // staging for all bindings together, which overstates the FLOPs of operators whose best order differs
    // between layers and so let them through a lower bound. Off only to replay runs recorded that way.
    bool stageEachBinding = true;
    // A random descent that has met this many dead ends since it began starts again from where it began,
    // keeping what it learnt (dead nodes stay dead): in a FLOPs window most branches hold no operator, and
    // backtracking through one to exhaustion costs far more than another try. 0: never, as runs recorded
    // before it did, whose random descents it changes.
    int descentRestartAfter = 16;
    // Which revision of the canonicalization rules applies: a fix to a rule that removed too much changes
    // the space, so runs recorded under an earlier revision replay with it. 1: until 2026-12-07; 2:
    // split-of-merge-halves spares halves a weight reads; 3: split-within-weight spares a split whose
    // halves another weight reads one of.
    int rulesRevision = kRulesRevision;
    bool guided = true;             // prune by shape distance (off only to measure what guidance buys)
    // Canonicalization rules switched off (bit r: Rule r), to check that the rules lose no operator
    // (RulesCompletenessTest). Only equivalence rules (isEquivalenceRule) may be: Problem::make refuses others.
    uint32_t disabledRules = 0;
    bool allowStandaloneExpand() const { return maxOfKind[static_cast<int>(StepKind::Expand)] != 0; }
};

}  // namespace syno
