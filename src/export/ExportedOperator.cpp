#include "export/ExportedOperator.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "base/Error.h"
#include "ir/TextForm.h"
#include "semantics/LoopPrinter.h"

namespace syno::exports {

ExportedOperator prepareExport(const Operator& op, const SizeContext& ctx, const ExportOptions& options) {
    if (options.className.empty() || !(std::isalpha(static_cast<unsigned char>(options.className[0])) ||
                                       options.className[0] == '_') ||
        !std::all_of(options.className.begin(), options.className.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }))
        throw Error(fmt::format("the class name '{}' is not an identifier", options.className));
    ExportedOperator e;
    e.className = options.className;
    e.idHex = op.idHex();
    e.text = printOperator(op);
    e.loops = printForwardLoops(op);
    e.weights = static_cast<int>(op.weights().size());
    const VariableTable& vars = ctx.vars();
    const auto batchVar = vars.find(options.batchVariable);
    e.batched = batchVar && !op.inputShape().empty() && op.inputShape()[0] == Size::variable(*batchVar);
    std::vector<int> sizeIds;
    for (int id = 0; id < vars.size(); ++id)
        if (vars.isPrimary(id) && (!batchVar || id != *batchVar)) {
            e.sizeNames.push_back(vars[id].name);
            sizeIds.push_back(id);
        }
    std::vector<int> chosen = options.bindings;
    if (chosen.empty())
        for (int b = 0; b < ctx.bindingCount(); ++b) chosen.push_back(b);
    plans::PlanOptions training, inference;
    training.fuseWeightOps = inference.fuseWeightOps = false;
    inference.inference = true;
    for (int b : chosen) {
        if (b < 0 || b >= ctx.bindingCount())
            throw Error(fmt::format("binding {} does not exist ({} given)", b + 1, ctx.bindingCount()));
        ExportedBinding x;
        const Binding& values = ctx.bindings()[static_cast<size_t>(b)];
        for (size_t k = 0; k < sizeIds.size(); ++k) {
            x.sizes.push_back(values[sizeIds[k]]);
            x.text += fmt::format("{}{}={}", k ? ", " : "", e.sizeNames[k], x.sizes.back());
        }
        // Two bindings that differ only in the batch are one layer.
        const bool seen = std::any_of(e.bindings.begin(), e.bindings.end(),
                                      [&](const ExportedBinding& y) { return y.sizes == x.sizes; });
        if (seen) continue;
        const plans::Plan own = plans::compilePlan(op, ctx, b, PaddingPolicy::Exact, training);
        x.inputTail.assign(own.inputShape.begin() + (e.batched ? 1 : 0), own.inputShape.end());
        x.weightShapes = own.weightShapes;
        x.initStd = own.initStd;
        if (!e.batched) {
            // No batch axis to vary: the binding's own sizes, for every call.
            x.training.push_back(fixedVariant(op, ctx, b, "", 1, training));
            x.inference.push_back(fixedVariant(op, ctx, b, "", 1, inference));
            x.training.back().batch = x.inference.back().batch = 0;
        } else {
            for (int64_t n : options.batches) {
                x.training.push_back(fixedVariant(op, ctx, b, options.batchVariable, n, training));
                x.inference.push_back(fixedVariant(op, ctx, b, options.batchVariable, n, inference));
            }
            std::string whyT, whyI;
            auto t = generalVariant(op, ctx, b, options.batchVariable, training, &whyT);
            auto i = generalVariant(op, ctx, b, options.batchVariable, inference, &whyI);
            if (t && i) {
                x.training.push_back(std::move(*t));
                x.inference.push_back(std::move(*i));
            } else {
                x.generalMissing = t ? whyI : whyT;
            }
        }
        e.bindings.push_back(std::move(x));
    }
    return e;
}

}  // namespace syno::exports
