// The latency probe: an operator's plan against the layer it replaces, timed in the same run.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <numeric>
#include <random>

#include <fmt/format.h>

#include "base/Error.h"
#include "plans/Execute.h"
#include "plans/PlanMemory.h"
#include "plans/PlanModule.h"

namespace syno::plans {

std::string Latency::describe() const {
    std::string out = fmt::format("plan {:.3f} ms, {} {:.3f} ms, ratio {:.2f}x", planMs, baseline, baselineMs, ratio);
    if (einsumMs > 0) out += fmt::format("; einsum lowering {:.3f} ms ({:.2f}x)", einsumMs, einsumRatio);
    out += fmt::format(" (median of {}; plan {:.3g} FLOPs, {:.3g} GFLOP/s; baseline {:.3g} FLOPs)", runs, planFlops,
                       planMs > 0 ? planFlops / planMs / 1e6 : 0.0, baselineFlops);
    return out;
}

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

double msSince(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// `call` runs once, filling each op's ms, and returns {whole call ms, backward ms}; runs + 1 times, the
// first a warm-up. The medians of each.
OpProfile medianProfile(size_t ops, int runs, const std::function<std::pair<double, double>(std::vector<double>&)>& call) {
    std::vector<std::vector<double>> perOp(ops);
    std::vector<double> calls, backward, ms;
    for (int r = 0; r < runs + 1; ++r) {
        const auto [callMs, backwardMs] = call(ms);
        if (r == 0) continue;
        calls.push_back(callMs);
        backward.push_back(backwardMs);
        for (size_t i = 0; i < ms.size(); ++i) perOp[i].push_back(ms[i]);
    }
    OpProfile out;
    for (auto& v : perOp) out.opMs.push_back(median(v));
    out.callMs = median(calls);
    out.backwardMs = median(backward);
    return out;
}

// One timed call: inference under NoGradGuard, or forward + backward.
double timeOnce(const std::function<torch::Tensor()>& f, const std::vector<torch::Tensor>& leaves, bool training,
                const torch::Tensor& grad) {
    auto start = std::chrono::steady_clock::now();
    if (training) {
        for (auto t : leaves) t.mutable_grad().reset();
        torch::Tensor y = f();
        y.backward(grad);
    } else {
        torch::NoGradGuard noGrad;
        torch::Tensor y = f();
        (void)y;
    }
    return msSince(start);
}

// The layer a plan replaces, with its own random input and weight: torch::conv2d for
// [N, C, H, W] -> [N, C', H', W'], torch::linear for [N, C] -> [N, C']; empty `call` otherwise.
struct Baseline {
    std::function<torch::Tensor()> call;
    torch::Tensor x, w, grad;
    std::string text;
    double flops = 0;
};

Baseline makeBaseline(const Plan& plan, int64_t k, bool training, bool channelsLast) {
    Baseline b;
    const auto& in = plan.inputShape;
    const auto& out = plan.outputShape;
    if (in.size() == 4 && out.size() == 4 && in[0] == out[0]) {
        const int64_t stride = out[2] > 0 && in[2] % out[2] == 0 ? in[2] / out[2] : 1;
        const auto format = channelsLast ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
        b.x = torch::randn(in).contiguous(format).set_requires_grad(training);
        b.w = (torch::randn({out[1], in[1], k, k}) / std::sqrt(static_cast<double>(in[1] * k * k)))
                  .contiguous(format)
                  .set_requires_grad(training);
        torch::Tensor x = b.x, w = b.w;
        b.call = [=] { return torch::conv2d(x, w, {}, stride, k / 2); };
        b.text = fmt::format("torch::conv2d {}x{} {}->{} @{}x{}", k, k, in[1], out[1], in[2], in[3]);
        b.flops = 2.0 * static_cast<double>(out[0] * out[1] * out[2] * out[3] * in[1] * k * k);
    } else if (in.size() == 2 && out.size() == 2 && in[0] == out[0]) {
        b.x = torch::randn(in).set_requires_grad(training);
        b.w = torch::randn({out[1], in[1]}).set_requires_grad(training);
        torch::Tensor x = b.x, w = b.w;
        b.call = [=] { return torch::linear(x, w); };
        b.text = fmt::format("torch::linear {}->{}", in[1], out[1]);
        b.flops = 2.0 * static_cast<double>(in[0] * in[1] * out[1]);
    }
    if (b.call) {
        torch::NoGradGuard noGrad;
        b.grad = torch::randn_like(b.call());
    }
    return b;
}

// One plan's inputs for timing: random input and fan-in scaled weights.
// Inference times the deployed form: weight-only ops prepared once, outside the timed calls.
struct PlanInputs {
    torch::Tensor x, grad;
    std::vector<torch::Tensor> ws, leaves;
    PreparedWeights prepared;
};

PlanInputs makeInputs(const Plan& plan, bool training, Layout layout) {
    PlanInputs p;
    p.x = torch::randn(plan.inputShape).set_requires_grad(training);
    for (size_t w = 0; w < plan.weightShapes.size(); ++w)
        p.ws.push_back((torch::randn(plan.weightShapes[w]) * plan.initStd[w]).set_requires_grad(training));
    p.grad = torch::randn(plan.outputShape);
    p.leaves = p.ws;
    p.leaves.push_back(p.x);
    if (!training) p.prepared = prepareWeights(plan, p.ws, layout);
    return p;
}

// One timed call of a plan (the inputs must outlive it).
std::function<torch::Tensor()> planCall(const Plan& plan, const PlanInputs& in, Layout layout, bool training) {
    const Plan* p = &plan;
    const PlanInputs* i = &in;
    if (training) return [p, i, layout] { return executePlan(*p, i->x, i->ws, layout); };
    return [p, i, layout] { return executePlan(*p, i->x, i->prepared, layout); };
}

}  // namespace

CellTiming timeCell(const std::vector<const Plan*>& plans, const CellOptions& options) {
    if (plans.empty()) throw Error("timeCell needs at least one plan");
    for (const Plan* p : plans)
        if (p->inputShape != plans[0]->inputShape || p->outputShape != plans[0]->outputShape)
            throw Error("timeCell: the plans of one cell must share their input and output shapes");
    for (const Plan* p : plans) requireMemory(*p, options.training ? 3 : 2);
    setThreads(options.threads);
    torch::manual_seed(7);
    const bool training = options.training;
    Baseline base = makeBaseline(*plans[0], options.kernel, training, false);
    if (!base.call) throw Error("timeCell: no baseline layer for these shapes");
    Baseline baseCl;
    if (options.baselineChannelsLast) baseCl = makeBaseline(*plans[0], options.kernel, training, true);
    std::vector<PlanInputs> inputs;
    std::vector<std::function<torch::Tensor()>> calls;
    inputs.reserve(plans.size());  // the calls keep pointers into it
    for (size_t i = 0; i < plans.size(); ++i) {
        Layout layout = i < options.layouts.size() ? options.layouts[i] : Layout::Auto;
        inputs.push_back(makeInputs(*plans[i], training, layout));
        calls.push_back(planCall(*plans[i], inputs.back(), layout, training));
    }
    // Untimed rounds first; the first one (cold) only warms, the later ones estimate a round's time.
    const size_t n = plans.size();
    std::vector<std::vector<double>> times(n);
    std::vector<double> tb, tbc;
    CellTiming out;
    // Items: 0 the baseline, 1 the NHWC baseline (if asked), then the plans. Each round runs them in a new
    // order drawn from a fixed seed, never starting with the item that ended the round before: a kernel
    // right after one of the same shape finds its weights and oneDNN state in cache (~20% at 512@7), so
    // a fixed order would favour whichever plan follows the baseline.
    const size_t first = baseCl.call ? 2 : 1, items = first + n;
    std::mt19937 shuffler(12345);
    std::vector<size_t> order(items);
    std::iota(order.begin(), order.end(), size_t{0});
    auto round = [&](int, bool keep) {
        const size_t previousLast = order.back();
        std::shuffle(order.begin(), order.end(), shuffler);
        if (items > 1 && order.front() == previousLast) std::swap(order.front(), order.back());
        double total = 0;
        for (size_t item : order) {
            double t = 0;
            if (item == 0) {
                t = timeOnce(base.call, {base.x, base.w}, training, base.grad);
                if (keep) tb.push_back(t);
            } else if (item < first) {
                t = timeOnce(baseCl.call, {baseCl.x, baseCl.w}, training, baseCl.grad);
                if (keep) tbc.push_back(t);
            } else {
                const size_t i = item - first;
                t = timeOnce(calls[i], inputs[i].leaves, training, inputs[i].grad);
                if (keep) times[i].push_back(t);
            }
            total += t;
        }
        return total;
    };
    double estimate = 0;
    const int warmup = std::max(1, options.warmup);
    for (int r = 0; r < warmup; ++r) estimate = round(r, false);
    int runs = std::max(1, options.runs);
    if (options.budgetSeconds > 0 && estimate > 0) {
        int affordable = static_cast<int>(options.budgetSeconds * 1000.0 / estimate);
        if (affordable < runs) {
            runs = std::max({1, options.minRuns, affordable});
            out.budgetCut = runs < options.runs;
        }
    }
    for (int r = 0; r < runs; ++r) round(warmup + r, true);
    out.baseline = base.text;
    out.baselineFlops = base.flops;
    out.baselineMs = median(tb);
    out.baselineChannelsLastMs = median(tbc);
    for (auto& t : times) out.planMs.push_back(median(t));
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor x = base.x.detach();
        std::vector<double> tc;
        for (int r = 0; r < warmup + runs; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            torch::Tensor copy = x.clone();
            const double ms = msSince(t0);
            if (r >= warmup) tc.push_back(ms);
        }
        out.copyMs = median(tc);
    }
    out.runs = runs;
    return out;
}

OpProfile profileOps(const Plan& plan, const torch::Tensor& input, const PreparedWeights& prepared, Layout layout,
                     int runs) {
    torch::NoGradGuard noGrad;
    return medianProfile(plan.ops.size(), runs, [&](std::vector<double>& ms) {
        const auto started = std::chrono::steady_clock::now();
        executePlan(plan, input, prepared, layout, &ms);
        return std::pair{msSince(started), 0.0};
    });
}

OpProfile profileTrainingOps(const Plan& plan, const torch::Tensor& input, const std::vector<torch::Tensor>& weights,
                             const torch::Tensor& grad, Layout layout, int runs) {
    return medianProfile(plan.ops.size(), runs, [&](std::vector<double>& ms) {
        input.mutable_grad().reset();
        for (auto w : weights) w.mutable_grad().reset();
        const auto started = std::chrono::steady_clock::now();
        torch::Tensor y = executePlan(plan, input, weights, layout, &ms);
        const auto forwardDone = std::chrono::steady_clock::now();
        y.backward(grad);
        return std::pair{msSince(started), msSince(forwardDone)};
    });
}

Latency probeLatency(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy,
                     const LatencyOptions& options) {
    if (options.runs < 1) throw Error("the latency probe needs at least one run");
    setThreads(options.threads);
    auto plan = std::make_shared<const Plan>(compilePlan(op, ctx, binding, policy, PlanOptions{false, !options.training}));
    std::shared_ptr<const Plan> einsumPlan;
    if (options.einsumToo) einsumPlan = std::make_shared<const Plan>(compilePlan(op, ctx, binding, policy, PlanOptions{true}));
    // Before any allocation: the plan, its gradients when training, and the baseline's tensors.
    requireMemory(*plan, options.training ? 3 : 2);
    const bool training = options.training;
    const PlanInputs in = makeInputs(*plan, training, options.layout);
    PlanInputs einsumIn;
    if (einsumPlan) einsumIn = makeInputs(*einsumPlan, training, Layout::Contiguous);
    const Baseline base = makeBaseline(*plan, options.kernel, training, false);

    Latency lat;
    lat.planFlops = training ? plan->flops : plan->inferenceFlops;
    lat.baseline = base.call ? base.text : "no baseline layer";
    lat.baselineFlops = base.flops;
    auto call = planCall(*plan, in, options.layout, training);
    std::function<torch::Tensor()> einsumCall;
    if (einsumPlan) einsumCall = planCall(*einsumPlan, einsumIn, Layout::Contiguous, training);
    std::vector<double> tp, tb, te;
    for (int i = 0; i < options.warmup + options.runs; ++i) {
        // Alternate which of the two goes first, so that cache effects hit both alike.
        double p = 0, b = 0;
        auto timeBase = [&] { return base.call ? timeOnce(base.call, {base.x, base.w}, training, base.grad) : 0.0; };
        if (i % 2 == 0) {
            p = timeOnce(call, in.leaves, training, in.grad);
            b = timeBase();
        } else {
            b = timeBase();
            p = timeOnce(call, in.leaves, training, in.grad);
        }
        if (i >= options.warmup) {
            tp.push_back(p);
            tb.push_back(b);
        }
    }
    // The einsum lowering afterwards, not in the same loop: its unfold buffers slow whatever runs next
    // (Operator 2 at 64@56, batch 1: 0.42 ms alone with the conv, 0.75 ms with einsum calls in between).
    for (int i = 0; einsumCall && i < options.warmup + options.runs; ++i) {
        double e = timeOnce(einsumCall, einsumIn.leaves, training, einsumIn.grad);
        if (i >= options.warmup) te.push_back(e);
    }
    lat.runs = options.runs;
    lat.planMs = median(tp);
    lat.baselineMs = median(tb);
    lat.einsumMs = median(te);
    if (options.profile)
        lat.profile = training ? profileTrainingOps(*plan, in.x, in.ws, in.grad, options.layout, options.runs)
                               : profileOps(*plan, in.x, in.prepared, options.layout, options.runs);
    lat.ratio = lat.planMs > 0 && base.call ? lat.baselineMs / lat.planMs : 0;
    lat.einsumRatio = lat.einsumMs > 0 && base.call ? lat.baselineMs / lat.einsumMs : 0;
    return lat;
}

}  // namespace syno::plans
