// `syno export`: an operator as code that runs without syno: a TorchScript archive (weights included), one
// self-contained PyTorch file, or libtorch C++.
#include <filesystem>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/AtomicFile.h"
#include "base/Error.h"
#include "cli/Commands.h"
#include "cli/OperatorSource.h"
#include "cli/Options.h"
#include "evaluation/ModelCatalog.h"
#include "export/EmitCpp.h"
#include "export/EmitPython.h"
#include "export/ExportedOperator.h"
#include "export/Reference.h"
#include "export/ScriptModule.h"
#include "sizes/Parse.h"

namespace syno::cli {

namespace {

struct ExportCommandOptions {
    OperatorSource source;
    VariableOptions vars;
    std::string format, output, model, reference, className = "Op";
    int binding = 0;
    std::vector<int64_t> batches = {1, 16};
    uint64_t seed = 1;
};

// Refuses a path whose folder does not exist before any work (the write itself is atomic).
void checkWritable(const std::string& path) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
        throw Error(fmt::format("cannot write {}: no directory {}", path, dir.string()));
    if (std::filesystem::is_directory(path)) throw Error(fmt::format("cannot write {}: it is a directory", path));
}

// -o op2, op2.h or op2.cpp: the pair op2.h and op2.cpp.
std::pair<std::string, std::string> cppPaths(const std::string& output) {
    std::filesystem::path p(output);
    if (p.extension() == ".h" || p.extension() == ".cpp") p.replace_extension();
    return {p.string() + ".h", p.string() + ".cpp"};
}

void runExport(const ExportCommandOptions& o) {
    checkWritable(o.output);
    if (!o.reference.empty()) checkWritable(o.reference);
    // The sizes: a model's deployment placeholders, or the operator's own declarations with --bindings.
    std::optional<evaluation::ModelLayout> layout;
    if (!o.model.empty()) layout = evaluation::modelLayout(o.model, evaluation::Instance::Deployment);
    const VariableTable vars = layout ? evaluation::placeholderVariables(layout->spec) : o.vars.context().vars();
    const Operator op = o.source.load(vars);
    if (layout && !o.vars.bindings.empty()) throw Error("give either --model or --bindings, not both");
    const SizeContext ctx = layout ? evaluation::placeholderContext(*layout, op)
                                   : SizeContext(op.vars(), parseBindings(o.vars.bindings));
    if (o.binding > ctx.bindingCount())
        throw Error(fmt::format("--binding {} does not exist: the operator has {} binding(s)", o.binding, ctx.bindingCount()));
    exports::ExportOptions options;
    options.className = o.className;
    options.batches = o.batches;
    if (o.binding > 0) options.bindings = {o.binding - 1};
    if (o.format == "torchscript" && o.binding == 0) {
        if (ctx.bindingCount() > 1)
            throw Error(fmt::format("a TorchScript archive holds one layer's weights: choose one of the {} bindings "
                                    "with --binding", ctx.bindingCount()));
        options.bindings = {0};
    }
    const exports::ExportedOperator e = exports::prepareExport(op, ctx, options);
    const int binding = options.bindings.empty() ? 0 : options.bindings[0];
    if (o.format == "pytorch") {
        writeFileAtomically(o.output, exports::emitPythonModule(e, SYNO_VERSION));
    } else if (o.format == "cpp") {
        const auto [header, source] = cppPaths(o.output);
        const auto code = exports::emitCppModule(e, SYNO_VERSION, std::filesystem::path(header).filename().string());
        writeFileAtomically(header, code.header);
        try {
            writeFileAtomically(source, code.source);
        } catch (...) {
            std::filesystem::remove(header);  // never one file of the pair without the other
            throw;
        }
    } else {
        nlohmann::json meta{{"syno_version", SYNO_VERSION},   {"operator_id", op.idHex()},
                            {"operator", e.text},             {"class", e.className},
                            {"sizes", e.bindings[0].text},    {"seed", o.seed},
                            {"batches", o.batches}};
        exports::writeTorchScript(e, op, ctx, binding, o.seed, meta.dump(2), o.output);
    }
    if (!o.reference.empty()) {
        std::vector<int64_t> batches = o.batches;
        batches.push_back(5);  // a batch no fixed plan serves: the general plan
        exports::writeReference(op, ctx, binding, o.seed, batches, o.reference);
    }
    const std::string written = o.format == "cpp" ? cppPaths(o.output).first + " and " + cppPaths(o.output).second : o.output;
    fmt::print("wrote {} ({} of operator {}, {} layer(s): ", written, o.format, op.idHex(), e.bindings.size());
    for (size_t b = 0; b < e.bindings.size(); ++b) fmt::print("{}{}({})", b ? ", " : "", e.className, e.bindings[b].text);
    fmt::print(")\n");
    for (const auto& x : e.bindings)
        if (!x.generalMissing.empty())
            fmt::print("note: {}({}) runs at batch sizes {} only: {}\n", e.className, x.text,
                       plans::listText(o.batches), x.generalMissing);
}

}  // namespace

void addExportCommand(CLI::App& app) {
    auto o = std::make_shared<ExportCommandOptions>();
    auto* cmd = app.add_subcommand("export", "Write an operator as code that runs without syno: TorchScript or PyTorch");
    o->source.addTo(*cmd, true);
    cmd->add_option("--format", o->format,
                    "torchscript: an archive with the weights (torch.jit.load, torch::jit::load); pytorch: one .py "
                    "file with an nn.Module whose constructor takes the layer's sizes; cpp: a header and a source "
                    "file with a torch::nn::Module, libtorch only (-o op2 writes op2.h and op2.cpp)")
        ->required()
        ->check(CLI::IsMember({"torchscript", "pytorch", "cpp"}));
    cmd->add_option("-o,--output", o->output, "the file to write (atomically)")->required()->check(notBlank());
    cmd->add_option("--model", o->model,
                    "take the sizes from this network's placeholders at deployment size (e.g. resnet18)")
        ->check(notBlank());
    cmd->add_option("--binding", o->binding, "export only this binding (1-based); a TorchScript archive needs one")
        ->check(bounded(1, 1000));
    cmd->add_option("--batches", o->batches,
                    "batch sizes served by plans of their own (comma-separated); any other batch runs the general plan")
        ->delimiter(',')
        ->capture_default_str()
        ->check(bounded(1, 65536));
    cmd->add_option("--seed", o->seed, "weight initialisation (as syno's)")->capture_default_str()->check(seedValue());
    cmd->add_option("--class-name", o->className, "the Python class / TorchScript type name")->capture_default_str();
    cmd->add_option("--reference", o->reference,
                    "also write syno's own outputs and gradients for seeded inputs (a torch.load-able file), to "
                    "check the export against");
    o->vars.addTo(*cmd, "N=1, C_in=64, C_out=64, H=56, W=56", "k=3, g=32, s=2");
    cmd->footer("Examples:\n"
                "  syno export --library operator2 --format pytorch -o op2.py \\\n"
                "      --bindings 'C_in=64, C_out=64, H=56, W=56; C_in=128, C_out=128, H=28, W=28'\n"
                "  python3 -c 'import op2, torch; m = op2.Op(C_in=64, C_out=64, H=56, W=56); print(m(torch.randn(1, 64, 56, 56)).shape)'\n"
                "  syno export campaigns/resnet18/operators/5c882b8135d8bb04.op --model resnet18 --format pytorch -o op.py\n"
                "  syno export --db run.db --best --format torchscript --binding 1 -o op.pt\n"
                "  syno export --library operator1 --format cpp -o op1 --class-name Operator1   # op1.h, op1.cpp\n"
                "  syno export --library conv2d --format torchscript -o conv.pt --reference conv-ref.pt");
    cmd->callback([o] { runExport(*o); });
}

}  // namespace syno::cli
