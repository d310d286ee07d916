#pragma once
// compilePlan's pipeline (Plan.cpp) with a look at the plan after each step: the planner's lowering, then
// every pass by name. `syno plan --dump-passes` prints them; a newcomer adding a pass sees its effect.
#include <functional>
#include <string>

#include "plans/Plan.h"

namespace syno::plans {

// Called after each step with its name ("lower stages", "fuse rolls", ...) and the plan so far.
using StepObserver = std::function<void(const std::string& step, const Plan& plan)>;

// compilePlan, calling `observe` after each step (the same plan results).
Plan compilePlanObserved(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy,
                         const PlanOptions& options, const StepObserver& observe);

}  // namespace syno::plans
