// `syno show`: read an operator (file, stdin or a known layer) and print it in canonical text or JSON,
// with its loop nests and cost on request.
#include <iostream>
#include <iterator>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/AtomicFile.h"
#include "base/Error.h"
#include "cli/Commands.h"
#include "cli/OperatorSource.h"
#include "cli/Options.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "report/Graphviz.h"
#include "report/OperatorDot.h"
#include "semantics/Cost.h"
#include "semantics/LoopPrinter.h"
#include "semantics/Stages.h"
#include "sizes/Parse.h"

namespace syno::cli {

namespace {

struct ShowOptions {
    OperatorSource source;
    bool json = false, loops = false, cost = false, pad = false;
    std::string graph;  // SVG file for the dimension graph
    VariableOptions vars;
};


void runShow(const ShowOptions& o) {
    SizeContext ctx = o.vars.context();
    Operator op = o.source.load(ctx.vars());
    // Drawn before anything is printed: a failure is the only line.
    if (!o.graph.empty())
        writeFileAtomically(o.graph, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" +
                                         report::renderSvg(report::operatorDot(op)));
    if (o.json) fmt::print("{}\n", operatorToJson(op));
    else fmt::print("# id {}\n{}", op.idHex(), printOperator(op));
    if (o.loops) fmt::print("\n# forward\n{}\n# gradients\n{}", printForwardLoops(op), printBackwardLoops(op));
    if (o.cost) {
        // The operator's own declarations win; bindings from --bindings apply to them.
        SizeContext own(op.vars(), parseBindings(o.vars.bindings));
        PaddingPolicy policy = o.pad ? PaddingPolicy::Pad : PaddingPolicy::Exact;
        Cost c = naiveCost(op, own, policy);
        const SizeContext padded = paddedContext(op, own, policy);
        StagePlan stages = planStages(op, padded);
        // A plan is compiled per layer and picks its own order there, so that is the FLOPs figure; the
        // stages printed are the one order cheapest for all bindings together.
        const double perBinding = stagedFlopsPerBinding(op, padded);
        fmt::print("\n# over {} binding(s): {:.4g} FLOPs in stages ({:.4g} as one loop nest), {:.4g} weights\n",
                   own.bindingCount(), perBinding, c.flops, c.params);
        if (perBinding < stages.flops)
            fmt::print("# each binding is staged in its own order; one order for all of them costs {:.4g}:\n",
                       stages.flops);
        fmt::print("{}", stages.describe(op));
    }
}

}  // namespace

void addShowCommand(CLI::App& app) {
    auto o = std::make_shared<ShowOptions>();
    auto* cmd = app.add_subcommand("show", "Print an operator in canonical text or JSON, with loops and cost");
    o->source.addTo(*cmd, false);
    cmd->add_flag("--json", o->json, "print the JSON form instead of text");
    cmd->add_flag("--loops", o->loops, "print the forward and gradient loop nests");
    cmd->add_flag("--cost", o->cost, "print FLOPs and weights summed over the bindings");
    cmd->add_flag("--pad", o->pad, "pad sizes that do not divide instead of refusing them");
    cmd->add_option("--graph", o->graph, "also write the operator's dimension graph (tensors, primitives, loops) as "
                                         "an SVG file, drawn by Graphviz");
    o->vars.addTo(*cmd, "N=1, C_in=64, C_out=64, H=56, W=56", "k=3, g=32, s=2");
    cmd->footer("Examples:\n"
                "  syno show --library grouped --loops\n"
                "  syno show --library conv2d --graph conv2d.svg\n"
                "  syno show --library conv2d --json > conv.json && syno show conv.json --cost \\\n"
                "      --bindings 'C_in=64, C_out=64, H=56, W=56; C_in=128, C_out=128, H=28, W=28'");
    cmd->callback([o] { runShow(*o); });
}

}  // namespace syno::cli
