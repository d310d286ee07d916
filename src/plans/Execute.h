#pragma once
// Running execution plans on libtorch, through a torch-free interface (tests, the CLI and benchmarks
// include this; only src/plans/*.cpp include torch). PlanModule.h has the torch::nn::Module.
#include <string>
#include <vector>

#include "plans/Plan.h"
#include "semantics/Tensor.h"

namespace syno::plans {

enum class Precision { Float32, Float64 };

struct PlanRun {
    Tensor output;
    Tensor gradInput;                 // empty unless a gradient was requested
    std::vector<Tensor> gradWeights;
};

// Runs the plan on copies of the tensors (shapes plan.inputShape / plan.weightShapes). With gradOutput,
// back-propagates it through autograd and returns every gradient. Throws syno::Error on a wrong shape
// or a NaN/inf in the input, the weights or the output gradient.
PlanRun runPlan(const Plan& plan, const Tensor& input, const std::vector<Tensor>& weights,
                const Tensor* gradOutput = nullptr, Precision precision = Precision::Float32);

struct LatencyOptions {
    int runs = 20;           // timed runs (median reported), at least 1
    int warmup = 3;
    int threads = 0;         // libtorch intra-op threads (0: leave as is)
    bool training = false;   // time forward + backward instead of inference under NoGradGuard
    bool einsumToo = false;  // also time the einsum lowering of the same operator
    int64_t kernel = 3;      // the replaced conv2d's kernel
};

struct Latency {
    std::string baseline;         // e.g. "torch::conv2d 3x3 64->64 @56x56"
    double planMs = 0, baselineMs = 0, einsumMs = 0;
    double ratio = 0;             // baselineMs / planMs (> 1: the plan is faster)
    double einsumRatio = 0;       // baselineMs / einsumMs
    double planFlops = 0, baselineFlops = 0;
    int runs = 0;
    std::string describe() const;
};

// Median latency of one operator's plan at a binding, with the layer it replaces (torch::conv2d for
// [N, C, H, W] -> [N, C', H', W'], torch::linear for [N, C] -> [N, C']) timed in the same run, runs
// interleaved so that noise hits both alike.
Latency probeLatency(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy,
                     const LatencyOptions& options = {});

void setThreads(int threads);
int threads();

}  // namespace syno::plans
