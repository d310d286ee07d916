#include "synthesis/Rules.h"

namespace syno {

const char* ruleName(Rule r) {
    switch (r) {
        case Rule::ReduceOrder: return "reduce-order";
        case Rule::SplitOfMergeHalves: return "split-of-merge-halves";
        case Rule::SplitChainsRight: return "split-chains-right";
        case Rule::SplitOfPlainSums: return "split-of-plain-sums";
        case Rule::SplitWithinWeight: return "split-within-weight";
        case Rule::MergeOfReduction: return "merge-of-reduction";
        case Rule::MergeChainsInner: return "merge-chains-inner";
        case Rule::MergeOfSplitIdentity: return "merge-of-split-identity";
        case Rule::MergeOfShared: return "merge-of-shared";
        case Rule::ShiftOfReduction: return "shift-of-reduction";
        case Rule::ShiftOfShift: return "shift-of-shift";
        case Rule::UnfoldWindowWeighted: return "unfold-window-weighted";
        case Rule::UnfoldMainNotSum: return "unfold-main-not-sum";
        case Rule::StrideOnlyWindows: return "stride-only-windows";
        case Rule::WeightInnerAndOuter: return "weight-inner-and-outer";
        case Rule::WeightNested: return "weight-nested";
        case Rule::ExpandOutputSideOnly: return "expand-output-side-only";
        case Rule::EqualSumsInOrder: return "equal-sums-in-order";
    }
    return "?";
}

const char* ruleDoc(Rule r) {
    switch (r) {
        case Rule::ReduceOrder: return "reductions are added in non-decreasing size order";
        case Rule::SplitOfMergeHalves: return "split(outer(d,B), inner(d,B)) is d itself (when no weight reads a half)";
        case Rule::SplitChainsRight: return "split(split(a,b),c) equals split(a,split(b,c)); only the latter";
        case Rule::SplitOfPlainSums: return "two unweighted sums split together are one larger sum";
        case Rule::SplitWithinWeight: return "splitting two dims of one weight equals sharing the split dim";
        case Rule::MergeOfReduction: return "a merged sum equals two smaller sums";
        case Rule::MergeChainsInner: return "merges chain through the inner half only";
        case Rule::MergeOfSplitIdentity: return "merge(split(a,b),|b|) gives back a and b";
        case Rule::MergeOfShared: return "merging a shared dim equals sharing both halves";
        case Rule::ShiftOfReduction: return "rolling a summed index is absorbed by the sum";
        case Rule::ShiftOfShift: return "a roll of a roll is one roll";
        case Rule::UnfoldWindowWeighted: return "windows are weighted sums (no box filters)";
        case Rule::UnfoldMainNotSum: return "no window slides along a summed index";
        case Rule::StrideOnlyWindows: return "strides only dilate weighted windows";
        case Rule::WeightInnerAndOuter: return "a weight shares a summed dim and an output dim";
        case Rule::WeightNested: return "no weight's dims are a subset of another's";
        case Rule::ExpandOutputSideOnly: return "only output-side dims are expanded";
        case Rule::EqualSumsInOrder: return "interchangeable sums are used in index order";
    }
    return "?";
}

const char* pruneName(Prune p) {
    switch (p) {
        case Prune::Distance: return "shape distance";
        case Prune::Flops: return "FLOPs";
        case Prune::Allowance: return "allowance";
        case Prune::Cap: return "caps and chain length";
        case Prune::SizeLimit: return "size limits";
        case Prune::OverParametrised: return "over-parametrised";
    }
    return "?";
}

bool isEquivalenceRule(Rule r) {
    switch (r) {
        case Rule::ReduceOrder:
        case Rule::SplitOfMergeHalves:
        case Rule::SplitChainsRight:
        case Rule::SplitOfPlainSums:
        case Rule::SplitWithinWeight:
        case Rule::MergeOfReduction:
        case Rule::MergeChainsInner:
        case Rule::MergeOfSplitIdentity:
        case Rule::MergeOfShared:
        case Rule::ShiftOfReduction:
        case Rule::EqualSumsInOrder: return true;
        default: return false;
    }
}

}  // namespace syno
