#pragma once
// A torch::nn::Module that runs an operator through its execution plan, for training (autograd) and
// inference. The one header of syno that includes torch: include it only from code that needs torch
// anyway (each such translation unit takes ~15 s to compile).
#include <memory>
#include <string>

#include <torch/torch.h>

#include "plans/Plan.h"

namespace syno::plans {

// Runs the ops of a plan on torch tensors (any floating dtype; autograd records them as usual).
// The input has plan.inputShape, weights plan.weightShapes.
torch::Tensor executePlan(const Plan& plan, const torch::Tensor& input, const std::vector<torch::Tensor>& weights);
// The same in a given memory layout for the 2-D convolutions (Auto: chooseLayout for the plan, training
// when autograd is recording). The values are the same; the result may come back channels-last.
torch::Tensor executePlan(const Plan& plan, const torch::Tensor& input, const std::vector<torch::Tensor>& weights,
                          Layout layout);

struct ModuleOptions {
    PaddingPolicy policy = PaddingPolicy::Exact;
    std::string batchVariable = "N";  // a different leading input size rebinds this variable (plans are cached)
    bool checkFinite = false;         // throw syno::Error on NaN/inf in the input or weights (costs a pass)
    uint64_t seed = 1;                // weight initialisation
    Layout layout = Layout::Auto;     // of the 2-D convolutions; Auto: chooseLayout (inference and training differ)
};

class PlanModuleImpl : public torch::nn::Module {
public:
    // Weights are registered as parameters "w1", "w2", ... with fan-in initialisation (normal, std from
    // the plan) so that unit-scale inputs give unit-scale outputs.
    PlanModuleImpl(const Operator& op, const SizeContext& ctx, int binding, ModuleOptions options = {});

    torch::Tensor forward(const torch::Tensor& x);

    const Plan& plan() const { return *plan_; }   // the plan of the last forward (or of the binding)
    double flops() const { return plan_->flops; }
    int64_t parameterCount() const;
    std::vector<torch::Tensor> weights() const { return weights_; }

private:
    std::shared_ptr<const Plan> planFor(const torch::Tensor& x);

    Operator op_;
    SizeContext ctx_;
    int binding_;
    ModuleOptions options_;
    PlanCache plans_;  // one per batch size met
    std::shared_ptr<const Plan> plan_;
    std::vector<torch::Tensor> weights_;
};
TORCH_MODULE(PlanModule);

}  // namespace syno::plans
