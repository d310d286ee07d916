#include "semantics/Realize.h"

#include <map>

#include <fmt/format.h>

#include "base/Error.h"
#include "sizes/Padding.h"

namespace syno {

SizeContext paddedContext(const Operator& op, const SizeContext& ctx, PaddingPolicy policy) {
    SizeContext result = policy == PaddingPolicy::Pad ? padToDivide(ctx, op.sizesToCheck()) : ctx;
    checkSizes(op, result);
    return result;
}

Realization realize(const Operator& op, const SizeContext& ctx, int b, PaddingPolicy policy) {
    if (b < 0 || b >= ctx.bindingCount()) throw Error(fmt::format("binding {} does not exist", b + 1));
    SizeContext padded = paddedContext(op, ctx, policy);
    Realization r;
    r.binding = b;
    r.padded = !(padded.bindings()[static_cast<size_t>(b)] == ctx.bindings()[static_cast<size_t>(b)]);

    std::map<Dim, int> index;
    for (Dim d : op.nodesBottomUp()) {
        ConcreteDim c;
        c.kind = d->kind;
        c.size = padded.evalInteger(d->size, b);
        if (d->lhs) c.lhs = index.at(d->lhs);
        if (d->rhs) c.rhs = index.at(d->rhs);
        switch (d->kind) {
            case DimKind::MergeOuter:
            case DimKind::MergeInner:
            case DimKind::Stride: c.factor = padded.evalInteger(d->factor, b); break;
            case DimKind::Shift: c.offset = d->shift; break;
            case DimKind::Unfold: c.offset = (windowSpan(d->rhs, padded, b) - 1) / 2; break;
            default: break;
        }
        index[d] = static_cast<int>(r.dims.size());
        r.dims.push_back(c);
    }
    for (Dim d : op.outputs()) r.outputDims.push_back(index.at(d));
    for (Dim d : op.reductions()) {
        r.reductionDims.push_back(index.at(d));
        if (d->reduce == ReduceKind::Mean) r.scale /= static_cast<double>(padded.evalInteger(d->size, b));
    }
    for (int t = 0; t < op.tensorCount(); ++t) {
        std::vector<int> axes;
        for (Dim d : op.tensorDims(t)) axes.push_back(index.at(d));
        r.tensorDims.push_back(axes);
    }
    for (Dim d : op.input()) {
        Ratio orig = ctx.eval(d->size, b);
        if (!orig.isInteger())
            throw Error(fmt::format("input dimension {} = {} is not an integer in binding {} ({})",
                                    d->size.toString(op.vars()), orig.toString(), b + 1, ctx.describeBinding(b)));
        r.inputShape.push_back(orig.num);
        r.paddedInputShape.push_back(padded.evalInteger(d->size, b));
    }
    for (int w = 0; w < static_cast<int>(op.weights().size()); ++w) {
        std::vector<int64_t> shape;
        for (const Size& s : op.weightShape(w)) shape.push_back(padded.evalInteger(s, b));
        r.weightShapes.push_back(shape);
    }
    for (Dim d : op.outputs()) {
        Ratio orig = ctx.eval(d->size, b);
        r.outputShape.push_back((orig.num + orig.den - 1) / orig.den);
        r.paddedOutputShape.push_back(padded.evalInteger(d->size, b));
    }
    return r;
}

}  // namespace syno
