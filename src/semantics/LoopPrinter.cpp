#include "semantics/LoopPrinter.h"

#include <fmt/format.h>

namespace syno {

namespace {

// An expression and how tightly it binds: 3 atom, 2 product, 1 sum.
struct Expr {
    std::string text;
    int level;
};

std::string paren(const Expr& e, int level) { return e.level < level ? "(" + e.text + ")" : e.text; }

std::string sizeAtom(const Size& s, const VariableTable& vars) {
    std::string t = s.toString(vars);
    return t.find_first_of("*/^") == std::string::npos ? t : "(" + t + ")";
}

Expr dimExpr(Dim d, const VariableTable& vars) {
    switch (d->kind) {
        case DimKind::Iterator: return {fmt::format("i{}", d->index), 3};
        case DimKind::Reduce: return {fmt::format("r{}", d->index), 3};
        case DimKind::Split:
            return {paren(dimExpr(d->lhs, vars), 2) + "*" + sizeAtom(d->rhs->size, vars) + "+" +
                        paren(dimExpr(d->rhs, vars), 1),
                    1};
        case DimKind::MergeOuter: return {paren(dimExpr(d->lhs, vars), 2) + "/" + sizeAtom(d->factor, vars), 2};
        case DimKind::MergeInner: return {paren(dimExpr(d->lhs, vars), 2) + "%" + sizeAtom(d->factor, vars), 2};
        case DimKind::Shift:
            return {fmt::format("({}{:+d})%{}", dimExpr(d->lhs, vars).text, d->shift, sizeAtom(d->size, vars)), 2};
        case DimKind::Stride: return {paren(dimExpr(d->lhs, vars), 2) + "*" + sizeAtom(d->factor, vars), 2};
        case DimKind::Unfold: {
            Dim w = d->rhs;
            std::string half = w->kind == DimKind::Stride
                                   ? fmt::format("({}-1)*{}/2", sizeAtom(w->lhs->size, vars), sizeAtom(w->factor, vars))
                                   : fmt::format("({}-1)/2", w->size.toString(vars));
            std::string e = dimExpr(d->lhs, vars).text + "+" + paren(dimExpr(w, vars), 1) + "-" + half;
            return {fmt::format("restrict({}, 0, {})", e, d->size.toString(vars)), 3};
        }
    }
    return {"?", 3};
}

std::string access(const std::string& name, const std::vector<std::string>& idx) {
    std::string out = name + "[";
    for (size_t i = 0; i < idx.size(); ++i) out += (i ? ", " : "") + idx[i];
    return out + "]";
}

std::string tensorName(int t) { return fmt::format("in_{}", t); }

std::vector<std::string> outputIndices(const Operator& op) {
    std::vector<std::string> idx;
    for (Dim d : op.outputs()) idx.push_back(fmt::format("i{}", d->index));
    return idx;
}

std::string loopHeader(const std::vector<Dim>& dims, const VariableTable& vars) {
    std::string out;
    for (Dim d : dims)
        out += fmt::format("{}{}{} < {}", out.empty() ? "" : ", ", d->kind == DimKind::Iterator ? "i" : "r", d->index,
                           d->size.toString(vars));
    return out;
}

// "/ (k^2)" for mean reductions, empty otherwise.
std::string meanDivisor(const Operator& op) {
    Size s;
    for (Dim d : op.reductions())
        if (d->reduce == ReduceKind::Mean) s = s * d->size;
    return s.isOne() ? "" : " / " + sizeAtom(s, op.vars());
}

}  // namespace

std::vector<std::string> accessExpressions(const Operator& op, int tensor) {
    std::vector<std::string> out;
    for (Dim d : op.tensorDims(tensor)) out.push_back(dimExpr(d, op.vars()).text);
    return out;
}

std::string printForwardLoops(const Operator& op) {
    const auto& vars = op.vars();
    std::string product;
    for (int t = 0; t < op.tensorCount(); ++t)
        product += (t ? " * " : "") + access(tensorName(t), accessExpressions(op, t));
    std::string rhs = op.reductions().empty() ? product
                                              : fmt::format("sum({}) {}", loopHeader(op.reductions(), vars), product);
    return fmt::format("for {}:\n  {} = {}{}\n", loopHeader(op.outputs(), vars), access("out", outputIndices(op)), rhs,
                       meanDivisor(op));
}

std::string printBackwardLoops(const Operator& op) {
    const auto& vars = op.vars();
    std::vector<Dim> all = op.outputs();
    all.insert(all.end(), op.reductions().begin(), op.reductions().end());
    std::string out;
    for (int t = 0; t < op.tensorCount(); ++t) {
        std::string term = access("grad_out", outputIndices(op));
        for (int u = 0; u < op.tensorCount(); ++u)
            if (u != t) term += " * " + access(tensorName(u), accessExpressions(op, u));
        out += fmt::format("for {}:\n  {} += {}{}\n", loopHeader(all, vars),
                           access("grad_" + tensorName(t), accessExpressions(op, t)), term, meanDivisor(op));
    }
    return out;
}

}  // namespace syno
