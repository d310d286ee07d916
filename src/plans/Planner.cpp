// The planner's state for one operator at one binding, and run(): the lowering of every stage in
// planStages' order, then the output layout (Planner.h).
#include "plans/Planner.h"

#include <cmath>
#include <unordered_map>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::plans::planner {

Planner::Planner(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy, const PlanOptions& options)
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

Plan Planner::run() {
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
        lastStage_ = s + 1 == stages.stages.size();
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

}  // namespace syno::plans::planner
