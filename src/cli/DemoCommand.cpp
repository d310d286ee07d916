// `syno demo`: the main job until the search exists. Builds a 3x3 conv2d from primitives, prints its
// text form, loop nests and cost over the ResNet-18 layers, then checks every known layer written from
// primitives against libtorch (forward and gradients).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/Error.h"
#include "cli/Commands.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "oracle/KnownLayers.h"
#include "semantics/Cost.h"
#include "semantics/LoopPrinter.h"
#include "sizes/Parse.h"

namespace syno::cli {

namespace {

struct DemoOptions {
    int threads = 2;
    uint64_t seed = 1;
    double tolerance = 1e-9;
};

void runDemo(const DemoOptions& o) {
    oracle::setThreads(o.threads);
    fmt::print("syno demo: a 3x3 conv2d built from primitives, checked against libtorch ({})\n\n",
               oracle::describeBackend());

    auto vars = parseSpecs("N=1, C_in, C_out, H, W", VarKind::Primary);
    auto coefs = parseSpecs("k=3", VarKind::Coefficient);
    vars.insert(vars.end(), coefs.begin(), coefs.end());
    SizeContext resnet(VariableTable(vars),
                       parseBindings("C_in=64, C_out=64, H=56, W=56; C_in=128, C_out=128, H=28, W=28; "
                                     "C_in=256, C_out=256, H=14, W=14; C_in=512, C_out=512, H=7, W=7"));
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
}

}  // namespace

void addDemoCommand(CLI::App& app) {
    auto opts = std::make_shared<DemoOptions>();
    auto* cmd = app.add_subcommand("demo", "Build conv2d from primitives, print it, and check known layers against libtorch");
    cmd->add_option("--threads", opts->threads, "libtorch intra-op threads")->capture_default_str()->check(CLI::Range(1, 256));
    cmd->add_option("--seed", opts->seed, "seed of the random test inputs")->capture_default_str();
    cmd->add_option("--tolerance", opts->tolerance, "largest relative error accepted")->capture_default_str();
    cmd->footer("Example:\n  syno demo --threads 2");
    cmd->callback([opts] { runDemo(*opts); });
}

}  // namespace syno::cli
