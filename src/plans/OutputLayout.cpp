// The last tensor brought to the output's layout: coordinates merged back, broadcast where expanded,
// shifted outputs rolled, the mean scale and the padding's crop applied (Planner.h).
#include "plans/Planner.h"

namespace syno::plans::planner {

void Planner::finish(Operand& x) {
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

}  // namespace syno::plans::planner
