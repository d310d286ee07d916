#include "semantics/Stages.h"

#include <functional>
#include <limits>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno {

namespace {

uint32_t leavesBelow(Dim d, const Operator& op) {
    if (d->kind == DimKind::Iterator) return 1u << d->index;
    if (d->kind == DimKind::Reduce) return 1u << (op.outputs().size() + static_cast<size_t>(d->index));
    uint32_t m = 0;
    if (d->lhs) m |= leavesBelow(d->lhs, op);
    if (d->rhs) m |= leavesBelow(d->rhs, op);
    return m;
}

// A tensor still to combine: its slot, its leaves, and whether it depends on the input.
struct Item {
    int slot;
    uint32_t mask;
    bool data;
};

struct Search {
    std::vector<std::vector<double>> leafSize;  // [binding][leaf]
    uint32_t outputs = 0;
    double weightStageShare = 1;  // the share of a weight-only stage's FLOPs that counts
    double best = std::numeric_limits<double>::infinity();
    std::vector<Stage> bestStages;

    double points(uint32_t mask) const {
        double total = 0;
        for (const auto& sizes : leafSize) {
            double p = 1;
            for (size_t i = 0; i < sizes.size(); ++i)
                if (mask >> i & 1u) p *= sizes[i];
            total += p;
        }
        return total;
    }

    double costOf(const Stage& s, bool data) const { return data ? s.flops : s.flops * weightStageShare; }

    void run(std::vector<Item> tensors, int nextSlot, std::vector<Stage>& stages, double cost) {
        if (cost >= best) return;
        if (tensors.size() == 1) {
            const Item& t = tensors[0];
            std::vector<Stage> finalStages = stages;
            double total = cost;
            if ((t.mask & ~outputs) != 0) {
                Stage s{Stage::Kind::Sum, {t.slot}, t.mask, t.mask & outputs, points(t.mask)};
                total += costOf(s, t.data);
                finalStages.push_back(s);
            }
            if (total < best) {
                best = total;
                bestStages = finalStages;
            }
            return;
        }
        for (size_t a = 0; a < tensors.size(); ++a)
            for (size_t b = a + 1; b < tensors.size(); ++b) {
                uint32_t others = outputs;
                for (size_t c = 0; c < tensors.size(); ++c)
                    if (c != a && c != b) others |= tensors[c].mask;
                uint32_t loops = tensors[a].mask | tensors[b].mask;
                Stage s{Stage::Kind::Contract, {tensors[a].slot, tensors[b].slot}, loops, loops & others,
                        2 * points(loops)};
                const bool data = tensors[a].data || tensors[b].data;
                auto rest = tensors;
                rest.erase(rest.begin() + static_cast<long>(b));
                rest[a] = {nextSlot, s.result, data};
                stages.push_back(s);
                run(rest, nextSlot + 1, stages, cost + costOf(s, data));
                stages.pop_back();
            }
        // Sum a tensor's private reductions first (pooling before mixing).
        for (size_t a = 0; a < tensors.size(); ++a) {
            uint32_t others = outputs;
            for (size_t c = 0; c < tensors.size(); ++c)
                if (c != a) others |= tensors[c].mask;
            uint32_t mask = tensors[a].mask;
            if ((mask & ~others) == 0) continue;
            Stage s{Stage::Kind::Sum, {tensors[a].slot}, mask, mask & others, points(mask)};
            auto rest = tensors;
            rest[a] = {nextSlot, s.result, tensors[a].data};
            stages.push_back(s);
            run(rest, nextSlot + 1, stages, cost + costOf(s, tensors[a].data));
            stages.pop_back();
        }
    }
};

}  // namespace

std::vector<uint32_t> tensorLeaves(const Operator& op) {
    std::vector<uint32_t> out;
    for (int t = 0; t < op.tensorCount(); ++t) {
        uint32_t m = 0;
        for (Dim d : op.tensorDims(t)) m |= leavesBelow(d, op);
        out.push_back(m);
    }
    return out;
}

StagePlan planStages(const Operator& op, const SizeContext& ctx, StageCost cost) {
    size_t leaves = op.outputs().size() + op.reductions().size();
    if (leaves > 32) throw Error("operator has more than 32 loops");
    if (op.tensorCount() > 4) throw Error("operator has more than 4 tensors");
    Search s;
    if (cost == StageCost::PerCall) s.weightStageShare = 1.0 / kWeightStageCalls;
    for (int b = 0; b < ctx.bindingCount(); ++b) {
        std::vector<double> sizes;
        for (Dim d : op.outputs()) sizes.push_back(static_cast<double>(ctx.evalInteger(d->size, b)));
        for (Dim d : op.reductions()) sizes.push_back(static_cast<double>(ctx.evalInteger(d->size, b)));
        s.leafSize.push_back(sizes);
    }
    for (size_t i = 0; i < op.outputs().size(); ++i) s.outputs |= 1u << i;
    std::vector<Item> tensors;
    auto masks = tensorLeaves(op);
    for (int t = 0; t < op.tensorCount(); ++t) tensors.push_back({t, masks[static_cast<size_t>(t)], t == 0});
    std::vector<Stage> stages;
    s.run(tensors, op.tensorCount(), stages, 0);
    double flops = 0;
    for (const auto& st : s.bestStages) flops += st.flops;
    return StagePlan{s.bestStages, flops};
}

double stagedFlopsPerBinding(const Operator& op, const SizeContext& ctx) {
    double flops = 0;
    for (const Binding& b : ctx.bindings()) flops += planStages(op, ctx.withBindings({b})).flops;
    return flops;
}

std::string StagePlan::describe(const Operator& op) const {
    auto leafName = [&op](size_t i) {
        return i < op.outputs().size() ? fmt::format("i{}", i) : fmt::format("r{}", i - op.outputs().size());
    };
    auto maskNames = [&](uint32_t m) {
        std::string out;
        for (size_t i = 0; i < 32; ++i)
            if (m >> i & 1u) out += (out.empty() ? "" : ",") + leafName(i);
        return "{" + out + "}";
    };
    auto slotName = [&op](int slot) {
        if (slot == 0) return std::string("in_0");
        if (slot < op.tensorCount()) return fmt::format("in_{}", slot);
        return fmt::format("t{}", slot - op.tensorCount());
    };
    std::string out;
    int next = op.tensorCount();
    for (const auto& s : stages) {
        std::string args;
        for (int a : s.operands) args += (args.empty() ? "" : ", ") + slotName(a);
        out += fmt::format("{} = {}({}) over {} -> {}  {:.4g} FLOPs\n", slotName(next++),
                           s.kind == Stage::Kind::Contract ? "contract" : "sum", args, maskNames(s.loops),
                           maskNames(s.result), s.flops);
    }
    return out;
}

}  // namespace syno
