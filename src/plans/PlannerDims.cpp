// Facts about dims and coordinates that every step of the planner asks (Planner.h).
#include "plans/Planner.h"

#include <functional>

#include <fmt/format.h>

namespace syno::plans::planner {

uint64_t Planner::maskOf(Dim d) {
    auto it = mask_.find(d);
    if (it != mask_.end()) return it->second;
    uint64_t m = 0;
    if (isCoord(d)) m = 1ull << coordBit_.at(d);
    else if (isCoordish(d)) m = maskOf(halves_.at(d).first) | maskOf(halves_.at(d).second);
    else {
        if (d->lhs) m |= maskOf(d->lhs);
        if (d->rhs) m |= maskOf(d->rhs);
    }
    mask_[d] = m;
    return m;
}

bool Planner::bijective(Dim d) const {
    if (isCoordish(d)) return true;
    switch (d->kind) {
        case DimKind::Split: return bijective(d->lhs) && bijective(d->rhs) && (cm(d->lhs) & cm(d->rhs)) == 0;
        case DimKind::Shift: return bijective(d->lhs);
        default: return false;
    }
}

std::string Planner::dimName(Dim d) const {
    switch (d->kind) {
        case DimKind::Iterator: return fmt::format("i{}", d->index);
        case DimKind::Reduce: return fmt::format("r{}", d->index);
        case DimKind::Split: return fmt::format("split({}, {})", dimName(d->lhs), dimName(d->rhs));
        case DimKind::MergeOuter: return fmt::format("{}/{}", dimName(d->lhs), concrete(d).factor);
        case DimKind::MergeInner: return fmt::format("{}%{}", dimName(d->lhs), concrete(d).factor);
        case DimKind::Shift: return fmt::format("shift({}, {})", dimName(d->lhs), d->shift);
        case DimKind::Stride: return fmt::format("stride({}, {})", dimName(d->lhs), concrete(d).factor);
        case DimKind::Unfold: return fmt::format("unfold({}, {})", dimName(d->lhs), dimName(d->rhs));
    }
    return "?";
}

std::string Planner::names(const std::vector<Dim>& ds) const {
    std::string out;
    for (Dim d : ds) out += (out.empty() ? "" : ", ") + dimName(d);
    return "[" + out + "]";
}

std::string Planner::slotName(int slot) const {
    if (slot == 0) return "in_0";
    if (slot < op_.tensorCount()) return fmt::format("in_{}", slot);
    return fmt::format("t{}", slot - op_.tensorCount());
}

std::vector<int64_t> Planner::shapeOf(const std::vector<Dim>& axes) const {
    std::vector<int64_t> s;
    for (Dim d : axes) s.push_back(sz(d));
    return s;
}

int64_t Planner::numel(const std::vector<Dim>& axes) const {
    int64_t n = 1;
    for (Dim d : axes) n *= sz(d);
    return n;
}

Dim Planner::otherHalf(Dim d) const {
    auto [outer, inner] = halves_.at(d->lhs);
    return d == outer ? inner : outer;
}

std::pair<Dim, int64_t> Planner::windowOf(Dim u) const {
    Dim w = u->rhs;
    if (w->kind == DimKind::Stride) return {w->lhs, concrete(w).factor};
    return {w, 1};
}

int64_t Planner::valueAt(Dim d, const std::vector<int64_t>& coord) const {
    if (isCoord(d)) return coord[static_cast<size_t>(coordBit_.at(d))];
    auto pair = [&](Dim hi, Dim lo) {
        int64_t a = valueAt(hi, coord), b = valueAt(lo, coord);
        return a < 0 || b < 0 ? -1 : a * sz(lo) + b;
    };
    if (isCoordish(d)) return pair(halves_.at(d).first, halves_.at(d).second);
    if (d->kind == DimKind::Split) return pair(d->lhs, d->rhs);
    const int64_t v = valueAt(d->lhs, coord);
    if (v < 0) return -1;
    const ConcreteDim& c = concrete(d);
    switch (d->kind) {
        case DimKind::MergeOuter: return v / c.factor;
        case DimKind::MergeInner: return v % c.factor;
        case DimKind::Shift: return ((v + c.offset) % c.size + c.size) % c.size;
        case DimKind::Stride: return v * c.factor;
        case DimKind::Unfold: {
            const int64_t w = valueAt(d->rhs, coord);
            const int64_t u = w < 0 ? -1 : v + w - c.offset;
            return u >= 0 && u < c.size ? u : -1;
        }
        default: return -1;
    }
}

uint64_t Planner::othersMask(const Operand& x, size_t skip) const {
    uint64_t m = 0;
    for (size_t i = 0; i < x.axes.size(); ++i)
        if (i != skip) m |= cm(x.axes[i]);
    return m;
}

std::vector<Dim> Planner::outputOrder() const {
    std::vector<Dim> order;
    std::function<void(Dim)> coordsOf = [&](Dim d) {
        if (shiftedOutput_.count(d)) order.push_back(shiftedOutput_.at(d));
        else if (isCoord(d)) order.push_back(d);
        else {
            coordsOf(halves_.at(d).first);
            coordsOf(halves_.at(d).second);
        }
    };
    for (Dim d : op_.outputs()) coordsOf(d);
    return order;
}

uint64_t Planner::outputCoords() const {
    uint64_t m = 0;
    for (size_t c = 0; c < coordDims_.size(); ++c)
        if (coordLeaf_[c] < nOut_) m |= 1ull << c;
    return m;
}

}  // namespace syno::plans::planner
