#include "synthesis/Problem.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/Error.h"
#include "semantics/Stages.h"
#include "synthesis/Rules.h"
#include "synthesis/SizeCandidates.h"
#include "sizes/ParseContext.h"

namespace syno {

Problem Problem::make(SizeContext ctx, const std::string& input, const std::string& output, SynthesisOptions options,
                      const std::string& fixedName) {
    for (int r = 0; r < kRuleCount; ++r)
        if ((options.disabledRules & (1u << r)) && !isEquivalenceRule(static_cast<Rule>(r)))
            throw Error(fmt::format("rule {} cannot be disabled: it leaves operators out by design, not for an "
                                    "equivalent one", ruleName(static_cast<Rule>(r))));
    Problem p;
    p.input = parseShape(input, ctx.vars());
    p.output = parseShape(output, ctx.vars());
    for (const Shape* s : {&p.input, &p.output})
        for (const auto& d : *s)
            for (int b = 0; b < ctx.bindingCount(); ++b) {
                Ratio r = ctx.eval(d.size, b);
                if (!r.isInteger())
                    throw Error(fmt::format("shape size {} = {} is not an integer in binding {} ({})",
                                            d.size.toString(ctx.vars()), r.toString(), b + 1, ctx.describeBinding(b)));
            }
    if (!fixedName.empty() && !ctx.vars().find(fixedName)) {
        std::string declared;
        for (const auto& v : ctx.vars().all()) declared += (declared.empty() ? "" : ", ") + v.name;
        throw Error(fmt::format("--fixed {}: no such variable (declared: {})", fixedName.substr(0, 40), declared));
    }
    if (auto id = ctx.vars().find(fixedName)) {
        Size n = Size::variable(*id);
        int in = -1, out = -1;
        for (size_t i = 0; i < p.input.size(); ++i)
            if (p.input[i].size == n && in < 0) in = static_cast<int>(i);
        for (size_t i = 0; i < p.output.size(); ++i)
            if (p.output[i].size == n && out < 0) out = static_cast<int>(i);
        if (in >= 0 && out >= 0) p.fixed.push_back({out, in});
    }
    if (options.depth < 1 || options.depth > 40) throw Error(fmt::format("depth {} is outside 1..40", options.depth));
    if (options.maxWeights < 0 || options.maxWeights > 3)
        throw Error(fmt::format("{} weights requested; 0 to 3 are supported", options.maxWeights));
    p.options = options;
    p.ctx = std::move(ctx);
    p.candidates = candidateSizes(p);
    return p;
}

std::vector<Size> Problem::freeInputSizes() const {
    std::vector<Size> out;
    for (size_t i = 0; i < input.size(); ++i) {
        bool isFixed = false;
        for (const auto& f : fixed) isFixed |= f.inputPos == static_cast<int>(i);
        if (!isFixed) out.push_back(input[i].size);
    }
    return out;
}

bool Problem::isFixedOutput(int pos) const {
    for (const auto& f : fixed)
        if (f.outputPos == pos) return true;
    return false;
}

double denseConvFlops(const Problem& problem, int kernel) {
    if (problem.input.size() < 3) return 0;
    const SizeContext& ctx = problem.ctx;
    double total = 0;
    for (int b = 0; b < ctx.bindingCount(); ++b) {
        double points = 2 * ctx.eval(problem.input[1].size, b).toDouble();
        for (const auto& d : problem.output) points *= ctx.eval(d.size, b).toDouble();
        for (size_t i = 2; i < problem.input.size(); ++i) points *= kernel;
        total += points;
    }
    return total;
}

SynthesisOptions withFlopsWindow(SynthesisOptions options, double reference, double minRatio, double maxRatio) {
    if (maxRatio > 0) options.maxFlops = std::min(options.maxFlops, maxRatio * reference);
    if (minRatio > 0) options.minFlops = std::max(options.minFlops, minRatio * reference);
    return options;
}

double operatorFlops(const Operator& op, const SizeContext& padded, const SynthesisOptions& options) {
    return options.stageEachBinding ? stagedFlopsPerBinding(op, padded) : planStages(op, padded).flops;
}

Problem smallConvProblem(int depth) {
    SynthesisOptions options;
    options.depth = depth;
    return Problem::make(parseContext(kSmallConvSpace.primaries, kSmallConvSpace.coefficients), kSmallConvSpace.input,
                         kSmallConvSpace.output, options);
}

}  // namespace syno
