#include "ir/Listing.h"

#include <charconv>
#include <map>

#include <fmt/format.h>

#include "base/Error.h"
#include "ir/Builder.h"

namespace syno {

Listing toListing(const Operator& op) {
    const VariableTable& vars = op.vars();
    Listing l;
    l.vars = vars;
    std::map<Dim, std::string> names;
    for (Dim d : op.outputs()) {
        names[d] = fmt::format("i{}", d->index);
        l.output.push_back(d->size.toString(vars));
    }
    for (Dim d : op.reductions()) {
        names[d] = fmt::format("r{}", d->index);
        l.statements.push_back({{names[d]}, d->reduce == ReduceKind::Mean ? "mean" : "sum", {d->size.toString(vars)}});
    }
    int next = 0;
    auto fresh = [&next] { return fmt::format("d{}", next++); };
    // Merge halves are defined together, by one statement.
    std::map<Dim, std::pair<Dim, Dim>> mergePairs;  // below -> (outer, inner)
    for (Dim d : op.nodesBottomUp()) {
        if (d->kind == DimKind::MergeOuter) mergePairs[d->lhs].first = d;
        if (d->kind == DimKind::MergeInner) mergePairs[d->lhs].second = d;
    }
    for (Dim d : op.nodesBottomUp()) {
        if (names.count(d)) continue;
        switch (d->kind) {
            case DimKind::Iterator:
            case DimKind::Reduce: throw Error("operator uses an iterator or reduction it does not list");
            case DimKind::Split:
                names[d] = fresh();
                l.statements.push_back({{names[d]}, "split", {names.at(d->lhs), names.at(d->rhs)}});
                break;
            case DimKind::MergeOuter:
            case DimKind::MergeInner: {
                auto [outer, inner] = mergePairs.at(d->lhs);
                names[outer] = fresh();
                names[inner] = fresh();
                l.statements.push_back(
                    {{names[outer], names[inner]}, "merge", {names.at(d->lhs), d->factor.toString(vars)}});
                break;
            }
            case DimKind::Shift:
                names[d] = fresh();
                l.statements.push_back({{names[d]}, "shift", {names.at(d->lhs), std::to_string(d->shift)}});
                break;
            case DimKind::Stride:
                names[d] = fresh();
                l.statements.push_back({{names[d]}, "stride", {names.at(d->lhs), d->factor.toString(vars)}});
                break;
            case DimKind::Unfold:
                names[d] = fresh();
                l.statements.push_back({{names[d]}, "unfold", {names.at(d->lhs), names.at(d->rhs)}});
                break;
        }
    }
    auto nameAll = [&names](const std::vector<Dim>& dims) {
        std::vector<std::string> out;
        for (Dim d : dims) out.push_back(names.at(d));
        return out;
    };
    l.input = nameAll(op.input());
    for (const auto& w : op.weights()) l.weights.push_back(nameAll(w));
    l.expand = nameAll(op.expansions());
    return l;
}

Operator fromListing(const Listing& l, std::shared_ptr<DimStore> store) {
    if (!store) store = std::make_shared<DimStore>(l.vars);
    if (!(store->vars() == l.vars)) throw Error("operator declares other variables than the store it is read into");
    OperatorBuilder b(store);
    std::map<std::string, Dim> dims;
    std::vector<Size> outShape;
    for (const auto& s : l.output) outShape.push_back(b.size(s));
    auto outs = b.output(outShape);
    for (size_t i = 0; i < outs.size(); ++i) dims[fmt::format("i{}", i)] = outs[i];

    auto lookup = [&dims](const std::string& name, const Statement& st) {
        auto it = dims.find(name);
        if (it == dims.end())
            throw Error(fmt::format("statement '{} = {}(...)': unknown dimension '{}'", st.names.empty() ? "" : st.names[0],
                                    st.op, name));
        return it->second;
    };
    for (const Statement& st : l.statements) try {
        auto arity = [&st](size_t names, size_t args) {
            if (st.names.size() != names || st.args.size() != args)
                throw Error(fmt::format("'{}' takes {} argument(s) and defines {} dimension(s)", st.op, args, names));
        };
        for (const auto& n : st.names)
            if (dims.count(n)) throw Error(fmt::format("dimension '{}' is defined twice", n));
        std::vector<Dim> defined;
        if (st.op == "sum" || st.op == "mean") {
            arity(1, 1);
            defined.push_back(b.reduce(b.size(st.args[0]), st.op == "mean" ? ReduceKind::Mean : ReduceKind::Sum));
        } else if (st.op == "split") {
            arity(1, 2);
            defined.push_back(b.split(lookup(st.args[0], st), lookup(st.args[1], st)));
        } else if (st.op == "merge") {
            arity(2, 2);
            auto [outer, inner] = b.merge(lookup(st.args[0], st), b.size(st.args[1]));
            defined = {outer, inner};
        } else if (st.op == "shift") {
            arity(1, 2);
            int amount = 0;
            const std::string& a = st.args[1];
            auto [ptr, ec] = std::from_chars(a.data(), a.data() + a.size(), amount);
            if (ec != std::errc() || ptr != a.data() + a.size())
                throw Error(fmt::format("shift amount '{}' is not an integer", a));
            defined.push_back(b.shift(lookup(st.args[0], st), amount));
        } else if (st.op == "stride") {
            arity(1, 2);
            defined.push_back(b.stride(lookup(st.args[0], st), b.size(st.args[1])));
        } else if (st.op == "unfold") {
            arity(1, 2);
            defined.push_back(b.unfold(lookup(st.args[0], st), lookup(st.args[1], st)));
        } else {
            throw Error(fmt::format("unknown primitive '{}' (known: sum, mean, split, merge, shift, stride, unfold)", st.op));
        }
        for (size_t i = 0; i < defined.size(); ++i) dims[st.names[i]] = defined[i];
    } catch (const Error& e) {
        if (st.line <= 0) throw;
        throw Error(fmt::format("operator text line {}: {}", st.line, e.message()));
    }
    auto all = [&](const std::vector<std::string>& names, const char* what) {
        std::vector<Dim> out;
        for (const auto& n : names) {
            auto it = dims.find(n);
            if (it == dims.end()) throw Error(fmt::format("{} names unknown dimension '{}'", what, n));
            out.push_back(it->second);
        }
        return out;
    };
    b.input(all(l.input, "input"));
    for (const auto& w : l.weights) b.weight(all(w, "weight"));
    for (Dim d : all(l.expand, "expand")) b.expand(d);
    return b.build();
}

}  // namespace syno
