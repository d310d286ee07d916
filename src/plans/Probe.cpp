// The latency probe: an operator's plan against the layer it replaces, timed in the same run.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <functional>

#include <fmt/format.h>

#include "base/Error.h"
#include "plans/Execute.h"
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
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
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
struct PlanInputs {
    torch::Tensor x, grad;
    std::vector<torch::Tensor> ws, leaves;
};

PlanInputs makeInputs(const Plan& plan, bool training) {
    PlanInputs p;
    p.x = torch::randn(plan.inputShape).set_requires_grad(training);
    for (size_t w = 0; w < plan.weightShapes.size(); ++w)
        p.ws.push_back((torch::randn(plan.weightShapes[w]) * plan.initStd[w]).set_requires_grad(training));
    p.grad = torch::randn(plan.outputShape);
    p.leaves = p.ws;
    p.leaves.push_back(p.x);
    return p;
}

}  // namespace

CellTiming timeCell(const std::vector<const Plan*>& plans, const CellOptions& options) {
    if (plans.empty()) throw Error("timeCell needs at least one plan");
    for (const Plan* p : plans)
        if (p->inputShape != plans[0]->inputShape || p->outputShape != plans[0]->outputShape)
            throw Error("timeCell: the plans of one cell must share their input and output shapes");
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
        inputs.push_back(makeInputs(*plans[i], training));
        Layout layout = i < options.layouts.size() ? options.layouts[i] : Layout::Auto;
        const Plan* plan = plans[i];
        const PlanInputs* in = &inputs.back();
        calls.push_back([plan, in, layout] { return executePlan(*plan, in->x, in->ws, layout); });
    }
    // Untimed rounds first; the first one (cold) only warms, the later ones estimate a round's time.
    const size_t n = plans.size();
    std::vector<std::vector<double>> times(n);
    std::vector<double> tb, tbc;
    CellTiming out;
    // Items: 0 the baseline, 1 the NHWC baseline (if asked), then the plans. Round r runs them cyclically
    // from item r, so that no item ever runs twice in a row (a conv right after itself finds its weights
    // in cache: ~20% at 512@7) and each one's predecessor changes.
    const size_t first = baseCl.call ? 2 : 1, items = first + n;
    auto round = [&](int r, bool keep) {
        double total = 0;
        for (size_t k = 0; k < items; ++k) {
            const size_t item = (static_cast<size_t>(r) + k) % items;
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
    out.runs = runs;
    return out;
}

Latency probeLatency(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy,
                     const LatencyOptions& options) {
    if (options.runs < 1) throw Error("the latency probe needs at least one run");
    setThreads(options.threads);
    auto plan = std::make_shared<const Plan>(compilePlan(op, ctx, binding, policy));
    std::shared_ptr<const Plan> einsumPlan;
    if (options.einsumToo) einsumPlan = std::make_shared<const Plan>(compilePlan(op, ctx, binding, policy, PlanOptions{true}));
    torch::manual_seed(7);
    const bool training = options.training;
    torch::Tensor x = torch::randn(plan->inputShape).set_requires_grad(training);
    std::vector<torch::Tensor> ws;
    for (size_t w = 0; w < plan->weightShapes.size(); ++w)
        ws.push_back((torch::randn(plan->weightShapes[w]) * plan->initStd[w]).set_requires_grad(training));
    torch::Tensor grad = torch::randn(plan->outputShape);
    std::vector<torch::Tensor> leaves = ws;
    leaves.push_back(x);

    Latency lat;
    lat.planFlops = plan->flops;
    std::function<torch::Tensor()> base;
    torch::Tensor bx, bw;
    const auto& in = plan->inputShape;
    const auto& out = plan->outputShape;
    if (in.size() == 4 && out.size() == 4 && in[0] == out[0]) {
        const int64_t k = options.kernel, stride = out[2] > 0 && in[2] % out[2] == 0 ? in[2] / out[2] : 1;
        bx = torch::randn(in).set_requires_grad(training);
        bw = (torch::randn({out[1], in[1], k, k}) / std::sqrt(static_cast<double>(in[1] * k * k))).set_requires_grad(training);
        base = [=] { return torch::conv2d(bx, bw, {}, stride, k / 2); };
        lat.baseline = fmt::format("torch::conv2d {}x{} {}->{} @{}x{}", k, k, in[1], out[1], in[2], in[3]);
        lat.baselineFlops = 2.0 * static_cast<double>(out[0] * out[1] * out[2] * out[3] * in[1] * k * k);
    } else if (in.size() == 2 && out.size() == 2 && in[0] == out[0]) {
        bx = torch::randn(in).set_requires_grad(training);
        bw = torch::randn({out[1], in[1]}).set_requires_grad(training);
        base = [=] { return torch::linear(bx, bw); };
        lat.baseline = fmt::format("torch::linear {}->{}", in[1], out[1]);
        lat.baselineFlops = 2.0 * static_cast<double>(in[0] * in[1] * out[1]);
    }
    torch::Tensor baseGrad;
    if (base) {
        torch::NoGradGuard noGrad;
        baseGrad = torch::randn_like(base());
    }
    auto planCall = [&] { return executePlan(*plan, x, ws, options.layout); };
    auto einsumCall = [&] { return executePlan(*einsumPlan, x, ws); };
    std::vector<double> tp, tb, te;
    for (int i = 0; i < options.warmup + options.runs; ++i) {
        // Alternate which of the two goes first, so that cache effects hit both alike.
        double p = 0, b = 0;
        if (i % 2 == 0) {
            p = timeOnce(planCall, leaves, training, grad);
            b = base ? timeOnce(base, {bx, bw}, training, baseGrad) : 0;
        } else {
            b = base ? timeOnce(base, {bx, bw}, training, baseGrad) : 0;
            p = timeOnce(planCall, leaves, training, grad);
        }
        double e = einsumPlan ? timeOnce(einsumCall, leaves, training, grad) : 0;
        if (i >= options.warmup) {
            tp.push_back(p);
            tb.push_back(b);
            te.push_back(e);
        }
    }
    lat.runs = options.runs;
    lat.planMs = median(tp);
    lat.baselineMs = median(tb);
    lat.einsumMs = median(te);
    if (!base) lat.baseline = "no baseline layer";
    lat.ratio = lat.planMs > 0 && base ? lat.baselineMs / lat.planMs : 0;
    lat.einsumRatio = lat.einsumMs > 0 && base ? lat.baselineMs / lat.einsumMs : 0;
    return lat;
}

}  // namespace syno::plans
