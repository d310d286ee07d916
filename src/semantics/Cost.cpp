#include "semantics/Cost.h"

namespace syno {

Cost naiveCost(const Operator& op, const SizeContext& ctx, PaddingPolicy policy) {
    SizeContext padded = paddedContext(op, ctx, policy);
    Size points;
    for (Dim d : op.outputs()) points = points * d->size;
    for (Dim d : op.reductions()) points = points * d->size;
    Cost c;
    c.flops = padded.sumOverBindings(points) * op.tensorCount();
    for (size_t w = 0; w < op.weights().size(); ++w) {
        Size numel;
        for (const Size& s : op.weightShape(static_cast<int>(w))) numel = numel * s;
        c.params += padded.sumOverBindings(numel);
    }
    return c;
}

}  // namespace syno
