// The role of each axis of a stage's operands, and settle(): refining or folding axes until each has one
// (Planner.h; the roles are described in Plan.h).
#include "plans/Planner.h"

namespace syno::plans::planner {

bool Planner::spatialOk(const Operand& x, size_t k, const Operand* y, uint64_t R) const {
    if (!y) return false;
    Dim u = x.axes[k];
    if (u->kind != DimKind::Unfold) return false;
    Dim m = u->lhs;
    auto [w, dil] = windowOf(u);
    (void)dil;
    uint64_t cmM = cm(m), cmW = cm(w);
    uint64_t ox = othersMask(x, k);
    if ((cmM & ~R) != 0 || (cmM & cmW) != 0) return false;
    if (countOf(*y, w) != 1) return false;
    size_t j = indexOf(*y, w);
    uint64_t oy = othersMask(*y, j);
    if ((cmM & (oy | cmW)) != 0) return false;
    if ((cmW & R) != 0 || !bijective(w) || (cmW & (ox | oy)) != 0) return false;
    return true;
}

bool Planner::windowDeferred(const Operand& x, size_t k, const Operand& y, uint64_t R) const {
    const Dim u = x.axes[k];
    if (u->kind != DimKind::Unfold || isFolded(u) || (cm(u) & ~R) != 0 || countOf(x, u) != 1) return false;
    const Dim w = windowOf(u).first;
    if (countOf(y, w) != 1 || countOf(x, w) != 0 || !bijective(w)) return false;
    const uint64_t W = cm(w), M = cm(u->lhs);
    return (M & W) == 0 && (M & othersMask(y, SIZE_MAX)) == 0 && (W & othersMask(x, k)) == 0 &&
           (W & othersMask(y, indexOf(y, w))) == 0;
}

bool Planner::deferredWindow(const Operand& x, size_t k, const Operand& y, uint64_t R) const {
    for (size_t j = 0; j < y.axes.size(); ++j)
        if (y.axes[j]->kind == DimKind::Unfold && windowOf(y.axes[j]).first == x.axes[k] && windowDeferred(y, j, x, R))
            return true;
    return false;
}

Role Planner::classify(const Operand& x, size_t k, const Operand* y, uint64_t R, bool spatialAllowed) const {
    Dim d = x.axes[k];
    if (isFolded(d)) return y && countOf(*y, d) == 1 && countOf(x, d) == 1 ? Role::Contracted : Role::Unknown;
    uint64_t C = cm(d), ox = othersMask(x, k);
    if (d->kind == DimKind::Unfold && spatialAllowed && spatialOk(x, k, y, R)) return Role::Spatial;
    uint64_t cy = y ? othersMask(*y, SIZE_MAX) : 0;
    if ((C & ~R) == 0) {
        if (y && countOf(*y, d) == 1 && countOf(x, d) == 1) return Role::Group;
        if ((C & cy) == 0) return Role::Free;
        if (y && (windowDeferred(x, k, *y, R) || deferredWindow(x, k, *y, R))) return Role::Free;
        return Role::Unknown;
    }
    if ((C & R) != 0 || !bijective(d) || (C & ox) != 0) return Role::Unknown;
    if (y && countOf(*y, d) == 1 && (C & othersMask(*y, indexOf(*y, d))) == 0) return Role::Contracted;
    if ((C & cy) == 0) return Role::Private;
    for (Dim w : spatialKernelOf_)
        if (w == d) return Role::Kernel;
    return Role::Unknown;
}

bool Planner::rollMovesToWeights(const Operand& x, size_t k, const Operand& y, uint64_t R) const {
    const Dim d = x.axes[k];
    if (!options_.inference || !lastStage_ || shiftedOutput_.empty() || d->kind != DimKind::Shift ||
        isShiftedOutput(d) || !isCoord(d->lhs) || dataSlots_.count(x.slot) == 0 || dataSlots_.count(y.slot) > 0)
        return false;
    const Dim c = d->lhs;
    if ((cm(d) & ~R) != 0 || countOf(x, d) != 1 || countOf(x, c) != 0 || countOf(y, c) != 1 || countOf(y, d) != 0)
        return false;
    return (cm(d) & othersMask(x, k)) == 0 && (cm(c) & othersMask(y, indexOf(y, c))) == 0;
}

void Planner::rollWeightsFor(const Operand& x, size_t k, Operand& y) {
    const Dim d = x.axes[k];
    const size_t j = indexOf(y, d->lhs);
    PlanOp o = mk(OpKind::Roll, y.slot, y.slot);
    o.axis = static_cast<int64_t>(j);
    o.amount = concrete(d).offset;  // y'[v] = y[v - s] for v = (c + s) mod n: roll by +s
    emit(o);
    y.axes[j] = d;
}

bool Planner::settle(Operand* ops[2], int n, uint64_t R, bool spatialAllowed[2]) {
    for (int guard = 0; guard < 1000; ++guard) {
        spatialKernelOf_.clear();
        for (int s = 0; s < n; ++s) {
            const Operand* y = n == 2 ? ops[1 - s] : nullptr;
            for (size_t k = 0; k < ops[s]->axes.size(); ++k)
                if (spatialAllowed[s] && ops[s]->axes[k]->kind == DimKind::Unfold && spatialOk(*ops[s], k, y, R))
                    spatialKernelOf_.push_back(windowOf(ops[s]->axes[k]).first);
        }
        bool progressed = false, unknown = false;
        for (int s = 0; s < n && !progressed; ++s) {
            const Operand* y = n == 2 ? ops[1 - s] : nullptr;
            for (size_t k = 0; k < ops[s]->axes.size() && !progressed; ++k)
                if (classify(*ops[s], k, y, R, spatialAllowed[s]) == Role::Unknown) {
                    unknown = true;
                    if (n == 2 && rollMovesToWeights(*ops[s], k, *ops[1 - s], R)) {
                        rollWeightsFor(*ops[s], k, *ops[1 - s]);
                        progressed = true;
                        break;
                    }
                    // Tiling an axis up to a merged dim copies the operand |other half| times (per-row
                    // weights): moving its index map onto a smaller other operand is cheaper.
                    if (n == 2 && wouldTile(*ops[s], k)) progressed = foldInto(*ops[s], k, *ops[1 - s], R);
                    // A small grouped channel axis: fold its index map into the other operand, dense.
                    else if (n == 2 && denseFoldPays(*ops[s], k, R))
                        progressed = foldInto(*ops[s], k, *ops[1 - s], R, true);
                    if (!progressed) progressed = refine(*ops[s], k, false);
                }
        }
        if (progressed) continue;
        if (!unknown) {
            // Convolutions take their windows from one operand only.
            bool spatial[2] = {false, false};
            for (int s = 0; s < n; ++s)
                for (size_t k = 0; k < ops[s]->axes.size(); ++k)
                    if (classify(*ops[s], k, n == 2 ? ops[1 - s] : nullptr, R, spatialAllowed[s]) == Role::Spatial)
                        spatial[s] = true;
            if (n == 2 && spatial[0] && spatial[1]) {
                spatialAllowed[1] = false;
                continue;
            }
            return true;
        }
        // Stuck on coordinates or unfolds: fold a window over contracted dims into the other operand
        // when that is cheaper, else expand one unfold that is not convolved.
        for (int s = 0; s < n && n == 2 && !progressed; ++s)
            for (size_t k = 0; k < ops[s]->axes.size() && !progressed; ++k)
                if (ops[s]->axes[k]->kind == DimKind::Unfold && !isFolded(ops[s]->axes[k]) &&
                    classify(*ops[s], k, ops[1 - s], R, spatialAllowed[s]) == Role::Unknown)
                    progressed = foldInto(*ops[s], k, *ops[1 - s], R);
        for (int s = 0; s < n && !progressed; ++s) {
            const Operand* y = n == 2 ? ops[1 - s] : nullptr;
            for (size_t k = 0; k < ops[s]->axes.size() && !progressed; ++k)
                if (ops[s]->axes[k]->kind == DimKind::Unfold && !isFolded(ops[s]->axes[k]) &&
                    classify(*ops[s], k, y, R, spatialAllowed[s]) == Role::Unknown)
                    progressed = refine(*ops[s], k, true);
        }
        if (!progressed) return false;
    }
    return false;
}

}  // namespace syno::plans::planner
