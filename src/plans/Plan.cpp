// compilePlan: the whole plan compiler in order. The Planner (Planner.h) lowers each stage of the
// operator's contraction order to a kernel and lays out the output; then passes over the op list fuse
// rolls (FuseRolls.h), merge reshapes (MergeReshapes.h), mark the ops on weights alone (HoistWeights.h),
// fuse the weight side of a product of two weights into one op (FuseWeightProducts.h) and the remaining
// runs of index ops on the weights into one gather each (FuseIndexMaps.h), unless the options keep them.
// compilePlanObserved (CompileSteps.h) shows the plan after each step.
#include "plans/Plan.h"

#include <fmt/format.h>

#include "base/Error.h"
#include "plans/CompileSteps.h"
#include "plans/FuseIndexMaps.h"
#include "plans/FuseRolls.h"
#include "plans/FuseWeightProducts.h"
#include "plans/HoistWeights.h"
#include "plans/MergeReshapes.h"
#include "plans/Planner.h"

namespace syno::plans {

Plan compilePlanObserved(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy,
                         const PlanOptions& options, const StepObserver& observe) {
    if (binding < 0 || binding >= ctx.bindingCount())
        throw Error(fmt::format("binding {} does not exist ({} given)", binding + 1, ctx.bindingCount()));
    // The planner multiplies sizes in 64 bits: every tensor's element count must fit first (eval throws).
    for (auto shape : {op.inputShape(), op.outputShape()}) {
        Size numel;
        for (const Size& s : shape) numel = numel * s;
        ctx.eval(numel, binding);
    }
    for (size_t w = 0; w < op.weights().size(); ++w) {
        Size numel;
        for (const Size& s : op.weightShape(static_cast<int>(w))) numel = numel * s;
        ctx.eval(numel, binding);
    }
    auto step = [&](const char* name, Plan& plan, void (*pass)(Plan&)) {
        if (pass) pass(plan);
        if (observe) observe(name, plan);
    };
    planner::Planner p(op, ctx, binding, policy, options);
    Plan plan = p.run();
    step("lower stages", plan, nullptr);
    step("fuse rolls", plan, fuseRolls);
    step("merge reshapes", plan, mergeReshapes);
    step("mark weight-only ops", plan, markWeightOnly);
    if (options.fuseWeightOps) {
        step("fuse weight products", plan, fuseWeightProducts);
        step("fuse index maps", plan, fuseIndexMaps);
    }
    return plan;
}

Plan compilePlan(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy,
                 const PlanOptions& options) {
    return compilePlanObserved(op, ctx, binding, policy, options, {});
}

std::shared_ptr<const Plan> PlanCache::get(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy,
                                           const PlanOptions& options) {
    if (binding < 0 || binding >= ctx.bindingCount())
        throw Error(fmt::format("binding {} does not exist ({} given)", binding + 1, ctx.bindingCount()));
    Key key{op.id(), ctx.bindings()[static_cast<size_t>(binding)].values, static_cast<int>(policy), options.einsumOnly,
            options.inference, options.fuseWeightOps};
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = plans_.find(key);
        if (it != plans_.end()) return it->second;
    }
    auto plan = std::make_shared<const Plan>(compilePlan(op, ctx, binding, policy, options));
    std::lock_guard<std::mutex> lock(mutex_);
    return plans_.emplace(key, plan).first->second;
}

size_t PlanCache::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return plans_.size();
}

}  // namespace syno::plans
