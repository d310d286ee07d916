#include "export/BatchVariants.h"

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::exports {

namespace {

SizeContext withBatch(const SizeContext& ctx, int binding, const std::string& batchVariable, int64_t batch) {
    if (binding < 0 || binding >= ctx.bindingCount())
        throw Error(fmt::format("binding {} does not exist ({} given)", binding + 1, ctx.bindingCount()));
    Binding b = ctx.bindings()[static_cast<size_t>(binding)];
    if (auto var = ctx.vars().find(batchVariable)) b.values[static_cast<size_t>(*var)] = batch;
    else if (batch != 1) throw Error(fmt::format("the operator has no batch variable {}", batchVariable));
    return ctx.withBindings({b});
}

std::vector<SymInt> constants(const std::vector<int64_t>& v) {
    std::vector<SymInt> out;
    for (int64_t x : v) out.push_back({x, 0});
    return out;
}

BatchVariant constantVariant(plans::Plan plan, int64_t batch) {
    BatchVariant v;
    v.batch = batch;
    for (const auto& o : plan.ops)
        v.ops.push_back({o, constants(o.shape), constants(o.ints), constants(o.ints2), {o.axis, 0}, {o.amount, 0},
                         {o.extent, 0}});
    v.inputShape = constants(plan.inputShape);
    v.outputShape = constants(plan.outputShape);
    v.plan = std::move(plan);
    return v;
}

// c * N^e through every probe's value, or nullopt.
std::optional<SymInt> fit(const std::vector<int64_t>& values, const std::vector<int64_t>& probes) {
    bool same = true;
    for (int64_t v : values) same = same && v == values[0];
    if (same) return SymInt{values[0], 0};
    for (int power = 1; power <= 2; ++power) {
        std::optional<int64_t> coef;
        bool ok = true;
        for (size_t p = 0; p < values.size() && ok; ++p) {
            int64_t scale = 1;
            for (int k = 0; k < power; ++k) scale *= probes[p];
            if (values[p] % scale != 0) ok = false;
            else if (!coef) coef = values[p] / scale;
            else ok = *coef == values[p] / scale;
        }
        if (ok && coef) return SymInt{*coef, power};
    }
    return std::nullopt;
}

// Fits one field over the probes' ops; `get` reads it from an op. Sets *why and returns false on failure.
template <class Get>
bool fitVector(const std::vector<plans::Plan>& plans, const std::vector<int64_t>& probes, size_t i, Get get,
               std::vector<SymInt>& out, const char* name, std::string* why) {
    const size_t n = get(plans[0].ops[i]).size();
    for (const auto& p : plans)
        if (get(p.ops[i]).size() != n) {
            *why = fmt::format("op {} ({}) has {} of another length at another batch", i + 1,
                               plans::opKindName(plans[0].ops[i].kind), name);
            return false;
        }
    for (size_t k = 0; k < n; ++k) {
        std::vector<int64_t> values;
        for (const auto& p : plans) values.push_back(get(p.ops[i])[k]);
        auto s = fit(values, probes);
        if (!s) {
            *why = fmt::format("op {} ({}): {} entry {} is {} at batches {}, not c * N^e", i + 1,
                               plans::opKindName(plans[0].ops[i].kind), name, k + 1, plans::listText(values),
                               plans::listText(probes));
            return false;
        }
        out.push_back(*s);
    }
    return true;
}

}  // namespace

int64_t SymInt::at(int64_t n) const {
    int64_t v = coef;
    for (int k = 0; k < power; ++k) v *= n;
    return v;
}

BatchVariant fixedVariant(const Operator& op, const SizeContext& ctx, int binding, const std::string& batchVariable,
                          int64_t batch, const plans::PlanOptions& options) {
    if (batch < 1) throw Error(fmt::format("a batch size must be at least 1, not {}", batch));
    const SizeContext one = withBatch(ctx, binding, batchVariable, batch);
    return constantVariant(plans::compilePlan(op, one, 0, PaddingPolicy::Exact, options), batch);
}

namespace {

// The general variant fitted on one set of probe batches.
std::optional<BatchVariant> fitAt(const Operator& op, const SizeContext& ctx, int binding,
                                  const std::string& batchVariable, const plans::PlanOptions& options,
                                  const std::vector<int64_t>& probes, std::string* why) {
    std::vector<plans::Plan> plans;
    for (int64_t n : probes)
        plans.push_back(plans::compilePlan(op, withBatch(ctx, binding, batchVariable, n), 0, PaddingPolicy::Exact, options));
    const plans::Plan& first = plans[0];
    for (const auto& p : plans) {
        if (p.ops.size() != first.ops.size() || p.weightShapes != first.weightShapes || p.resultSlot != first.resultSlot) {
            *why = "the plan's ops differ between batch sizes";
            return std::nullopt;
        }
        for (size_t i = 0; i < p.ops.size(); ++i) {
            const auto &a = p.ops[i], &b = first.ops[i];
            if (a.kind != b.kind || a.dst != b.dst || a.a != b.a || a.b != b.b || a.equation != b.equation ||
                a.weightOnly != b.weightOnly || a.scale != b.scale) {
                *why = fmt::format("op {} differs between batch sizes", i + 1);
                return std::nullopt;
            }
        }
    }
    BatchVariant v;
    v.batch = 0;
    for (size_t i = 0; i < first.ops.size(); ++i) {
        SymOp s{first.ops[i], {}, {}, {}, {}, {}, {}};
        if (!fitVector(plans, probes, i, [](const plans::PlanOp& o) -> const std::vector<int64_t>& { return o.shape; }, s.shape,
                       "shape", why) ||
            !fitVector(plans, probes, i, [](const plans::PlanOp& o) -> const std::vector<int64_t>& { return o.ints; }, s.ints,
                       "ints", why) ||
            !fitVector(plans, probes, i, [](const plans::PlanOp& o) -> const std::vector<int64_t>& { return o.ints2; }, s.ints2,
                       "ints2", why))
            return std::nullopt;
        std::vector<SymInt> scalars;
        if (!fitVector(plans, probes, i, [](const plans::PlanOp& o) { return std::vector<int64_t>{o.axis, o.amount, o.extent}; },
                       scalars, "a scalar", why))
            return std::nullopt;
        s.axis = scalars[0];
        s.amount = scalars[1];
        s.extent = scalars[2];
        v.ops.push_back(std::move(s));
    }
    // The input and output shapes, fitted the same way.
    auto fitShape = [&](auto get, std::vector<SymInt>& out) {
        for (size_t k = 0; k < get(first).size(); ++k) {
            std::vector<int64_t> values;
            for (const auto& p : plans) values.push_back(get(p)[k]);
            auto s = fit(values, probes);
            if (!s) return false;
            out.push_back(*s);
        }
        return true;
    };
    if (!fitShape([](const plans::Plan& p) -> const std::vector<int64_t>& { return p.inputShape; }, v.inputShape) ||
        !fitShape([](const plans::Plan& p) -> const std::vector<int64_t>& { return p.outputShape; }, v.outputShape)) {
        *why = "the input or output shape is not c * N^e";
        return std::nullopt;
    }
    v.plan = first;
    return v;
}

}  // namespace

std::optional<BatchVariant> generalVariant(const Operator& op, const SizeContext& ctx, int binding,
                                           const std::string& batchVariable, const plans::PlanOptions& options,
                                           std::string* why) {
    if (!ctx.vars().find(batchVariable)) {
        *why = fmt::format("the operator has no batch variable {}", batchVariable);
        return std::nullopt;
    }
    std::string first;
    for (const auto& probes : kProbeBatches) {
        std::string reason;
        if (auto v = fitAt(op, ctx, binding, batchVariable, options, probes, &reason)) return v;
        if (first.empty()) first = fmt::format("at batches {}: {}", plans::listText(probes), reason);
    }
    *why = first;
    return std::nullopt;
}

}  // namespace syno::exports
