// Views and cheap copies that refine an operand's axes: a split becomes two axes, a shift a roll, a
// stride a slice, a merged dim its halves, an unfold a padded sliding window (Planner.h).
#include "plans/Planner.h"

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::plans::planner {

void Planner::reshape(int slot, std::vector<int64_t> shape) {
    PlanOp o = mk(OpKind::Reshape, slot, slot);
    o.shape = std::move(shape);
    emit(o);
}

void Planner::reshapeAxes(Operand& x, size_t k, std::vector<Dim> replacement) {
    x.axes.erase(x.axes.begin() + static_cast<long>(k));
    x.axes.insert(x.axes.begin() + static_cast<long>(k), replacement.begin(), replacement.end());
    reshape(x.slot, shapeOf(x.axes));
}

void Planner::permuteTo(Operand& x, const std::vector<Dim>& order) {
    if (order == x.axes) return;
    PlanOp o = mk(OpKind::Permute, x.slot, x.slot);
    std::vector<bool> used(x.axes.size(), false);
    for (Dim d : order)
        for (size_t i = 0; i < x.axes.size(); ++i)
            if (!used[i] && x.axes[i] == d) {
                used[i] = true;
                o.ints.push_back(static_cast<int64_t>(i));
                break;
            }
    if (o.ints.size() != x.axes.size() || order.size() != x.axes.size())
        throw Error(fmt::format("internal: cannot permute {} to {}", names(x.axes), names(order)));
    emit(o);
    x.axes = order;
}

void Planner::sumAxes(Operand& x, const std::vector<size_t>& axes) {
    if (axes.empty()) return;
    PlanOp o = mk(OpKind::Sum, x.slot, x.slot);
    std::vector<Dim> kept;
    for (size_t i = 0; i < x.axes.size(); ++i)
        if (std::find(axes.begin(), axes.end(), i) != axes.end()) o.ints.push_back(static_cast<int64_t>(i));
        else kept.push_back(x.axes[i]);
    emit(o);
    x.axes = kept;
}

void Planner::broadcastAlong(Operand& x, const std::vector<Dim>& dims) {
    std::vector<int64_t> shape = shapeOf(x.axes);
    shape.insert(shape.end(), dims.size(), 1);
    reshape(x.slot, shape);
    x.axes.insert(x.axes.end(), dims.begin(), dims.end());
    PlanOp bc = mk(OpKind::Broadcast, x.slot, x.slot);
    bc.shape = shapeOf(x.axes);
    emit(bc);
}

void Planner::rollShift(Operand& x, size_t k) {
    PlanOp o = mk(OpKind::Roll, x.slot, x.slot);
    o.axis = static_cast<int64_t>(k);
    o.amount = -concrete(x.axes[k]).offset;  // value = (lhs + s) mod n: x'[lhs] = x[lhs + s] = roll by -s
    emit(o);
    x.axes[k] = x.axes[k]->lhs;
}

bool Planner::refine(Operand& x, size_t k, bool allowUnfold) {
    Dim d = x.axes[k];
    if (isCoord(d)) return false;
    if (isCoordish(d)) {  // a merged coordinate: value = outer * B + inner
        auto [outer, inner] = halves_.at(d);
        reshapeAxes(x, k, {outer, inner});
        return true;
    }
    switch (d->kind) {
        case DimKind::Split: reshapeAxes(x, k, {d->lhs, d->rhs}); return true;
        case DimKind::Shift: rollShift(x, k); return true;
        case DimKind::Stride: {
            PlanOp o = mk(OpKind::Slice, x.slot, x.slot);
            o.axis = static_cast<int64_t>(k);
            o.amount = concrete(d).factor;
            emit(o);
            x.axes[k] = d->lhs;
            return true;
        }
        case DimKind::MergeOuter:
        case DimKind::MergeInner: {  // halves of a dim that is not a coordinate
            auto [outer, inner] = halves_.at(d->lhs);
            auto io = std::find(x.axes.begin(), x.axes.end(), outer);
            auto ii = std::find(x.axes.begin(), x.axes.end(), inner);
            if (io != x.axes.end() && ii != x.axes.end()) {  // both here: merge them back
                std::vector<Dim> order;
                for (Dim a : x.axes) {
                    if (a == inner) continue;
                    order.push_back(a);
                    if (a == outer) order.push_back(inner);
                }
                permuteTo(x, order);
                size_t pos = static_cast<size_t>(std::find(x.axes.begin(), x.axes.end(), outer) - x.axes.begin());
                x.axes.erase(x.axes.begin() + static_cast<long>(pos), x.axes.begin() + static_cast<long>(pos) + 2);
                x.axes.insert(x.axes.begin() + static_cast<long>(pos), d->lhs);
                reshape(x.slot, shapeOf(x.axes));
                return true;
            }
            // The other half is inside another axis: refine that one first, then merge.
            Dim partner = otherHalf(d);
            for (size_t j = 0; j < x.axes.size(); ++j)
                if (j != k && contains(x.axes[j], partner)) return false;
            // One half alone: broadcast it up to the merged dim.
            PlanOp o = mk(d->kind == DimKind::MergeOuter ? OpKind::RepeatOuter : OpKind::RepeatInner, x.slot, x.slot);
            o.axis = static_cast<int64_t>(k);
            o.amount = d->kind == DimKind::MergeOuter ? concrete(d).factor : sz(d->lhs) / concrete(d).factor;
            emit(o);
            x.axes[k] = d->lhs;
            return true;
        }
        case DimKind::Unfold: {
            auto [w, dil] = windowOf(d);
            // The window's tap is an axis of x (a window deferred past a contraction, ClassifyAxes.cpp): each
            // tap's slice shifted along the axis, no expansion.
            const Dim tap = countOf(x, d->rhs) == 1 ? d->rhs : countOf(x, w) == 1 ? w : nullptr;
            if (tap) {
                PlanOp o = mk(OpKind::Diagonal, x.slot, x.slot);
                o.axis = static_cast<int64_t>(k);
                o.amount = concrete(d).offset;
                o.ints = {static_cast<int64_t>(indexOf(x, tap)), tap == d->rhs ? 1 : dil};
                emit(o);
                x.axes[k] = d->lhs;
                return true;
            }
            if (!allowUnfold) return false;
            PlanOp o = mk(OpKind::Window, x.slot, x.slot);
            o.axis = static_cast<int64_t>(k);
            o.amount = concrete(d).offset;
            o.extent = (sz(w) - 1) * dil + 1;
            o.ints = {dil};
            emit(o);
            x.axes[k] = d->lhs;
            x.axes.insert(x.axes.begin() + static_cast<long>(k) + 1, w);
            return true;
        }
        default: return false;
    }
}

void Planner::refineFully(Operand& x) {
    for (bool again = true; again;) {
        again = false;
        for (size_t k = 0; k < x.axes.size() && !again; ++k) again = refine(x, k, true);
    }
}

}  // namespace syno::plans::planner
