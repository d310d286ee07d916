#include "report/OperatorDot.h"

#include <map>
#include <vector>

#include <fmt/format.h>

namespace syno::report {

namespace {

// DOT string literal contents: quotes and backslashes escaped.
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c == '\n' ? ' ' : c;
    }
    return out + "\"";
}

std::string nodeLabel(Dim d, const VariableTable& vars) {
    const std::string size = d->size.toString(vars);
    switch (d->kind) {
        case DimKind::Iterator: return fmt::format("i{}\n{}", d->index, size);
        case DimKind::Reduce:
            return fmt::format("{} r{}\n{}", d->reduce == ReduceKind::Mean ? "mean" : "sum", d->index, size);
        case DimKind::Split: return fmt::format("split\n{}", size);
        case DimKind::MergeOuter: return fmt::format("merge / {}\n{}", d->factor.toString(vars), size);
        case DimKind::MergeInner: return fmt::format("merge % {}\n{}", d->factor.toString(vars), size);
        case DimKind::Shift: return fmt::format("shift {}\n{}", d->shift, size);
        case DimKind::Stride: return fmt::format("stride {}\n{}", d->factor.toString(vars), size);
        case DimKind::Unfold: return fmt::format("unfold\n{}", size);
    }
    return dimKindName(d->kind);
}

// Leaves (the loops) are boxes like the tensors' axes are read from; primitives are ellipses.
const char* nodeStyle(Dim d) {
    switch (d->kind) {
        case DimKind::Iterator: return "shape=box, style=\"rounded,filled\", fillcolor=\"#dbeafe\"";
        case DimKind::Reduce: return "shape=box, style=\"rounded,filled\", fillcolor=\"#fde68a\"";
        default: return "shape=ellipse, style=filled, fillcolor=\"#f3f4f6\"";
    }
}

}  // namespace

std::string operatorDot(const Operator& op) {
    const VariableTable& vars = op.vars();
    std::string dot = "digraph operator {\n  rankdir=TB; nodesep=0.25; ranksep=0.35;\n"
                      "  node [fontname=\"Helvetica\", fontsize=10, margin=\"0.06,0.03\"];\n"
                      "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#6b7280\"];\n";
    std::map<Dim, std::string> ids;
    const std::vector<Dim> nodes = op.nodesBottomUp();  // a fixed order: the same operator, the same drawing
    for (Dim d : nodes) {
        const std::string id = fmt::format("d{}", ids.size());
        ids[d] = id;
        dot += fmt::format("  {} [label={}, {}];\n", id, quoted(nodeLabel(d, vars)), nodeStyle(d));
    }
    // Tensors: the input and weights feed the graph; every output iterator feeds the output.
    for (int t = 0; t < op.tensorCount(); ++t) {
        const std::string name = t == 0 ? "input" : fmt::format("weight {}", t);
        std::string shape;
        for (Dim d : op.tensorDims(t)) shape += (shape.empty() ? "" : ", ") + d->size.toString(vars);
        dot += fmt::format("  t{} [label={}, shape=box, style=filled, fillcolor={}, fontsize=11];\n", t,
                           quoted(fmt::format("{} [{}]", name, shape)), t == 0 ? "\"#bbf7d0\"" : "\"#fecaca\"");
        const auto& dims = op.tensorDims(t);
        for (size_t axis = 0; axis < dims.size(); ++axis)
            dot += fmt::format("  t{} -> {} [label=\"{}\"];\n", t, ids[dims[axis]], axis);
    }
    // A primitive's dim is defined by the dims below it (toward the output): data flows to them.
    for (Dim d : nodes) {
        if (d->lhs) dot += fmt::format("  {} -> {};\n", ids[d], ids[d->lhs]);
        if (d->rhs) dot += fmt::format("  {} -> {} [style=dashed];\n", ids[d], ids[d->rhs]);
    }
    std::string shape;
    for (Dim d : op.outputs()) shape += (shape.empty() ? "" : ", ") + d->size.toString(vars);
    dot += fmt::format("  out [label={}, shape=box, style=filled, fillcolor=\"#c7d2fe\", fontsize=11];\n",
                       quoted(fmt::format("output [{}]", shape)));
    for (Dim d : op.outputs()) dot += fmt::format("  {} -> out;\n", ids[d]);
    return dot + "}\n";
}

}  // namespace syno::report
