#include "plans/Plan.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

#include "base/Error.h"
#include "base/StableHash.h"
#include "plans/FuseRolls.h"
#include "plans/HoistWeights.h"
#include "plans/MergeReshapes.h"
#include "semantics/Stages.h"

namespace syno::plans {

namespace {

// The axis lists one after another (an operand's axes in the order a kernel reads them).
std::vector<Dim> joined(std::initializer_list<std::reference_wrapper<const std::vector<Dim>>> parts) {
    std::vector<Dim> out;
    for (const std::vector<Dim>& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

PlanOp mk(OpKind kind, int dst, int a, int b = -1) {
    PlanOp o;
    o.kind = kind;
    o.dst = dst;
    o.a = a;
    o.b = b;
    return o;
}

struct TooManyConvAxes {};

enum class Role { Unknown, Free, Group, Contracted, Private, Spatial, Kernel };

struct Operand {
    int slot = 0;
    std::vector<Dim> axes;
};

class Planner {
public:
    Planner(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy, const PlanOptions& options)
        : op_(op), options_(options) {
        r_ = realize(op, ctx, binding, policy);
        SizeContext padded = paddedContext(op, ctx, policy);
        single_ = padded.withBindings({padded.bindings()[static_cast<size_t>(binding)]});
        plan_.operatorId = op.id();
        plan_.operatorIdHex = op.idHex();
        plan_.binding = binding;
        plan_.bindingText = ctx.describeBinding(binding);
        plan_.padded = r_.padded;
        plan_.options = options;
        plan_.inputShape = r_.inputShape;
        plan_.paddedInputShape = r_.paddedInputShape;
        plan_.outputShape = r_.outputShape;
        plan_.weightShapes = r_.weightShapes;
        plan_.scale = r_.scale;
        nOut_ = static_cast<int>(op.outputs().size());
        auto nodes = op.nodesBottomUp();
        for (size_t i = 0; i < nodes.size(); ++i) index_[nodes[i]] = static_cast<int>(i);
        // Merged dims and their halves; a "coordinate" is a leaf or a merge half of one that is not merged again.
        for (Dim d : nodes)
            if (d->kind == DimKind::MergeOuter) halves_[d->lhs].first = d;
            else if (d->kind == DimKind::MergeInner) halves_[d->lhs].second = d;
        // A shift of an output coordinate is that coordinate, renamed: every value above it is a function of
        // the shifted value, so the plan computes in shifted order and rolls the output once at the end
        // (finish), instead of rolling whatever the shift is buried in (a window of a split of it: a roll of
        // the window-expanded input, 16@28 batch 128: 2.6 ms against 0.2 ms for the output).
        // Only where the iterator has no other use: no tensor (a weight sharing it) and no other dim reads it.
        std::unordered_map<Dim, int> uses;
        for (Dim d : nodes)
            for (Dim below : {d->lhs, d->rhs})
                if (below) ++uses[below];
        for (int t = 0; t < op.tensorCount(); ++t)
            for (Dim d : op.tensorDims(t)) ++uses[d];
        for (Dim d : op.expansions()) ++uses[d];
        for (Dim d : nodes)
            if (d->kind == DimKind::Shift && d->lhs->kind == DimKind::Iterator && uses[d->lhs] == 1 &&
                !halves_.count(d->lhs) && !halves_.count(d))
                shiftedOutput_[d->lhs] = d;
        for (Dim d : nodes) {
            if (shiftedOutput_.count(d)) {  // renamed: its shift is the coordinate
                coordish_[d] = false;
                continue;
            }
            bool coordish = d->isLeaf() || shiftedOutput_.count(d->lhs) ||
                            ((d->kind == DimKind::MergeOuter || d->kind == DimKind::MergeInner) &&
                             coordish_.count(d->lhs) && coordish_.at(d->lhs));
            coordish_[d] = coordish;
            if (coordish && !isMerged(d)) {
                if (coordDims_.size() >= 64) throw Error("operator has more than 64 loop coordinates");
                coordBit_[d] = static_cast<int>(coordDims_.size());
                coordDims_.push_back(d);
                Dim leaf = d;
                while (!leaf->isLeaf()) leaf = leaf->lhs;
                coordLeaf_.push_back(leafBit(leaf));
            }
        }
        for (Dim d : nodes) maskOf(d);
    }

    Plan run() {
        StagePlan stages = planStages(op_, single_, options_.inference ? StageCost::PerCall : StageCost::AllFlops);
        const int tensors = op_.tensorCount();
        plan_.slots = tensors + static_cast<int>(stages.stages.size());
        std::map<int, Operand> slots;
        slots[0] = Operand{0, op_.input()};
        if (r_.padded) {
            PlanOp p = mk(OpKind::Pad, 0, 0);
            for (size_t i = 0; i < r_.inputShape.size(); ++i) {
                int64_t before = (r_.paddedInputShape[i] - r_.inputShape[i]) / 2;
                p.shape.push_back(before);
                p.ints.push_back(r_.paddedInputShape[i] - r_.inputShape[i] - before);
            }
            plan_.ops.push_back(p);
            StageRecord rec;
            rec.what = "in_0 = pad(in_0)";
            rec.kernelText = "views";
            rec.why = "sizes padded to divide: centre zero padding of the input";
            rec.operandShapes.push_back(r_.inputShape);
            rec.resultShape = r_.paddedInputShape;
            rec.endOp = 1;
            plan_.stages.push_back(rec);
        }
        for (int w = 1; w < tensors; ++w) slots[w] = Operand{w, op_.weights()[static_cast<size_t>(w - 1)]};
        int resultSlot = 0;
        for (size_t s = 0; s < stages.stages.size(); ++s) {
            const Stage& st = stages.stages[s];
            uint64_t R = 0;
            for (size_t c = 0; c < coordDims_.size(); ++c)
                if (st.result >> coordLeaf_[c] & 1u) R |= 1ull << c;
            StageRecord rec;
            int dst = tensors + static_cast<int>(s);
            std::string args;
            for (int a : st.operands) args += (args.empty() ? "" : ", ") + slotName(a);
            rec.what = fmt::format("{} = {}({})", slotName(dst), st.kind == Stage::Kind::Contract ? "contract" : "sum", args);
            rec.flops = st.flops;
            rec.firstOp = plan_.ops.size();
            for (int a : st.operands) rec.operandShapes.push_back(shapeOf(slots.at(a).axes));
            Operand result;
            if (std::any_of(st.operands.begin(), st.operands.end(), [&](int a) { return dataSlots_.count(a) > 0; }))
                dataSlots_.insert(dst);
            if (st.kind == Stage::Kind::Contract)
                result = contract(slots.at(st.operands[0]), slots.at(st.operands[1]), R, dst, rec);
            else if (s + 1 < stages.stages.size() && deferSum(slots, st, stages.stages[s + 1], dst, R)) {
                result = slots.at(st.operands[0]);  // summed by the next stage
                rec.kernelText = "deferred";
                rec.why = "its sums run inside the next stage, where a window over them folds into the other operand";
            } else
                result = sumStage(slots.at(st.operands[0]), R, dst, rec);
            rec.resultShape = shapeOf(result.axes);
            rec.endOp = plan_.ops.size();
            plan_.stages.push_back(rec);
            for (int a : st.operands) slots.erase(a);
            slots[dst] = result;
            resultSlot = dst;
        }
        plan_.flops = stages.flops;
        Operand last = slots.at(resultSlot);
        finish(last);
        plan_.resultSlot = last.slot;
        for (const auto& w : r_.weightShapes) {
            int64_t n = 1;
            for (auto x : w) n *= x;
            plan_.params += static_cast<double>(n);
        }
        for (int rd : r_.reductionDims) plan_.terms *= static_cast<double>(r_.dims[static_cast<size_t>(rd)].size);
        const size_t nw = r_.weightShapes.size();
        double var = plan_.scale * plan_.scale * plan_.terms;  // output variance per unit weight variance product
        for (size_t w = 0; w < nw; ++w) plan_.initStd.push_back(std::pow(var, -0.5 / static_cast<double>(nw)));
        return plan_;
    }

private:
    // ---- facts about dims --------------------------------------------------------------------------
    int leafBit(Dim leaf) const { return leaf->kind == DimKind::Iterator ? leaf->index : nOut_ + leaf->index; }
    bool isMerged(Dim d) const {
        auto it = halves_.find(d);
        return it != halves_.end() && it->second.first && it->second.second;
    }
    bool isCoord(Dim d) const { return coordBit_.count(d) > 0; }
    bool isCoordish(Dim d) const { return coordish_.at(d); }
    const ConcreteDim& concrete(Dim d) const { return r_.dims[static_cast<size_t>(index_.at(d))]; }
    int64_t sz(Dim d) const { return concrete(d).size; }

    uint64_t maskOf(Dim d) {
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
    uint64_t cm(Dim d) const { return mask_.at(d); }
    // The map from the coordinates below d to d's value is a bijection onto [0, |d|).
    bool bijective(Dim d) const {
        if (isCoordish(d)) return true;
        switch (d->kind) {
            case DimKind::Split: return bijective(d->lhs) && bijective(d->rhs) && (cm(d->lhs) & cm(d->rhs)) == 0;
            case DimKind::Shift: return bijective(d->lhs);
            default: return false;
        }
    }

    std::string dimName(Dim d) const {
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
    std::string names(const std::vector<Dim>& ds) const {
        std::string out;
        for (Dim d : ds) out += (out.empty() ? "" : ", ") + dimName(d);
        return "[" + out + "]";
    }
    std::string slotName(int slot) const {
        if (slot == 0) return "in_0";
        if (slot < op_.tensorCount()) return fmt::format("in_{}", slot);
        return fmt::format("t{}", slot - op_.tensorCount());
    }
    std::vector<int64_t> shapeOf(const std::vector<Dim>& axes) const {
        std::vector<int64_t> s;
        for (Dim d : axes) s.push_back(sz(d));
        return s;
    }
    int64_t numel(const std::vector<Dim>& axes) const {
        int64_t n = 1;
        for (Dim d : axes) n *= sz(d);
        return n;
    }
    // The other half of the merged dim that d is a half of.
    Dim otherHalf(Dim d) const {
        auto [outer, inner] = halves_.at(d->lhs);
        return d == outer ? inner : outer;
    }

    // ---- emitting ops ------------------------------------------------------------------------------
    void emit(PlanOp op) { plan_.ops.push_back(std::move(op)); }
    void reshape(int slot, std::vector<int64_t> shape) {
        PlanOp o = mk(OpKind::Reshape, slot, slot);
        o.shape = std::move(shape);
        emit(o);
    }
    void reshapeAxes(Operand& x, size_t k, std::vector<Dim> replacement) {
        x.axes.erase(x.axes.begin() + static_cast<long>(k));
        x.axes.insert(x.axes.begin() + static_cast<long>(k), replacement.begin(), replacement.end());
        reshape(x.slot, shapeOf(x.axes));
    }
    void permuteTo(Operand& x, const std::vector<Dim>& order) {
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
    void sumAxes(Operand& x, const std::vector<size_t>& axes) {
        if (axes.empty()) return;
        PlanOp o = mk(OpKind::Sum, x.slot, x.slot);
        std::vector<Dim> kept;
        for (size_t i = 0; i < x.axes.size(); ++i)
            if (std::find(axes.begin(), axes.end(), i) != axes.end()) o.ints.push_back(static_cast<int64_t>(i));
            else kept.push_back(x.axes[i]);
        emit(o);
        x.axes = kept;
    }

    // Appends axes the tensor does not vary along: a reshape adding unit axes, then a broadcast.
    void broadcastAlong(Operand& x, const std::vector<Dim>& dims) {
        std::vector<int64_t> shape = shapeOf(x.axes);
        shape.insert(shape.end(), dims.size(), 1);
        reshape(x.slot, shape);
        x.axes.insert(x.axes.end(), dims.begin(), dims.end());
        PlanOp bc = mk(OpKind::Broadcast, x.slot, x.slot);
        bc.shape = shapeOf(x.axes);
        emit(bc);
    }

    // Axis k of x is a shift: a roll brings it to the dim below.
    void rollShift(Operand& x, size_t k) {
        PlanOp o = mk(OpKind::Roll, x.slot, x.slot);
        o.axis = static_cast<int64_t>(k);
        o.amount = -concrete(x.axes[k]).offset;  // value = (lhs + s) mod n: x'[lhs] = x[lhs + s] = roll by -s
        emit(o);
        x.axes[k] = x.axes[k]->lhs;
    }
    // A shift of an output iterator standing as the iterator's coordinate (shiftedOutput_).
    bool isShiftedOutput(Dim d) const { return d->kind == DimKind::Shift && isCoord(d); }

    static bool contains(Dim d, Dim target) {
        if (d == target) return true;
        return (d->lhs && contains(d->lhs, target)) || (d->rhs && contains(d->rhs, target));
    }

    // The window of an unfold, without a stride (dilation) on top.
    std::pair<Dim, int64_t> windowOf(Dim u) const {
        Dim w = u->rhs;
        if (w->kind == DimKind::Stride) return {w->lhs, concrete(w).factor};
        return {w, 1};
    }

    // One refinement step of axis k of x that needs no unfold expansion; false when there is none.
    bool refine(Operand& x, size_t k, bool allowUnfold) {
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
                if (!allowUnfold) return false;
                auto [w, dil] = windowOf(d);
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

    void refineFully(Operand& x) {
        for (bool again = true; again;) {
            again = false;
            for (size_t k = 0; k < x.axes.size() && !again; ++k) again = refine(x, k, true);
        }
    }

    uint64_t othersMask(const Operand& x, size_t skip) const {
        uint64_t m = 0;
        for (size_t i = 0; i < x.axes.size(); ++i)
            if (i != skip) m |= cm(x.axes[i]);
        return m;
    }
    static size_t countOf(const Operand& x, Dim d) {
        return static_cast<size_t>(std::count(x.axes.begin(), x.axes.end(), d));
    }
    static size_t indexOf(const Operand& x, Dim d) {
        return static_cast<size_t>(std::find(x.axes.begin(), x.axes.end(), d) - x.axes.begin());
    }

    // Axis k of x is an unfold that a convolution can compute, its window being an axis of y.
    bool spatialOk(const Operand& x, size_t k, const Operand* y, uint64_t R) const {
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

    // Free and group axes keep their dims whatever they share with the other free axes of their own
    // operand (the result keeps them side by side); summed axes must be bijective and disjoint from
    // everything else, so that every summed coordinate runs once over its range.
    Role classify(const Operand& x, size_t k, const Operand* y, uint64_t R, bool spatialAllowed) const {
        Dim d = x.axes[k];
        if (isFolded(d)) return y && countOf(*y, d) == 1 && countOf(x, d) == 1 ? Role::Contracted : Role::Unknown;
        uint64_t C = cm(d), ox = othersMask(x, k);
        if (d->kind == DimKind::Unfold && spatialAllowed && spatialOk(x, k, y, R)) return Role::Spatial;
        uint64_t cy = y ? othersMask(*y, SIZE_MAX) : 0;
        if ((C & ~R) == 0) {
            if (y && countOf(*y, d) == 1 && countOf(x, d) == 1) return Role::Group;
            if ((C & cy) == 0) return Role::Free;
            return Role::Unknown;
        }
        if ((C & R) != 0 || !bijective(d) || (C & ox) != 0) return Role::Unknown;
        if (y && countOf(*y, d) == 1 && (C & othersMask(*y, indexOf(*y, d))) == 0) return Role::Contracted;
        if ((C & cy) == 0) return Role::Private;
        for (Dim w : spatialKernelOf_)
            if (w == d) return Role::Kernel;
        return Role::Unknown;
    }

    // ---- folding windows into the other operand -------------------------------------------------------
    // A sum whose reductions sit inside a window of its operand, followed by a contraction of its result
    // with a smaller tensor: the contraction can fold the window (sums included) into that tensor instead
    // of this stage expanding the window to sum it (foldInto broadcasts the tensor along the sums).
    bool deferSum(const std::map<int, Operand>& slots, const Stage& sum, const Stage& next, int dst, uint64_t R) const {
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

    bool isFolded(Dim d) const {
        return std::any_of(folded_.begin(), folded_.end(), [d](const auto& f) { return f.first == d; });
    }
    // A folded axis is a plain contracted axis of this stage: its coordinates are gone from both operands.
    void unfoldAll() {
        for (auto [d, m] : folded_) mask_[d] = m;
        folded_.clear();
    }

    // value(d) at one assignment of the coordinates (by coordinate bit); -1 where a window falls outside.
    int64_t valueAt(Dim d, const std::vector<int64_t>& coord) const {
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

    // Whether refining x's axis k would tile it: one half of a merged dim whose other half x lacks.
    bool wouldTile(const Operand& x, size_t k) const {
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
    static constexpr int64_t kMaxDenseChannels = 16, kMaxDenseGroups = 2;
    static constexpr int64_t kFewPositions = 256, kMaxDenseChannelsFewPositions = 64;
    bool denseFoldPays(const Operand& x, size_t k, uint64_t R) const {
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

    // Moves the index map of x's axis k (an unfold's window, or a dim that would be tiled; its coordinates
    // x has nowhere else, some of them summed here) onto y: y's axes over those coordinates become
    // [kept coordinates..., u], where y'[.., v] sums y over the coordinates at which u's value is v. Done
    // when cheaper than expanding x: the contraction then runs over |u| values instead of every summed
    // coordinate tuple, and y is no larger than x expanded. False (nothing emitted) otherwise.
    //
    // densify: the fold may also keep coordinates that x's axis shares with the result (conv groups): y'
    // is then block-sparse over [kept, u] and the contraction runs dense over |u|, up to |kept| times the
    // FLOPs, in exchange for x's axis staying as it is (no roll, no reordering copy of x).
    bool foldInto(Operand& x, size_t k, Operand& y, uint64_t R, bool densify = false) {
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
        if (nU > nSummed * (densify ? nKept : 1) || numel(y.axes) > numel(x.axes) * expansion ||
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

    // ---- stages ------------------------------------------------------------------------------------
    // Refines the operands until every axis has a role; false when that is impossible (einsum fallback).
    bool settle(Operand* ops[2], int n, uint64_t R, bool spatialAllowed[2]) {
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

    Operand sumStage(Operand x, uint64_t R, int dst, StageRecord& rec) {
        Operand* ops[2] = {&x, nullptr};
        bool spatialAllowed[2] = {false, false};
        if (options_.einsumOnly || !settle(ops, 1, R, spatialAllowed)) return einsumStage(x, nullptr, R, dst, rec);
        std::vector<size_t> priv;
        for (size_t k = 0; k < x.axes.size(); ++k)
            if (classify(x, k, nullptr, R, false) == Role::Private) priv.push_back(k);
        rec.kernel = priv.empty() ? Kernel::Views : Kernel::Sum;
        rec.kernelText = priv.empty() ? "views" : fmt::format("sum over {} axis(es)", priv.size());
        std::vector<Dim> privDims;
        for (size_t k : priv) privDims.push_back(x.axes[k]);
        rec.why = fmt::format("single tensor: private sums {}", names(privDims));
        sumAxes(x, priv);
        PlanOp mv = mk(OpKind::Reshape, dst, x.slot);
        mv.shape = shapeOf(x.axes);
        emit(mv);
        return Operand{dst, x.axes};
    }

    // Every axis refined to coordinates, then einsum: always exact.
    Operand einsumStage(Operand a, Operand* bp, uint64_t R, int dst, StageRecord& rec) {
        refineFully(a);
        std::map<Dim, char> letter;
        auto letterOf = [&](Dim d) {
            auto it = letter.find(d);
            if (it != letter.end()) return it->second;
            size_t n = letter.size();
            if (n >= 52) throw Error("operator stage has more than 52 coordinates for einsum");
            char c = n < 26 ? static_cast<char>('a' + n) : static_cast<char>('A' + (n - 26));
            letter[d] = c;
            return c;
        };
        std::string eq;
        std::vector<Dim> result;
        auto addResult = [&](Dim d) {
            if ((cm(d) & ~R) == 0 && std::find(result.begin(), result.end(), d) == result.end()) result.push_back(d);
        };
        for (Dim d : a.axes) {
            eq += letterOf(d);
            addResult(d);
        }
        PlanOp o = mk(OpKind::Einsum, dst, a.slot);
        if (bp) {
            Operand b = *bp;
            refineFully(b);
            eq += ",";
            for (Dim d : b.axes) {
                eq += letterOf(d);
                addResult(d);
            }
            o.b = b.slot;
        }
        eq += "->";
        for (Dim d : result) eq += letter.at(d);
        o.equation = eq;
        emit(o);
        rec.kernel = Kernel::Einsum;
        rec.kernelText = fmt::format("einsum '{}'", eq);
        rec.why = options_.einsumOnly ? "einsum lowering requested" : "no convolution, matrix product or view computes this stage";
        return Operand{dst, result};
    }

    Operand contract(Operand a, Operand b, uint64_t R, int dst, StageRecord& rec) {
        if (options_.einsumOnly) return einsumStage(a, &b, R, dst, rec);
        Operand sa = a, sb = b;
        size_t opsBefore = plan_.ops.size();
        Operand* ops[2] = {&a, &b};
        bool spatialAllowed[2] = {true, true};
        unfoldAll();
        if (!settle(ops, 2, R, spatialAllowed)) {
            plan_.ops.resize(opsBefore);
            unfoldAll();
            return einsumStage(sa, &sb, R, dst, rec);
        }
        auto roles = [&](const Operand& x, const Operand& y, bool sp) {
            std::vector<Role> out;
            for (size_t k = 0; k < x.axes.size(); ++k) out.push_back(classify(x, k, &y, R, sp));
            return out;
        };
        // Private sums first.
        for (int s = 0; s < 2; ++s) {
            Operand& x = s == 0 ? a : b;
            auto rs = roles(x, s == 0 ? b : a, spatialAllowed[s]);
            std::vector<size_t> priv;
            for (size_t k = 0; k < rs.size(); ++k)
                if (rs[k] == Role::Private) priv.push_back(k);
            sumAxes(x, priv);
        }
        auto ra = roles(a, b, spatialAllowed[0]);
        auto rb = roles(b, a, spatialAllowed[1]);
        bool bSpatial = std::count(rb.begin(), rb.end(), Role::Spatial) > 0;
        bool aSpatial = std::count(ra.begin(), ra.end(), Role::Spatial) > 0;
        bool swap = bSpatial && !aSpatial;
        if (!aSpatial && !bSpatial) {
            swap = numel(b.axes) > numel(a.axes);
        }
        if (swap) {
            std::swap(a, b);
            std::swap(ra, rb);
            std::swap(spatialAllowed[0], spatialAllowed[1]);
        }
        try {
            Operand out = emitKernel(a, b, ra, rb, dst, rec);
            if (!folded_.empty()) {
                const auto windows = std::count_if(folded_.begin(), folded_.end(),
                                                   [](const auto& f) { return f.first->kind == DimKind::Unfold; });
                const auto maps = static_cast<long>(folded_.size()) - windows;
                rec.why += fmt::format(", folded into the other operand:{}{}", windows ? fmt::format(" {} window(s)", windows) : "",
                                       maps ? fmt::format(" {} tiled index map(s)", maps) : "");
            }
            unfoldAll();
            return out;
        } catch (const TooManyConvAxes&) {
            plan_.ops.resize(opsBefore);
            unfoldAll();
            return einsumStage(sa, &sb, R, dst, rec);
        }
    }

    Operand emitKernel(Operand a, Operand b, const std::vector<Role>& ra, const std::vector<Role>& rb, int dst,
                       StageRecord& rec) {
        std::vector<Dim> G, I, O;
        for (size_t k = 0; k < a.axes.size(); ++k) {
            if (ra[k] == Role::Group) G.push_back(a.axes[k]);
            if (ra[k] == Role::Contracted) I.push_back(a.axes[k]);
        }
        for (size_t k = 0; k < b.axes.size(); ++k)
            if (rb[k] == Role::Free) O.push_back(b.axes[k]);
        // B's free axes become output channels in the order chosen here: the output's own order, when B is
        // weights alone (its permute is prepared once), saves the final layout a reordering copy.
        if (O.size() > 1 && dataSlots_.count(b.slot) == 0) {
            const std::vector<Dim> order = outputOrder();
            auto rank = [&](Dim d) {
                for (size_t p = 0; p < order.size(); ++p)
                    if (cm(d) >> coordBit_.at(order[p]) & 1u) return p;
                return order.size();
            };
            std::stable_sort(O.begin(), O.end(), [&](Dim x, Dim y) { return rank(x) < rank(y); });
        }
        // A's layout: free axes before its first channel axis (Nb), then channels, then trailing axes.
        std::vector<Dim> Nb, T;
        bool seenChannel = false;
        for (size_t k = 0; k < a.axes.size(); ++k) {
            Role r = ra[k];
            if (r == Role::Group || r == Role::Contracted) seenChannel = true;
            else if (r == Role::Free && !seenChannel) Nb.push_back(a.axes[k]);
            else T.push_back(a.axes[k]);  // free after the channels, or spatial
        }
        const int64_t g = numel(G), i = numel(I), o = numel(O);
        std::vector<Dim> spatialWindows;
        for (size_t k = 0; k < a.axes.size(); ++k)
            if (ra[k] == Role::Spatial) spatialWindows.push_back(windowOf(a.axes[k]).first);
        std::string why = fmt::format("batch {}, groups {}, contracted {}, out {}", names(Nb), names(G), names(I), names(O));

        if (I.empty() && spatialWindows.empty()) {
            // A broadcast product: [N.., G..] x [G.., O..].
            const std::vector<Dim> Na = joined({Nb, T});
            permuteTo(a, joined({Na, G}));
            reshape(a.slot, {numel(Na), g, 1});
            permuteTo(b, joined({G, O}));
            reshape(b.slot, {1, g, o});
            emit(mk(OpKind::Mul, dst, a.slot, b.slot));
            std::vector<Dim> axes = joined({Na, G, O});
            reshape(dst, shapeOf(axes));
            rec.kernel = Kernel::Mul;
            rec.kernelText = "broadcast multiply (nothing contracted)";
            rec.why = why;
            return Operand{dst, axes};
        }

        if (T.empty()) {
            // A matrix product: [G?, Nb, I] x [G?, I, O].
            permuteTo(a, joined({G, Nb, I}));
            permuteTo(b, joined({G, I, O}));
            const int64_t nb = numel(Nb);
            if (G.empty()) {
                reshape(a.slot, {nb, i});
                reshape(b.slot, {i, o});
            } else {
                reshape(a.slot, {g, nb, i});
                reshape(b.slot, {g, i, o});
            }
            emit(mk(OpKind::MatMul, dst, a.slot, b.slot));
            std::vector<Dim> axes = joined({G, Nb, O});
            reshape(dst, shapeOf(axes));
            rec.kernel = Kernel::MatMul;
            rec.kernelText = G.empty() ? fmt::format("matmul [{}x{}] x [{}x{}]", nb, i, i, o)
                                       : fmt::format("batched matmul {} x [{}x{}] x [{}x{}]", g, nb, i, i, o);
            rec.why = why + ", no window";
            return Operand{dst, axes};
        }

        if (spatialWindows.empty() && (!G.empty() || dataSlots_.count(a.slot) == 0)) {
            // A grouped 1x1 convolution is B [G, O, I] times A [Nb, G, I, T] per group: a GEMM on the same
            // layout, no copy. Measured one thread, batch 1 (ms, oneDNN 1x1 conv / matmul): grouped 256->256
            // g=32 @14 0.085 / 0.038, 64->64 g=8 @56 0.073 / 0.048, 768->384 g=96 @14 0.23 / 0.09; and oneDNN
            // crawls (~1 GFLOP/s) when weights meet weights (huge "channels", tiny map). A dense one runs as a
            // convolution below: torch::matmul of [O, I] by [N, I, T] broadcasts the weight into a batched
            // GEMM, 2 threads, batch 32 (ms, matmul / oneDNN 1x1): 64@56 16.7 / 7.5, 512@7 6.5 / 4.5,
            // 16@28 1.87 / 0.19; batch 1: 64@56 0.29 / 0.19. Weights meeting weights stay GEMMs (oneDNN, above),
            // and so does a weight in A's place (a small activation at batch 1: 512@7, a [1536, 512] weight
            // as a conv1d input with 49 output channels).
            const int64_t nb = numel(Nb), t = numel(T);
            permuteTo(b, joined({G, O, I}));
            reshape(b.slot, {g, o, i});
            rec.kernel = Kernel::MatMul;
            rec.why = why + ", no window (a 1x1 convolution as a GEMM)";
            if (!G.empty() && nb > 1 && t < 256) {
                // Thin GEMMs: copy A to [G, I, Nb T] so that each group is one GEMM, not Nb thin ones (per-row
                // weights, G = a map axis, 2 threads, batch 32: 64@56 56 x [64x64] x 32 x [64x56] 30 ms, as
                // 56 x [64x64] x [64x1792] 14-17 ms; 256@14, A already in order: 14 x 32 GEMMs 36 ms, 14 GEMMs 6). With
                // wide ones (T a whole map) the G-major result costs its consumer a copy: Operator 1 at 64@56
                // batch 32, 41 ms against 55.
                permuteTo(a, joined({G, I, Nb, T}));
                reshape(a.slot, {g, i, nb * t});
                emit(mk(OpKind::MatMul, dst, b.slot, a.slot));
                std::vector<Dim> axes = joined({G, O, Nb, T});
                reshape(dst, shapeOf(axes));
                rec.kernelText = fmt::format("batched matmul {} x [{}x{}] x [{}x{}]", g, o, i, i, nb * t);
                return Operand{dst, axes};
            }
            permuteTo(a, joined({Nb, G, I, T}));
            reshape(a.slot, {nb, g, i, t});
            emit(mk(OpKind::MatMul, dst, b.slot, a.slot));
            std::vector<Dim> axes = joined({Nb, G, O, T});
            reshape(dst, shapeOf(axes));
            rec.kernelText = G.empty() ? fmt::format("matmul [{}x{}] x {} x [{}x{}]", o, i, nb, i, t)
                                       : fmt::format("batched matmul {} x [{}x{}] x {} x [{}x{}]", g, o, i, nb, i, t);
            return Operand{dst, axes};
        }

        // A convolution: trailing axes are spatial (window from B) or free (kernel 1).
        std::vector<Dim> spatialSet;
        for (size_t k = 0; k < a.axes.size(); ++k)
            if (ra[k] == Role::Spatial) spatialSet.push_back(a.axes[k]);
        auto isSpatial = [&](Dim d) { return std::find(spatialSet.begin(), spatialSet.end(), d) != spatialSet.end(); };
        std::vector<std::vector<Dim>> groupsT;  // each conv axis: one spatial unfold or a run of free axes
        for (Dim d : T) groupsT.push_back({d});
        // Merge runs of free axes: at most 3 conv axes, and a 1x1 convolution (no window) over at most 2.
        if (groupsT.size() > 3 || (spatialSet.empty() && groupsT.size() > 2)) {
            std::vector<std::vector<Dim>> merged;
            for (auto& grp : groupsT) {
                if (!merged.empty() && !isSpatial(grp[0]) && !isSpatial(merged.back().back())) merged.back().push_back(grp[0]);
                else merged.push_back(grp);
            }
            groupsT = merged;
        }
        if (groupsT.size() > 3) throw TooManyConvAxes{};  // the caller falls back to einsum (rare)
        permuteTo(a, joined({Nb, G, I, T}));
        std::vector<int64_t> shapeA = {numel(Nb), g * i};
        std::vector<Dim> orderB = joined({G, O, I});
        std::vector<int64_t> shapeB = {g * o, i};
        PlanOp conv = mk(OpKind::Conv, dst, a.slot, b.slot);
        std::vector<Dim> resultT;
        std::string spatialText;
        for (const auto& grp : groupsT) {
            if (isSpatial(grp[0])) {
                Dim u = grp[0];
                auto [w, dil] = windowOf(u);
                orderB.push_back(w);
                shapeA.push_back(sz(u));
                shapeB.push_back(sz(w));
                conv.ints.push_back(concrete(u).offset);
                conv.ints2.push_back(dil);
                resultT.push_back(u->lhs);
                spatialText += fmt::format("{}{} by {} (pad {}, dilation {})", spatialText.empty() ? "" : ", ",
                                           dimName(u->lhs), dimName(w), concrete(u).offset, dil);
            } else {
                shapeA.push_back(numel(grp));
                shapeB.push_back(1);
                conv.ints.push_back(0);
                conv.ints2.push_back(1);
                resultT.insert(resultT.end(), grp.begin(), grp.end());
            }
        }
        permuteTo(b, orderB);
        if (shapeOf(a.axes) != shapeA) reshape(a.slot, shapeA);
        // A 2-D grouped convolution with one output channel per group runs as a depthwise one (each input
        // channel its own group) whose outputs are summed per group: oneDNN's depthwise kernels are ~2x
        // faster than its grouped ones there (2 threads, 64@56 1x3, 2-16 channels per group: 0.18-0.21 ms
        // grouped, 0.09-0.11 depthwise + sum; training steps 0.88-0.97 vs 0.39-0.42).
        const bool depthwise = groupsT.size() == 2 && g > 1 && o == 1 && i > 1;
        if (depthwise) {
            shapeB[0] = g * i;
            shapeB[1] = 1;
        }
        if (shapeOf(b.axes) != shapeB) reshape(b.slot, shapeB);
        conv.amount = depthwise ? g * i : g;
        conv.extent = static_cast<int64_t>(groupsT.size());
        conv.shape = shapeB;  // the weight as the kernel sees it: [groups * out, in, taps...] (for the layout rule)
        emit(conv);
        std::vector<int64_t> convOut = {shapeA[0], g * o};
        for (size_t t = 2; t < shapeA.size(); ++t) convOut.push_back(shapeA[t]);
        if (depthwise) {
            std::vector<int64_t> perGroup = convOut;
            perGroup.insert(perGroup.begin() + 2, i);  // [N, g, i, taps...]
            perGroup[1] = g;
            reshape(dst, perGroup);
            PlanOp sum = mk(OpKind::Sum, dst, dst);
            sum.ints = {2};
            emit(sum);
        }
        std::vector<Dim> axes = joined({Nb, G, O, resultT});
        if (shapeOf(axes) != convOut) reshape(dst, shapeOf(axes));
        rec.kernel = Kernel::Conv;
        rec.kernelText =
            depthwise ? fmt::format("depthwise conv{}d groups={} padding={} dilation={}, then a sum of each group's {} "
                                    "channels (a grouped conv with one output per group, faster this way)",
                                    groupsT.size(), g * i, listText(conv.ints), listText(conv.ints2), i)
                      : fmt::format("conv{}d groups={} in={} out={} padding={} dilation={}", groupsT.size(), g, g * i,
                                    g * o, listText(conv.ints), listText(conv.ints2));
        rec.why = why + (spatialText.empty() ? ", 1x1 over the trailing free axes" : ", windows " + spatialText);
        return Operand{dst, axes};
    }

    // The last tensor becomes the output: coordinates merged back into outputs, broadcast where expanded.
    void finish(Operand& x) {
        size_t before = plan_.ops.size();
        refineFully(x);
        // Duplicated coordinates or leftover reductions (not expected) go through einsum.
        std::vector<Dim> uniq;
        bool dup = false, extra = false;
        for (Dim d : x.axes) {
            if (std::find(uniq.begin(), uniq.end(), d) != uniq.end()) dup = true;
            else uniq.push_back(d);
            if ((cm(d) & outputCoords()) != cm(d)) extra = true;
        }
        if (dup || extra) {
            StageRecord rec;
            Operand y = einsumStage(x, nullptr, outputCoords(), x.slot, rec);
            x = y;
        }
        // Coordinates the tensor lacks are broadcast.
        const std::vector<Dim> order = outputOrder();
        std::vector<Dim> missing;
        for (Dim d : order)
            if (std::find(x.axes.begin(), x.axes.end(), d) == x.axes.end()) missing.push_back(d);
        if (!missing.empty()) broadcastAlong(x, missing);
        // Shifted output coordinates back in output order, before the permute: rolling a permuted view is a
        // strided gather (FuseRolls.h).
        for (size_t k = 0; k < x.axes.size(); ++k)
            if (isShiftedOutput(x.axes[k])) rollShift(x, k);
        std::vector<Dim> outputAxes = order;
        for (Dim& d : outputAxes)
            if (isShiftedOutput(d)) d = d->lhs;
        bool reshaped = x.axes != outputAxes || shapeOf(x.axes) != r_.paddedOutputShape;
        permuteTo(x, outputAxes);
        if (reshaped) reshape(x.slot, r_.paddedOutputShape);
        if (r_.scale != 1.0) {
            PlanOp s = mk(OpKind::Scale, x.slot, x.slot);
            s.scale = r_.scale;
            emit(s);
        }
        if (r_.padded) {
            PlanOp c = mk(OpKind::Crop, x.slot, x.slot);
            c.shape = r_.outputShape;
            for (size_t k = 0; k < r_.outputShape.size(); ++k)
                c.ints.push_back((r_.paddedOutputShape[k] - r_.outputShape[k]) / 2);
            emit(c);
        }
        if (plan_.ops.size() > before) {
            StageRecord rec;
            rec.what = "output = layout(" + slotName(x.slot) + ")";
            rec.kernel = Kernel::Views;
            rec.kernelText = "views";
            rec.why = "bring the result to the output order" + std::string(r_.scale != 1.0 ? ", scale by the means" : "") +
                      (r_.padded ? ", crop the padding" : "");
            rec.operandShapes.push_back({});
            rec.resultShape = r_.outputShape;
            rec.firstOp = before;
            rec.endOp = plan_.ops.size();
            plan_.stages.push_back(rec);
        }
    }

    // The output's coordinates in memory order: each output dim, a merged one as its outer then inner half.
    std::vector<Dim> outputOrder() const {
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

    uint64_t outputCoords() const {
        uint64_t m = 0;
        for (size_t c = 0; c < coordDims_.size(); ++c)
            if (coordLeaf_[c] < nOut_) m |= 1ull << c;
        return m;
    }

    const Operator& op_;
    PlanOptions options_;
    Realization r_;
    SizeContext single_;
    Plan plan_;
    int nOut_ = 0;
    std::unordered_map<Dim, int> index_;
    std::unordered_map<Dim, std::pair<Dim, Dim>> halves_;
    std::unordered_map<Dim, bool> coordish_;
    std::unordered_map<Dim, Dim> shiftedOutput_;  // output iterator -> its shift, the coordinate in its place
    std::unordered_map<Dim, int> coordBit_;
    std::vector<Dim> coordDims_;
    std::vector<int> coordLeaf_;
    std::unordered_map<Dim, uint64_t> mask_;
    std::vector<Dim> spatialKernelOf_;
    std::vector<std::pair<Dim, uint64_t>> folded_;  // this stage's folded axes, with their coordinate masks
    std::set<int> dataSlots_ = {0};  // slots that depend on the input (the others hold weights alone)
};

}  // namespace

Plan compilePlan(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy,
                 const PlanOptions& options) {
    if (binding < 0 || binding >= ctx.bindingCount())
        throw Error(fmt::format("binding {} does not exist ({} given)", binding + 1, ctx.bindingCount()));
    Planner p(op, ctx, binding, policy, options);
    Plan plan = p.run();
    fuseRolls(plan);
    mergeReshapes(plan);
    markWeightOnly(plan);
    return plan;
}

std::shared_ptr<const Plan> PlanCache::get(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy,
                                           const PlanOptions& options) {
    if (binding < 0 || binding >= ctx.bindingCount())
        throw Error(fmt::format("binding {} does not exist ({} given)", binding + 1, ctx.bindingCount()));
    Key key{op.id(), ctx.bindings()[static_cast<size_t>(binding)].values, static_cast<int>(policy), options.einsumOnly,
            options.inference};
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = plans_.find(key);
        if (it != plans_.end()) return it->second;
    }
    auto plan = std::make_shared<const Plan>(compilePlan(op, ctx, binding, policy, options));
    std::lock_guard<std::mutex> lock(mutex_);
    return plans_.emplace(key, plan).first->second;
}

size_t PlanCache::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return plans_.size();
}

}  // namespace syno::plans
