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
// back-propagates it through autograd and returns every gradient; without, runs it as inference does
// (weight-only ops once, through prepareWeights, then the rest). Throws syno::Error on a wrong shape
// or a NaN/inf in the input, the weights or the output gradient.
// layout: of the 2-D convolutions (the values do not depend on it).
PlanRun runPlan(const Plan& plan, const Tensor& input, const std::vector<Tensor>& weights,
                const Tensor* gradOutput = nullptr, Precision precision = Precision::Float32,
                Layout layout = Layout::Contiguous);

struct LatencyOptions {
    int runs = 20;           // timed runs (median reported), at least 1
    int warmup = 3;
    int threads = 0;         // libtorch intra-op threads (0: leave as is)
    bool training = false;   // time forward + backward instead of inference under NoGradGuard
    bool einsumToo = false;  // also time the einsum lowering of the same operator
    int64_t kernel = 3;      // the replaced conv2d's kernel
    Layout layout = Layout::Auto;  // the plan's layout (the baseline runs NCHW)
    bool profile = false;    // also time each op of the inference plan (Latency::opMs)
};

struct OpProfile {
    std::vector<double> opMs;  // per op of the plan, median ms (0: weight-only, prepared)
    double callMs = 0;         // median of whole calls, back to back
    double backwardMs = 0;     // training: median backward pass (callMs is then forward + backward)
};

struct Latency {
    std::string baseline;         // e.g. "torch::conv2d 3x3 64->64 @56x56"
    double planMs = 0, baselineMs = 0, einsumMs = 0;
    double ratio = 0;             // baselineMs / planMs (> 1: the plan is faster)
    double einsumRatio = 0;       // baselineMs / einsumMs
    double planFlops = 0, baselineFlops = 0;  // per call: Plan::inferenceFlops when not training
    int runs = 0;
    OpProfile profile;            // with LatencyOptions::profile
    std::string describe() const;
};

// Median latency of one operator's plan at a binding, with the layer it replaces (torch::conv2d for
// [N, C, H, W] -> [N, C', H', W'], torch::linear for [N, C] -> [N, C']) timed in the same run, runs
// interleaved so that noise hits both alike.
Latency probeLatency(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy,
                     const LatencyOptions& options = {});

// Several plans for one layer shape (the same input and output shapes) timed against the layer they
// replace, round-robin in one loop: each round times the baseline and every plan, starting one item
// further each round, so that noise and cache effects hit all alike. The bench uses this; the search
// calls probeLatency.
struct CellOptions {
    int runs = 20;              // most timed rounds (median reported)
    int minRuns = 3;            // fewest timed rounds, even over the budget
    int warmup = 1;             // untimed rounds; the first one also estimates a round's time
    double budgetSeconds = 0;   // per cell: fewer rounds when `runs` of them would take longer (0: no cap)
    int threads = 0;            // libtorch intra-op threads (0: leave as is)
    bool training = false;      // forward + backward instead of inference under NoGradGuard
    int64_t kernel = 3;         // the replaced conv2d's kernel
    bool baselineChannelsLast = false;  // also time the baseline conv2d on NHWC tensors
    std::vector<Layout> layouts;        // per plan (missing: Auto)
};

struct CellTiming {
    std::string baseline;
    double baselineMs = 0, baselineChannelsLastMs = 0, baselineFlops = 0;
    std::vector<double> planMs;  // per plan, median
    // Median time of one copy of the input (read it, write as much), timed after the rounds with the input
    // in cache: a floor for any operator, which must read its input and write its output at least once (a
    // training step about three times that). Optimistic when the output is larger than the input.
    double copyMs = 0;
    int runs = 0;                // timed rounds
    bool budgetCut = false;      // fewer than options.runs because of the budget
};

// Throws syno::Error when the plans' shapes differ or there is no baseline layer for them.
CellTiming timeCell(const std::vector<const Plan*>& plans, const CellOptions& options);

void setThreads(int threads);
int threads();

// Keeps freed memory in the process instead of handing it back to the kernel after every call. libtorch
// allocates and frees its large buffers (activations, oneDNN's reorders to blocked formats) on every
// call; with glibc's defaults each one can be fresh pages, and page faults then cost as much as the
// arithmetic (docs/plans.md, "Memory", has the figures). Process-wide: call once at the start of
// main(). The environment variable SYNO_SYSTEM_MALLOC=1 skips it, to measure the difference.
void retainFreedMemory();

}  // namespace syno::plans
