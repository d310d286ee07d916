// Moving an axis's index map (a window, a tiled half of a merged dim, a small grouped channel axis) from
// the large operand onto the small one, where it costs an index_add instead of an expansion (Planner.h).
#include "plans/Planner.h"

#include <functional>

namespace syno::plans::planner {

bool Planner::deferSum(const std::map<int, Operand>& slots, const Stage& sum, const Stage& next, int dst, uint64_t R) const {
    if (next.kind != Stage::Kind::Contract || options_.einsumOnly) return false;
    const int other = next.operands[0] == dst ? next.operands[1] : next.operands[1] == dst ? next.operands[0] : -1;
    if (other < 0) return false;
    const Operand& x = slots.at(sum.operands[0]);
    const Operand& y = slots.at(other);
    uint64_t summed = 0;
    for (Dim d : x.axes) summed |= cm(d);
    summed &= ~R;
    std::function<bool(Dim)> windowOverSums = [&](Dim d) {
        if (d->kind == DimKind::Unfold && (cm(d) & summed) != 0) return true;
        return !isCoordish(d) && ((d->lhs && windowOverSums(d->lhs)) || (d->rhs && windowOverSums(d->rhs)));
    };
    return summed != 0 && numel(y.axes) <= numel(x.axes) && std::any_of(x.axes.begin(), x.axes.end(), windowOverSums);
}

bool Planner::isFolded(Dim d) const {
    return std::any_of(folded_.begin(), folded_.end(), [d](const auto& f) { return f.first == d; });
}

void Planner::unfoldAll() {
    for (auto [d, m] : folded_) mask_[d] = m;
    folded_.clear();
}

bool Planner::wouldTile(const Operand& x, size_t k) const {
    Dim d = x.axes[k];
    if ((d->kind != DimKind::MergeOuter && d->kind != DimKind::MergeInner) || isCoordish(d)) return false;
    const Dim partner = otherHalf(d);
    for (size_t j = 0; j < x.axes.size(); ++j)
        if (contains(x.axes[j], partner)) return false;
    return true;
}

// Whether x's axis k is a small channel axis that mixes coordinates the result keeps (groups) with summed
// ones: at most kMaxDenseChannels values (kMaxDenseChannelsFewPositions on at most kFewPositions map
// positions) in at most kMaxDenseGroups groups. Folded into the other operand
// densely, one dense convolution replaces a grouped or batched one with 8 channels a group, plus whatever
// reordering and rolls of x the groups needed. `syno plan --latency --threads 2`, conv2d's time / the
// plan's, dense against not, for three sampled operators with 2 groups: at 16 channels (16@28, batch
// 1/32/128) 1.41-1.92x against 0.96-1.90x in inference, 0.97-1.57x against 0.51-1.52x in training; at 32
// channels (32@14) dense loses: 1.60-1.81x against 1.90-2.36x. Except on few positions (batch 1 at
// 32@14 and 64@7), where oneDNN's grouped kernel is the slow one: 1.51-2.10x dense against 0.93-1.15x in
// inference, 0.61-0.96x against 0.57-0.77x in training (batch 32 there: 1.63-1.84x against 1.76-2.22x).
constexpr int64_t kMaxDenseChannels = 16, kMaxDenseGroups = 2;
constexpr int64_t kFewPositions = 256, kMaxDenseChannelsFewPositions = 64;

bool Planner::denseFoldPays(const Operand& x, size_t k, uint64_t R) const {
    Dim d = x.axes[k];
    const uint64_t C = cm(d);
    const int64_t positions = numel(x.axes) / sz(d);  // the map times the batch
    const int64_t maxChannels = positions <= kFewPositions ? kMaxDenseChannelsFewPositions : kMaxDenseChannels;
    if (isCoordish(d) || d->kind == DimKind::Unfold || !bijective(d) || sz(d) > maxChannels ||
        (C & R) == 0 || (C & ~R) == 0 || (C & othersMask(x, k)) != 0 || dataSlots_.count(x.slot) == 0)
        return false;
    int64_t groups = 1;
    for (size_t c = 0; c < coordDims_.size(); ++c)
        if ((C & R) >> c & 1u) groups *= sz(coordDims_[c]);
    return groups <= kMaxDenseGroups;
}

bool Planner::foldInto(Operand& x, size_t k, Operand& y, uint64_t R, bool densify) {
    Dim u = x.axes[k];
    const uint64_t U = cm(u);
    if (countOf(x, u) != 1 || (U & othersMask(x, k)) != 0 || (U & ~R) == 0) return false;
    const Operand y0 = y;
    const size_t opsBefore = plan_.ops.size();
    auto undo = [&] {
        y = y0;
        plan_.ops.resize(opsBefore);
        return false;
    };
    for (bool again = true; again;) {  // y's axes over U down to coordinates
        again = false;
        for (size_t j = 0; j < y.axes.size() && !again; ++j)
            if ((cm(y.axes[j]) & U) != 0 && !isCoord(y.axes[j])) {
                if (!refine(y, j, false)) return undo();
                again = true;
            }
    }
    std::vector<Dim> kept, summed, others;
    for (size_t c = 0; c < coordDims_.size(); ++c)
        if (U >> c & 1u) {
            Dim cd = coordDims_[c];
            if (countOf(y, cd) > 1) return undo();
            if (countOf(y, cd) == 0) broadcastAlong(y, {cd});  // y does not vary along it (y is the small side)
            ((R >> c & 1u) ? kept : summed).push_back(cd);
        }
    for (Dim d : y.axes)
        if ((cm(d) & U) == 0) others.push_back(d);
    const int64_t nKept = numel(kept), nSummed = numel(summed), nU = sz(u);
    // Not folding expands x: by the window's taps, or tiles it by the merged dim's other half; a dense
    // fold instead multiplies the contraction by the groups it keeps.
    int64_t expansion = 1;
    if (densify) expansion = nKept;
    else if (u->kind == DimKind::Unfold) expansion = sz(windowOf(u).first);
    else if (u->kind == DimKind::MergeOuter || u->kind == DimKind::MergeInner) expansion = sz(otherHalf(u));
    // The fold is an index_add over y each call, so y must be no larger than x expanded, unless y holds
    // weights alone in an inference plan: the fold then runs once per weight version (HoistWeights.h).
    const bool foldOnce = options_.inference && dataSlots_.count(y.slot) == 0;
    if (nU > nSummed * (densify ? nKept : 1) || (!foldOnce && numel(y.axes) > numel(x.axes) * expansion) ||
        nKept * nSummed > (int64_t{1} << 22))
        return undo();
    permuteTo(y, joined({kept, summed, others}));
    reshape(y.slot, {nKept * nSummed, numel(others)});
    PlanOp f = mk(OpKind::FoldWindow, y.slot, y.slot);
    f.amount = nKept * nU;
    const std::vector<Dim> cs = joined({kept, summed});
    std::vector<int64_t> coord(coordDims_.size(), 0);
    for (int64_t row = 0; row < nKept * nSummed; ++row) {
        int64_t rest = row;
        for (size_t t = cs.size(); t-- > 0;) {
            coord[static_cast<size_t>(coordBit_.at(cs[t]))] = rest % sz(cs[t]);
            rest /= sz(cs[t]);
        }
        const int64_t v = valueAt(u, coord);
        f.ints.push_back(v < 0 ? f.amount : row / nSummed * nU + v);
    }
    emit(f);
    const std::vector<Dim> folded = {u};
    y.axes = joined({kept, folded, others});
    reshape(y.slot, shapeOf(y.axes));
    folded_.emplace_back(u, mask_.at(u));
    mask_[u] = 0;
    return true;
}

}  // namespace syno::plans::planner
