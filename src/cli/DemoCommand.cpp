// `syno demo`: the main job until the search exists. Builds a 3x3 conv2d from primitives, prints its
// text form, loop nests and cost over the ResNet-18 layers, then checks every known layer written from
// primitives against libtorch (forward and gradients).
#include <algorithm>
#include <chrono>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/Error.h"
#include "cli/Commands.h"
#include "cli/Options.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "oracle/KnownLayers.h"
#include "semantics/Cost.h"
#include "semantics/LoopPrinter.h"
#include "semantics/Interpreter.h"
#include "semantics/Stages.h"
#include "sizes/Parse.h"
#include "synthesis/Space.h"
#include "sizes/ParseContext.h"

namespace syno::cli {

namespace {

struct DemoOptions {
    int threads = 2;
    uint64_t seed = 1;
    double tolerance = 1e-9;
    int samples = 300;
    int show = 5;
};

// Samples operators for the ResNet-18 3x3 layers and prints the cheapest, each also run through the
// reference interpreter at a small binding of the same space.
void runSynthesis(const DemoOptions& o) {
    const std::string layers = "C_in=64, C_out=64, H=56, W=56; C_in=128, C_out=128, H=28, W=28; "
                               "C_in=256, C_out=256, H=14, W=14; C_in=512, C_out=512, H=7, W=7";
    SizeContext ctx = parseContext("N=1: 0, C_in: 2, C_out: 4, H: 0, W: 0", "k=3: 2, s=2: 2, g=32: 3", layers);
    SynthesisOptions so;
    so.depth = 9;
    Problem problem = Problem::make(ctx, "[N, C_in, H, W]", "[N, C_out, H, W]", so);
    const double convFlops = planStages(library::conv2d(ctx.vars()), ctx).flops;

    auto start = std::chrono::steady_clock::now();
    Space space(problem);
    std::vector<Sampled> found = space.sample(o.samples, o.seed, SampleMode::Uniform);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    // Keep operators that still mix channels and space (some weight and at least one window), cheapest first.
    std::vector<const Sampled*> ranked;
    for (const auto& s : found) {
        bool window = false;
        for (Dim d : s.op.nodesBottomUp()) window |= d->kind == DimKind::Unfold;
        if (window && !s.op.weights().empty() && s.flops >= 0.05 * convFlops) ranked.push_back(&s);
    }
    std::sort(ranked.begin(), ranked.end(), [](const Sampled* a, const Sampled* b) {
        return a->flops != b->flops ? a->flops < b->flops : a->op.id() < b->op.id();
    });
    fmt::print("\nSynthesis: {} distinct operators sampled for [N, C_in, H, W] -> [N, C_out, H, W] over the same four "
               "layers (depth {}, seed {}) in {:.2f} s; {} use a window. The {} cheapest with >= 5% of conv2d's FLOPs:\n",
               found.size(), so.depth, o.seed, seconds, ranked.size(), std::min<size_t>(ranked.size(), static_cast<size_t>(o.show)));
    SizeContext small(ctx.vars(), parseBindings("C_in=64, C_out=64, H=8, W=8"));
    for (size_t i = 0; i < ranked.size() && i < static_cast<size_t>(o.show); ++i) {
        const Sampled& s = *ranked[i];
        Realization r = realize(s.op, small, 0, PaddingPolicy::Exact);
        std::vector<Tensor> weights;
        for (size_t w = 0; w < r.weightShapes.size(); ++w) weights.push_back(Tensor::random(r.weightShapes[w], 10 + w));
        Tensor out = interpretForward(r, Tensor::random(r.inputShape, 3), weights);
        fmt::print("\n  #{} id {}: {:.2f}x the FLOPs of conv2d, {:.2f}x its weights; interpreter at 64@8: output {} {}\n",
                   i + 1, s.op.idHex(), s.flops / convFlops, s.params / (9.0 * (64 * 64 + 128 * 128 + 256 * 256 + 512 * 512)),
                   shapeString(out.shape), out.allFinite() ? "finite" : "NOT FINITE");
        fmt::print("     steps: ");
        for (size_t k = 0; k < s.stepTexts.size(); ++k) fmt::print("{}{}", k ? " ; " : "", s.stepTexts[k]);
        fmt::print("\n");
        if (!out.allFinite()) throw Error(fmt::format("operator {} produced a non-finite value", s.op.idHex()));
    }
    fmt::print("\n(Search with training and measured latency is the next layer; `syno sample --help` explores the space.)\n");
}

void runDemo(const DemoOptions& o) {
    oracle::setThreads(o.threads);
    fmt::print("syno demo: a 3x3 conv2d built from primitives, checked against libtorch ({})\n\n",
               oracle::describeBackend());

    SizeContext resnet = parseContext("N=1, C_in, C_out, H, W", "k=3",
                                      "C_in=64, C_out=64, H=56, W=56; C_in=128, C_out=128, H=28, W=28; "
                                      "C_in=256, C_out=256, H=14, W=14; C_in=512, C_out=512, H=7, W=7");
    Operator conv = library::conv2d(resnet.vars());
    fmt::print("Operator {} in text form:\n{}\n", conv.idHex(), printOperator(conv));
    fmt::print("Forward loop nest:\n{}\nGradients (adjoint loop nests):\n{}\n", printForwardLoops(conv),
               printBackwardLoops(conv));
    Cost cost = naiveCost(conv, resnet);
    fmt::print("Cost over the four ResNet-18 3x3 layers (64@56, 128@28, 256@14, 512@7, batch 1): "
               "{:.3f} GFLOPs, {:.0f} weights\n\n",
               cost.flops / 1e9, cost.params);

    fmt::print("Agreement with libtorch, float64, random inputs (max relative error):\n");
    fmt::print("  {:<38} {:>7}  {:>10} {:>10} {:>10}\n", "layer from primitives", "binding", "forward", "grad in",
               "grad w");
    double worst = 0;
    int checked = 0;
    for (const auto& c : oracle::knownLayerCases()) {
        for (int b = 0; b < c.ctx.bindingCount(); ++b) {
            oracle::Agreement a = oracle::checkAgreement(c, b, o.seed + static_cast<uint64_t>(b));
            fmt::print("  {:<38} {:>7}  {:>10.2e} {:>10.2e} {:>10.2e}\n", c.name, b + 1, a.forward, a.gradInput,
                       a.gradWeights);
            worst = std::max(worst, a.worst());
            ++checked;
        }
    }
    if (worst > o.tolerance)
        throw Error(fmt::format("{} checks ran, worst relative error {:.2e} exceeds {:.0e}", checked, worst, o.tolerance));
    fmt::print("\nAll {} checks agree with libtorch (worst relative error {:.2e} <= {:.0e}).\n", checked, worst,
               o.tolerance);
    runSynthesis(o);
}

}  // namespace

void addDemoCommand(CLI::App& app) {
    auto opts = std::make_shared<DemoOptions>();
    auto* cmd = app.add_subcommand("demo", "Build conv2d from primitives, check known layers against libtorch, then "
                                           "synthesize operators for the ResNet-18 3x3 layers and print the cheapest");
    opts->threads = defaultThreads(opts->threads);
    cmd->add_option("--threads", opts->threads, "libtorch intra-op threads")->capture_default_str()->check(threadCount());
    cmd->add_option("--seed", opts->seed, "seed of the random test inputs")->capture_default_str()->check(seedValue());
    cmd->add_option("--tolerance", opts->tolerance, "largest relative error accepted")->capture_default_str()->check(bounded(0, 1));
    cmd->add_option("--samples", opts->samples, "operators to synthesize")->capture_default_str()->check(bounded(1, 100000));
    cmd->add_option("--show", opts->show, "how many of the cheapest to print")->capture_default_str()->check(bounded(0, 100000));
    cmd->footer("Example:\n  syno demo --threads 2");
    cmd->callback([opts] { runDemo(*opts); });
}

}  // namespace syno::cli
