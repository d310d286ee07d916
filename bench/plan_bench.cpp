// Execution plans against torch::conv2d, measured in the same run (not a test: prints figures).
//
// For each layer size (ResNet-18: 64@56, 128@28, 256@14, 512@7; small ResNet: 16@28, 32@14, 64@7), batch,
// thread count and mode (inference, one training step = forward + backward), times torch::conv2d 3x3,
// conv2d built from primitives run through its plan, and the same operator lowered to unfold + einsum (the
// public Syno lowering, a second baseline); also a two-stage operator (grouped 1x3 conv, roll, 3x1 conv
// mixing the groups). Ratios are conv2d time / operator time (> 1: faster than conv2d).
//
//   plan_bench [--runs 20] [--batches 1,32] [--threads 1,2] [--modes inference,training]
//              [--sizes resnet18,small] [--no-einsum]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/Error.h"
#include "ir/Builder.h"
#include "ir/Library.h"
#include "plans/Execute.h"
#include "sizes/Parse.h"

namespace {

using namespace syno;

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

VariableTable benchVars() {
    auto vars = parseSpecs("N=1, C_in=64, C_out=64, H=56, W=56", VarKind::Primary);
    auto coefs = parseSpecs("k=3, g=8", VarKind::Coefficient);
    vars.insert(vars.end(), coefs.begin(), coefs.end());
    return VariableTable(vars);
}


struct LayerSize {
    int c, hw;
    const char* family;
};

}  // namespace

int main(int argc, char** argv) {
    plans::PlanCache plans;
    int runs = 20;
    std::vector<std::string> batches = {"1", "32"}, threads = {"1", "2"}, modes = {"inference", "training"},
                             families = {"resnet18", "small"};
    bool einsum = true;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "plan_bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--runs") runs = std::atoi(next().c_str());
        else if (a == "--batches") batches = splitList(next());
        else if (a == "--threads") threads = splitList(next());
        else if (a == "--modes") modes = splitList(next());
        else if (a == "--sizes") families = splitList(next());
        else if (a == "--no-einsum") einsum = false;
        else {
            std::fprintf(stderr, "plan_bench: unknown option %s\n", a.c_str());
            return 2;
        }
    }
    std::vector<LayerSize> sizes;
    for (const auto& f : families) {
        if (f == "resnet18") sizes.insert(sizes.end(), {{64, 56, "resnet18"}, {128, 28, "resnet18"}, {256, 14, "resnet18"}, {512, 7, "resnet18"}});
        if (f == "small") sizes.insert(sizes.end(), {{16, 28, "small"}, {32, 14, "small"}, {64, 7, "small"}});
    }
    try {
        VariableTable vars = benchVars();
        Operator conv = library::conv2d(vars);
        Operator two = library::twoStageShiftConv(vars);
        fmt::print("# plan_bench: median of {} runs; ratio = torch::conv2d time / operator time (same run)\n", runs);
        fmt::print("{:<10} {:>4} {:>5} {:>3} {:>3} {:<9} {:<10} {:>10} {:>8} {:>10} {:>8} {:>7} {:>10} {:>7} {:>6}\n", "family",
                   "C", "HxW", "N", "thr", "mode", "operator", "conv ms", "GFLOP/s", "op ms", "GFLOP/s", "ratio",
                   "einsum ms", "ratio", "lib");
        std::vector<double> convRatios;
        for (const auto& mode : modes)
            for (const auto& t : threads)
                for (const auto& nb : batches)
                    for (const auto& s : sizes) {
                        std::string binding = fmt::format("N={}, C_in={}, C_out={}, H={}, W={}", nb, s.c, s.c, s.hw, s.hw);
                        SizeContext ctx(vars, parseBindings(binding));
                        for (const Operator* op : {&conv, &two}) {
                            plans::LatencyOptions o;
                            o.runs = runs;
                            o.warmup = 3;
                            o.threads = std::atoi(t.c_str());
                            o.training = mode == "training";
                            o.einsumToo = einsum;
                            plans::Latency l = plans::probeLatency(*op, ctx, 0, PaddingPolicy::Exact, o);
                            auto plan = plans.get(*op, ctx, 0);
                            double mult = o.training ? 3.0 : 1.0;  // backward ~ 2x forward FLOPs
                            fmt::print("{:<10} {:>4} {:>5} {:>3} {:>3} {:<9} {:<10} {:>10.3f} {:>8.1f} {:>10.3f} {:>8.1f} {:>6.2f}x "
                                       "{:>10.3f} {:>6.2f}x {:>3}/{}\n",
                                       s.family, s.c, fmt::format("{}x{}", s.hw, s.hw), nb, t, mode,
                                       op == &conv ? "conv2d-p" : "two-stage", l.baselineMs,
                                       mult * l.baselineFlops / l.baselineMs / 1e6, l.planMs,
                                       mult * l.planFlops / l.planMs / 1e6, l.ratio, l.einsumMs, l.einsumRatio,
                                       plan->libraryStages(), plan->stages.size());
                            if (op == &conv) convRatios.push_back(l.ratio);
                            std::fflush(stdout);
                        }
                        (void)nb;
                    }
        double g = 1;
        for (double r : convRatios) g *= r;
        if (!convRatios.empty())
            fmt::print("# conv2d-from-primitives vs torch::conv2d: geometric mean ratio {:.3f} over {} configurations\n",
                       std::pow(g, 1.0 / static_cast<double>(convRatios.size())), convRatios.size());
    } catch (const Error& e) {
        std::fprintf(stderr, "plan_bench: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
