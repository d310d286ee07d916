#pragma once
// A torch::nn::Module that runs an operator through its execution plan, for training (autograd) and
// inference. Includes torch (as does evaluation/Models.h): include it only from code that needs torch
// anyway (each such translation unit takes ~15 s to compile).
#include <memory>
#include <string>

#include <torch/torch.h>

#include "plans/Execute.h"
#include "plans/Plan.h"

namespace syno::plans {

// Runs the ops of a plan on torch tensors (any floating dtype; autograd records them as usual).
// The input has plan.inputShape, weights plan.weightShapes.
torch::Tensor executePlan(const Plan& plan, const torch::Tensor& input, const std::vector<torch::Tensor>& weights);
// The same in a given memory layout for the 2-D convolutions (Auto: chooseLayout for the plan, training
// when autograd is recording). The values are the same; the result may come back channels-last.
// opMs, when given, receives each op's wall time in ms.
torch::Tensor executePlan(const Plan& plan, const torch::Tensor& input, const std::vector<torch::Tensor>& weights,
                          Layout layout, std::vector<double>* opMs = nullptr);

// For inference: the values a plan's ops read from its weight-only ops (PlanOp::weightOnly), computed
// once for one version of the weights. A deployed layer's weights do not change between calls, so the
// tiling, rolls and weight-weight contractions some operators need need not be redone on every call.
struct PreparedWeights {
    const Plan* plan = nullptr;
    std::vector<torch::Tensor> a, b;       // per op: its operands when they come from the weights alone
    std::vector<torch::Tensor> index;      // per op: a FoldWindow's row index, when it runs per call
    std::vector<const void*> data;         // the weights they were computed from (storage and version)
    std::vector<int64_t> versions;
    // Whether these were prepared for this plan from these weights, unchanged since (in-place updates,
    // such as an optimizer step or loading a state dict, bump a tensor's version).
    bool matches(const Plan& plan, const std::vector<torch::Tensor>& weights) const;
};
// Runs the plan's weight-only ops under NoGradGuard. The plan must outlive the result.
PreparedWeights prepareWeights(const Plan& plan, const std::vector<torch::Tensor>& weights, Layout layout = Layout::Auto);
// Runs the rest of the plan for one input; the same values as executePlan with the weights. opMs, when
// given, receives each op's wall time in ms (0 for the weight-only ops, which `prepared` already holds).
torch::Tensor executePlan(const Plan& plan, const torch::Tensor& input, const PreparedWeights& prepared,
                          Layout layout = Layout::Auto, std::vector<double>* opMs = nullptr);
// The same run, `runs` times back to back after one warm-up, timing every op: per op, the median wall time
// in ms (0 for the weight-only ops, which the prepared weights already hold), and the median call. Where an
// inference call spends its time; back to back, caches stay warm, so calls run faster than when timed
// interleaved with other layers (the latency probe).
OpProfile profileOps(const Plan& plan, const torch::Tensor& input, const PreparedWeights& prepared, Layout layout,
                     int runs);
// The same for training steps: every op of the forward pass under autograd (weight-only ops included: the
// weights change every step), then the backward pass from `grad` as one figure.
OpProfile profileTrainingOps(const Plan& plan, const torch::Tensor& input, const std::vector<torch::Tensor>& weights,
                             const torch::Tensor& grad, Layout layout, int runs);

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

    // With autograd recording, runs the whole training plan; without (inference), runs the inference
    // plan. In evaluation mode (eval()) the weight-only stages run once and are kept until the weights
    // change: another weight tensor, an in-place write that bumps its version, or any forward in training
    // mode or with autograd (C++ optimizers update weights without bumping versions).
    torch::Tensor forward(const torch::Tensor& x);

    const Plan& plan() const { return *plan_; }   // the plan of the last forward (or the binding's training plan)
    double flops() const { return plan_->flops; }  // of that plan, all stages
    int64_t parameterCount() const;
    std::vector<torch::Tensor> weights() const { return weights_; }

private:
    // The plan for this input's batch size: ordered for inference without autograd, for training with it.
    std::shared_ptr<const Plan> planFor(const torch::Tensor& x, bool inference);

    Operator op_;
    SizeContext ctx_;
    int binding_;
    ModuleOptions options_;
    PlanCache plans_;  // one per batch size met
    std::shared_ptr<const Plan> plan_;
    std::vector<torch::Tensor> weights_;
    PreparedWeights prepared_;  // inference only
};
TORCH_MODULE(PlanModule);

}  // namespace syno::plans
