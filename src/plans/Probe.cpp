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

}  // namespace

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
    auto planCall = [&] { return executePlan(*plan, x, ws); };
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
