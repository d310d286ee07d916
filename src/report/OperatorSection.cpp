#include "report/OperatorSection.h"

#include <fmt/format.h>

#include "base/Error.h"
#include "ir/TextForm.h"
#include "plans/Plan.h"
#include "report/Graphviz.h"
#include "report/OperatorDot.h"
#include "semantics/LoopPrinter.h"
#include "sizes/Parse.h"

namespace syno::report {

namespace {

// The plan of each binding; a size that does not divide is padded, as the evaluator pads it.
std::string planText(const Operator& op, const std::string& bindings) {
    SizeContext ctx(op.vars(), bindings.empty() ? decltype(parseBindings(bindings)){} : parseBindings(bindings));
    std::string out;
    for (int b = 0; b < ctx.bindingCount(); ++b) {
        try {
            out += plans::compilePlan(op, ctx, b, PaddingPolicy::Exact).describe();
        } catch (const Error&) {
            out += plans::compilePlan(op, ctx, b, PaddingPolicy::Pad).describe();
        }
    }
    return out;
}

}  // namespace

OperatorViews operatorViews(const std::string& operatorText, const std::string& bindings) {
    OperatorViews v;
    v.text = operatorText;
    try {
        Operator op = parseOperator(operatorText);
        v.loops = printForwardLoops(op);
        try {
            v.svg = renderSvg(operatorDot(op));
        } catch (const Error& e) {
            v.error = e.message();
        }
        try {
            v.plan = planText(op, bindings);
        } catch (const Error& e) {
            v.plan = fmt::format("no plan: {}\n", e.message());
        }
    } catch (const Error& e) {
        v.error = fmt::format("the recorded operator does not parse: {}", e.message());
    }
    return v;
}

const OperatorViews& OperatorViewCache::get(const std::string& canonicalId, const std::string& operatorText,
                                            const std::string& bindings) {
    std::lock_guard lock(mutex_);
    auto it = views_.find(canonicalId);
    if (it == views_.end()) it = views_.emplace(canonicalId, operatorViews(operatorText, bindings)).first;
    return it->second;
}

}  // namespace syno::report
