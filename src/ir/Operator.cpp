#include "ir/Operator.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/Error.h"
#include "base/StableHash.h"

namespace syno {

namespace {

// Counts how often each dim is consumed by the data path (the input and expansions, and through them
// every primitive below). A merge consumes its dim once, through its two halves together.
class DataPathUse {
public:
    explicit DataPathUse(const VariableTable& vars) : vars_(vars) {}

    void use(Dim d, const char* by) {
        int& n = uses_[d];
        if (++n > 1)
            throw Error(fmt::format("dimension {} ({}) is used twice by the data path (second time by {})",
                                    dimKindName(d->kind), d->size.toString(vars_), by));
        switch (d->kind) {
            case DimKind::Iterator:
            case DimKind::Reduce: break;
            case DimKind::Split:
                use(d->lhs, "split");
                use(d->rhs, "split");
                break;
            case DimKind::MergeOuter:
            case DimKind::MergeInner: {
                auto& halves = mergeHalves_[{d->lhs, d->factor}];
                halves.insert(d->kind);
                if (halves.size() == 2) use(d->lhs, "merge");
                break;
            }
            case DimKind::Shift:
            case DimKind::Stride: use(d->lhs, dimKindName(d->kind)); break;
            case DimKind::Unfold:
                use(d->lhs, "unfold");
                use(d->rhs, "unfold window");
                break;
        }
    }

    void finish() const {
        for (const auto& [merge, halves] : mergeHalves_)
            if (halves.size() != 2)
                throw Error(fmt::format("merge of {} by {} uses only one of its two halves", merge.first->size.toString(vars_),
                                        merge.second.toString(vars_)));
    }
    bool used(Dim d) const { return uses_.count(d) > 0; }
    std::vector<Dim> usedLeaves() const {
        std::vector<Dim> out;
        for (const auto& [d, n] : uses_)
            if (d->isLeaf()) out.push_back(d);
        return out;
    }

private:
    const VariableTable& vars_;
    std::map<Dim, int> uses_;
    std::map<std::pair<Dim, Size>, std::set<DimKind>> mergeHalves_;
};

void collect(Dim d, std::set<Dim>& seen, std::vector<Dim>& order) {
    if (!seen.insert(d).second) return;
    if (d->lhs) collect(d->lhs, seen, order);
    if (d->rhs) collect(d->rhs, seen, order);
    order.push_back(d);
}

}  // namespace

Operator::Operator(std::shared_ptr<DimStore> store, OperatorParts parts)
    : store_(std::move(store)), parts_(std::move(parts)) {}

Operator Operator::make(std::shared_ptr<DimStore> store, OperatorParts parts) {
    if (!store) throw Error("operator without a dimension store");
    const VariableTable& vars = store->vars();
    if (parts.outputs.empty()) throw Error("operator has no output dimensions");
    if (parts.input.empty()) throw Error("operator has no input dimensions");
    for (size_t i = 0; i < parts.outputs.size(); ++i)
        if (!parts.outputs[i] || parts.outputs[i]->kind != DimKind::Iterator || parts.outputs[i]->index != static_cast<int>(i))
            throw Error(fmt::format("output {} is not output iterator i{}", i, i));
    for (size_t i = 0; i < parts.reductions.size(); ++i)
        if (!parts.reductions[i] || parts.reductions[i]->kind != DimKind::Reduce ||
            parts.reductions[i]->index != static_cast<int>(i))
            throw Error(fmt::format("reduction {} is not reduction r{}", i, i));

    DataPathUse data(vars);
    for (Dim d : parts.input) {
        if (!d) throw Error("null input dimension");
        data.use(d, "the input");
    }
    for (Dim d : parts.expansions) {
        if (!d) throw Error("null expanded dimension");
        data.use(d, "an expansion");
    }
    data.finish();
    for (Dim d : parts.outputs)
        if (!data.used(d)) throw Error(fmt::format("output i{} is neither computed from the input nor expanded", d->index));
    for (Dim d : parts.reductions)
        if (!data.used(d)) throw Error(fmt::format("reduction r{} does not reach the input", d->index));
    for (Dim d : data.usedLeaves()) {
        const auto& listed = d->kind == DimKind::Iterator ? parts.outputs : parts.reductions;
        if (std::find(listed.begin(), listed.end(), d) == listed.end())
            throw Error(fmt::format("{} {} ({}) is used but not listed among the operator's {}",
                                    d->kind == DimKind::Iterator ? "output iterator" : "reduction", d->index,
                                    d->size.toString(vars), d->kind == DimKind::Iterator ? "outputs" : "reductions"));
    }

    for (size_t w = 0; w < parts.weights.size(); ++w) {
        const auto& dims = parts.weights[w];
        if (dims.empty()) throw Error(fmt::format("weight {} has no dimensions", w + 1));
        std::set<Dim> distinct;
        for (Dim d : dims) {
            if (!d) throw Error(fmt::format("null dimension in weight {}", w + 1));
            if (!distinct.insert(d).second)
                throw Error(fmt::format("weight {} lists dimension {} twice", w + 1, d->size.toString(vars)));
            if (!data.used(d))
                throw Error(fmt::format("weight {} dimension {} is not shared with the data path", w + 1,
                                        d->size.toString(vars)));
        }
    }
    for (Dim d : parts.expansions) {
        if (!d->isLeaf() && d->kind != DimKind::MergeOuter && d->kind != DimKind::MergeInner)
            throw Error(fmt::format("only output iterators, merge halves and sums shared by weights can be expanded, "
                                    "not a {}",
                                    dimKindName(d->kind)));
        // A sum that reaches no input must tie two weights (a low-rank product w1[.., r] w2[r, ..]):
        // expanded otherwise, it would only scale the result by its size.
        if (d->kind == DimKind::Reduce) {
            int holders = 0;
            for (const auto& w : parts.weights) holders += std::find(w.begin(), w.end(), d) != w.end();
            if (holders < 2)
                throw Error(fmt::format("reduction r{} is expanded but shared by {} weight(s): a sum that reaches no "
                                        "input must tie two weights",
                                        d->index, holders));
        }
    }
    auto sizesValid = [&](Dim d) {
        if (!d->size.isValidDimension(vars))
            throw Error(fmt::format("{} dimension has invalid size {}", dimKindName(d->kind), d->size.toString(vars)));
    };
    Operator op(std::move(store), std::move(parts));
    for (Dim d : op.nodesBottomUp()) sizesValid(d);

    uint64_t h = hashString("syno-operator");
    auto mixList = [&h](const std::vector<Dim>& dims, uint64_t tag) {
        h = hashCombine(h, tag);
        h = hashCombine(h, dims.size());
        for (Dim d : dims) h = hashCombine(h, d->hash);
    };
    mixList(op.parts_.outputs, 1);
    mixList(op.parts_.reductions, 2);
    mixList(op.parts_.input, 3);
    for (const auto& w : op.parts_.weights) mixList(w, 4);
    mixList(op.parts_.expansions, 5);
    op.id_ = h;
    return op;
}

const std::vector<Dim>& Operator::tensorDims(int t) const {
    return t == 0 ? parts_.input : parts_.weights.at(static_cast<size_t>(t - 1));
}

namespace {
std::vector<Size> sizesOf(const std::vector<Dim>& dims) {
    std::vector<Size> out;
    for (Dim d : dims) out.push_back(d->size);
    return out;
}
}  // namespace

std::vector<Size> Operator::inputShape() const { return sizesOf(parts_.input); }
std::vector<Size> Operator::outputShape() const { return sizesOf(parts_.outputs); }
std::vector<Size> Operator::weightShape(int w) const { return sizesOf(parts_.weights.at(static_cast<size_t>(w))); }

std::vector<Dim> Operator::nodesBottomUp() const {
    std::set<Dim> seen;
    std::vector<Dim> order;
    for (Dim d : parts_.outputs) collect(d, seen, order);
    for (Dim d : parts_.reductions) collect(d, seen, order);
    for (Dim d : parts_.input) collect(d, seen, order);
    for (const auto& w : parts_.weights)
        for (Dim d : w) collect(d, seen, order);
    for (Dim d : parts_.expansions) collect(d, seen, order);
    return order;
}

int64_t windowSpan(Dim window, const SizeContext& ctx, int b) {
    if (window->kind == DimKind::Stride)
        return (ctx.evalInteger(window->lhs->size, b) - 1) * ctx.evalInteger(window->factor, b) + 1;
    return ctx.evalInteger(window->size, b);
}

std::vector<Size> Operator::sizesToCheck() const {
    std::vector<Size> out;
    for (Dim d : nodesBottomUp()) {
        out.push_back(d->size);
        if (d->kind == DimKind::MergeOuter || d->kind == DimKind::MergeInner || d->kind == DimKind::Stride)
            out.push_back(d->factor);
        if (d->kind == DimKind::Split) {
            out.push_back(d->lhs->size);
            out.push_back(d->rhs->size);
        }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string Operator::idHex() const { return fmt::format("{:016x}", id_); }

void checkSizes(const Operator& op, const SizeContext& ctx) {
    const VariableTable& vars = op.vars();
    if (!(vars == ctx.vars())) throw Error("operator and bindings use different variable declarations");
    for (const Size& s : op.sizesToCheck())
        for (int b = 0; b < ctx.bindingCount(); ++b) ctx.evalInteger(s, b);
    for (Dim d : op.nodesBottomUp()) {
        if (d->kind != DimKind::Unfold) continue;
        Dim w = d->rhs;
        for (int b = 0; b < ctx.bindingCount(); ++b) {
            int64_t span = windowSpan(w, ctx, b);
            if (span % 2 == 0)
                throw Error(fmt::format("unfold window {} spans {} positions in binding {}: it must be odd to be "
                                        "centred", w->size.toString(vars), span, b + 1));
            if (span > 2 * ctx.evalInteger(d->size, b) + 1)
                throw Error(fmt::format("unfold window {} is wider than twice the dimension {} in binding {}",
                                        w->size.toString(vars), d->size.toString(vars), b + 1));
        }
    }
}

}  // namespace syno
