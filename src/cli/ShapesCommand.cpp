// `syno shapes`: parse variable specs, bindings and an input/output shape pair, and check that every
// size is a positive integer in every binding: the first thing to get right before a search.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/Error.h"
#include "cli/Commands.h"
#include "cli/Options.h"
#include "sizes/Parse.h"

namespace syno::cli {

namespace {

struct ShapesOptions {
    std::string input = "[N, C_in, H, W]";
    std::string output = "[N, C_out, H, W]";
    VariableOptions vars;
};

void runShapes(const ShapesOptions& o) {
    SizeContext ctx = o.vars.context();
    const VariableTable& vars = ctx.vars();
    Shape in = parseShape(o.input, vars), out = parseShape(o.output, vars);
    fmt::print("variables:\n");
    for (const auto& v : vars.all())
        fmt::print("  {:<8} {:<11} max occurrences {}\n", v.name,
                   v.kind == VarKind::Primary ? "primary" : "coefficient", v.maxOccurrences);
    fmt::print("input  {}\noutput {}\n", shapeToString(in, vars), shapeToString(out, vars));
    for (int b = 0; b < ctx.bindingCount(); ++b) {
        auto concrete = [&](const Shape& s) {
            std::string text;
            for (const auto& d : s) text += fmt::format("{}{}", text.empty() ? "" : ", ", ctx.evalInteger(d.size, b));
            return "[" + text + "]";
        };
        fmt::print("binding {} ({}): input {} -> output {}\n", b + 1, ctx.describeBinding(b), concrete(in), concrete(out));
    }
    fmt::print("all sizes are positive integers in all {} binding(s)\n", ctx.bindingCount());
}

}  // namespace

void addShapesCommand(CLI::App& app) {
    auto o = std::make_shared<ShapesOptions>();
    auto* cmd = app.add_subcommand("shapes", "Check variable specs, bindings and an input/output shape pair");
    cmd->add_option("--input", o->input, "input shape, e.g. '[N, C_in, H, W]'")->capture_default_str();
    cmd->add_option("--output", o->output, "output shape, e.g. '[N, C_out, H/s, W/s]'")->capture_default_str();
    o->vars.addTo(*cmd, "N=1, C_in=64, C_out=64, H=56, W=56", "k=3, g=32, s=2");
    cmd->footer("Example:\n  syno shapes --output '[N, C_out, H/s, W/s]' --bindings 'H=56, W=56; H=28, W=28'");
    cmd->callback([o] { runShapes(*o); });
}

}  // namespace syno::cli
