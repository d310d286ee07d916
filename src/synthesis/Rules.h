#pragma once
// Canonicalization rules: each stops one way of generating an operator that equals (or is a
// reparametrisation of) one generated another way. A rule is named, counted when it fires, and
// tested with the redundancy it removes (tests/synthesis/RulesTest.cpp).
#include <array>
#include <cstddef>
#include <cstdint>

namespace syno {

enum class Rule : uint8_t {
    ReduceOrder,           // reductions are added in non-decreasing size order: their n! orders are one operator
    SplitOfMergeHalves,    // split(outer(d,B), inner(d,B)) is d itself, when no weight reads a half
    SplitChainsRight,      // split(split(a,b),c) = split(a,split(b,c)): only the right-nested form
    SplitOfPlainSums,      // two sums shared with no weight, split together, are one bigger sum
    SplitWithinWeight,     // two dims split together that every weight reads both or neither of: share the split dim instead
    MergeOfReduction,      // a merged sum is two smaller sums, which are generated directly
    MergeChainsInner,      // merge(outer(d,B1),B2) = merges of d by B1*B2 then B1: only chain on the inner half
    MergeOfSplitIdentity,  // merge(split(a,b), |b|) gives back a and b
    MergeOfShared,         // merging a dim a weight shares: share both halves instead (the weight reshaped)
    ShiftOfReduction,      // rolling a summed index is a relabelling the sum (and its weights) absorbs
    ShiftOfShift,          // two rolls are one roll by 2; only unit rolls are generated
    UnfoldWindowWeighted,  // a window must be a sum shared with a weight (or its strided form): no box filters
    UnfoldMainNotSum,      // sliding a window along a summed index sums (almost) everything: degenerate
    StrideOnlyWindows,     // strides only dilate weighted windows; the strided dim feeds an unfold only
    WeightInnerAndOuter,   // a weight shares a summed dim and an output dim: no pure Hadamard or outer products
    WeightNested,          // a weight whose dims are a subset of another's merges into it
    ExpandOutputSideOnly,  // only output dims (or their halves) can be expanded: expanding a sum scales it
    EqualSumsInOrder,      // of two interchangeable sums (same size, same weights), the lower-numbered is used first
};
inline constexpr int kRuleCount = 18;

const char* ruleName(Rule r);
// A rule that removes an operator only where an equivalent one (same family of functions) stays in the
// space, rather than one that leaves a kind of operator out by design (box filters, rolls by 2, ...).
bool isEquivalenceRule(Rule r);
const char* ruleDoc(Rule r);

// Why a candidate step was dropped, other than a canonicalization rule.
enum class Prune : uint8_t {
    Distance,      // shape distance exceeds the steps left
    Flops,         // FLOPs lower bound above the window, or final FLOPs outside it
    Allowance,     // a variable would occur more often than its spec allows
    Cap,           // a per-primitive cap or the chain length
    SizeLimit,     // window, stride, weight size or pooling limits
    OverParametrised,  // two weights one weight would express (SynthesisOptions::skipOverParametrised)
};
inline constexpr int kPruneCount = 6;
const char* pruneName(Prune p);

struct SynthesisStats {
    std::array<uint64_t, kRuleCount> rules{};
    std::array<uint64_t, kPruneCount> pruned{};
    uint64_t nodes = 0;          // distinct partial operators expanded
    uint64_t edges = 0;          // children kept
    uint64_t finals = 0;         // finished operators produced by Finalize steps
    uint64_t deadEnds = 0;       // nodes found to have no finished descendant
    uint64_t restarts = 0;       // descents begun again (SynthesisOptions::descentRestartAfter)
    uint64_t duplicates = 0;     // finished operators equal to one already returned (canonical form)
    void fire(Rule r) { ++rules[static_cast<size_t>(r)]; }
    void prune(Prune p) { ++pruned[static_cast<size_t>(p)]; }
};

}  // namespace syno
