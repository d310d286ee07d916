// `syno plan`: compile an operator into an execution plan for each binding and print its stages (the
// kernel chosen and why, FLOPs, tensor shapes), optionally with its latency against the replaced layer.
#include <iostream>
#include <iterator>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/Error.h"
#include "cli/Commands.h"
#include "cli/OperatorSource.h"
#include "cli/Options.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "plans/CompileSteps.h"
#include "plans/Execute.h"
#include "plans/Plan.h"
#include "sizes/Parse.h"

namespace syno::cli {

namespace {

struct PlanCommandOptions {
    OperatorSource source;
    VariableOptions vars;
    bool pad = false, latency = false, training = false, einsum = false, ops = false, inference = false, profile = false,
         dumpPasses = false;
    int threads = 0, runs = 20;
    std::string layout = "auto";
};


// Where a call spends its time: each stage's share, and with --ops each op's median time. A training step
// adds its backward pass as one figure.
void printProfile(const plans::Plan& plan, const plans::OpProfile& profile, int runs, bool ops, bool training) {
    const std::vector<double>& opMs = profile.opMs;
    double total = 0;
    for (double t : opMs) total += t;
    if (training)
        fmt::print("  profile (training steps, {} back to back, caches warm): {:.3f} ms a step, {:.3f} ms over the "
                   "forward ops (autograd recording), {:.3f} ms backward (medians)\n",
                   runs, profile.callMs, total, profile.backwardMs);
    else
        fmt::print("  profile (inference with prepared weights, {} calls back to back, caches warm): {:.3f} ms a call, "
                   "{:.3f} ms over the ops (medians)\n",
                   runs, profile.callMs, total);
    for (const auto& st : plan.stages) {
        double ms = 0;
        for (size_t i = st.firstOp; i < st.endOp && i < opMs.size(); ++i) ms += opMs[i];
        fmt::print("    {:>8.3f} ms {:>5.1f}%  {}{}\n", ms, total > 0 ? 100.0 * ms / total : 0.0, st.what,
                   st.weightOnly && !training ? " (weights only: prepared)" : "");
        if (!ops) continue;
        for (size_t i = st.firstOp; i < st.endOp && i < opMs.size(); ++i)
            fmt::print("      {:>8.3f} ms  {}\n", opMs[i], plan.ops[i].describe());
    }
}

void runPlanCommand(PlanCommandOptions o) {
    if (o.profile) o.latency = true;
    if (o.profile && !o.training) o.inference = true;  // the probe's plan is the inference one
    if (o.runs < 1) throw Error(fmt::format("--runs must be at least 1, not {}", o.runs));
    SizeContext ctx = o.vars.context();
    Operator op = o.source.load(ctx.vars());
    // A file's own declarations win; --bindings apply to them.
    if (o.source.library.empty()) ctx = SizeContext(op.vars(), parseBindings(o.vars.bindings));
    plans::setThreads(o.threads);
    const PaddingPolicy policy = o.pad ? PaddingPolicy::Pad : PaddingPolicy::Exact;
    plans::PlanOptions options;
    options.einsumOnly = o.einsum;
    options.inference = o.inference;
    // Every binding is compiled before anything is printed: bad input fails with one line only.
    std::vector<plans::Plan> compiled;
    std::vector<std::string> steps;  // --dump-passes: the plan after each step, per binding
    for (int b = 0; b < ctx.bindingCount(); ++b) {
        plans::StepObserver dump;
        if (o.dumpPasses)
            dump = [&, b](const std::string& step, const plans::Plan& plan) {
                steps.push_back(fmt::format("## binding {}, after {}: {} op(s)\n{}", b + 1, step, plan.ops.size(),
                                            plan.describe()));
            };
        compiled.push_back(plans::compilePlanObserved(op, ctx, b, policy, options, dump));
    }
    fmt::print("# operator {}, libtorch intra-op threads {}\n", op.idHex(), plans::threads());
    for (const auto& text : steps) fmt::print("{}", text);
    if (o.dumpPasses) fmt::print("## the plans\n");
    for (int b = 0; b < ctx.bindingCount(); ++b) {
        const plans::Plan& plan = compiled[static_cast<size_t>(b)];
        std::string text = plan.describe();
        if (!o.ops) {  // the stages only: drop the op lines
            std::string kept;
            size_t pos = 0;
            while (pos < text.size()) {
                size_t end = text.find('\n', pos);
                std::string line = text.substr(pos, end - pos);
                if (line.rfind("      ", 0) != 0) kept += line + "\n";
                pos = end == std::string::npos ? text.size() : end + 1;
            }
            text = kept;
        }
        fmt::print("{}", text);
        fmt::print("  library kernels for {} of {} stage(s); layout for an NHWC input: {}\n", plan.libraryStages(),
                   plan.stages.size(), plans::layoutName(plans::chooseLayout(plan, o.training)));
        if (o.latency) {
            plans::LatencyOptions lo;
            lo.runs = o.runs;
            lo.threads = o.threads;
            lo.training = o.training;
            lo.einsumToo = true;
            lo.profile = o.profile;
            lo.layout = o.layout == "nchw" ? plans::Layout::Contiguous
                        : o.layout == "nhwc" ? plans::Layout::ChannelsLast : plans::Layout::Auto;
            if (auto k = ctx.vars().find("k")) lo.kernel = ctx.bindings()[static_cast<size_t>(b)][*k];
            plans::Latency lat = plans::probeLatency(op, ctx, b, policy, lo);
            fmt::print("  latency ({}): {}\n", o.training ? "training step" : "inference", lat.describe());
            if (o.profile) printProfile(plan, lat.profile, o.runs, o.ops, o.training);
        }
    }
}

}  // namespace

void addPlanCommand(CLI::App& app) {
    auto o = std::make_shared<PlanCommandOptions>();
    auto* cmd = app.add_subcommand("plan", "Compile an operator into an execution plan of library kernels and print it");
    o->source.addTo(*cmd, false);
    cmd->add_flag("--pad", o->pad, "pad sizes that do not divide instead of refusing them");
    cmd->add_flag("--ops", o->ops, "also print every op of each stage");
    cmd->add_flag("--dump-passes", o->dumpPasses,
                  "print the plan (stages and ops) after each step of the compiler: the planner's lowering, then "
                  "each pass (fuse rolls, merge reshapes, mark weight-only ops, fuse weight products, fuse index "
                  "maps)");
    cmd->add_flag("--einsum", o->einsum, "lower every stage to unfold + einsum instead (the baseline lowering)");
    cmd->add_flag("--inference", o->inference,
                  "print the plan ordered for inference: stages on the weights alone (marked) run once per weight "
                  "version, so contracting weights first can cut the FLOPs per call (--latency times this plan "
                  "unless --training)");
    cmd->add_flag("--latency", o->latency, "time the plan against torch::conv2d / torch::linear (median of --runs)");
    cmd->add_flag("--training", o->training, "with --latency: time forward + backward instead of inference");
    cmd->add_option("--runs", o->runs, "timed runs for --latency")->capture_default_str()->check(bounded(1, 100000));
    cmd->add_flag("--profile", o->profile,
                  "time each stage of the inference plan (each op with --ops), after --latency's runs; implies "
                  "--latency and --inference; with --training, each forward op of a training step under autograd, "
                  "and the backward pass as a whole");
    cmd->add_option("--layout", o->layout, "with --latency: the plan's convolutions on nchw or nhwc tensors, or auto "
                                           "(nhwc only for dense windowed convolutions fed nhwc)")
        ->check(CLI::IsMember({"auto", "nchw", "nhwc"}))
        ->capture_default_str();
    cmd->add_option("--threads", o->threads, "libtorch intra-op threads (0: libtorch's default)")
        ->capture_default_str()
        ->check(threadCount(true));
    o->vars.addTo(*cmd, "N=1, C_in=64, C_out=64, H=56, W=56", "k=3, g=32, s=2");
    cmd->footer("Examples:\n"
                "  syno plan --library conv2d --bindings 'C_in=64, C_out=64, H=56, W=56; C_in=256, C_out=256, H=14, W=14'\n"
                "  syno plan --library grouped --latency --threads 2\n"
                "  syno plan --library operator1 --inference\n"
                "  syno plan --library operator2 --dump-passes --bindings 'C_in=64, C_out=64, H=56, W=56'\n"
                "  syno plan --library operator2 --profile --ops --threads 2\n"
                "  syno plan --library operator2 --profile --training --bindings 'N=32, H=28, W=28'\n"
                "  syno show --library conv2d > c.op && syno plan c.op --ops --bindings 'N=32, H=28, W=28'");
    cmd->callback([o] { runPlanCommand(*o); });
}

}  // namespace syno::cli
