#include "export/ScriptModule.h"

#include <torch/script.h>
#include <torch/csrc/jit/frontend/resolver.h>

#include <cctype>
#include <sstream>

#include <fmt/format.h>

#include "base/AtomicFile.h"
#include "base/Error.h"
#include "export/EmitPython.h"
#include "export/OperatorScript.h"
#include "plans/PlanModule.h"

namespace syno::exports {

namespace {

// define()'s default resolver knows `torch` only; the exported code also raises RuntimeError.
struct ExportResolver : torch::jit::NativeResolver {
    std::shared_ptr<torch::jit::SugaredValue> resolveValue(const std::string& name, torch::jit::GraphFunction& m,
                                                           const torch::jit::SourceRange& loc) override {
        if (name == "RuntimeError") return std::make_shared<torch::jit::ExceptionValue>(name);
        return NativeResolver::resolveValue(name, m, loc);
    }
};

}  // namespace

void defineMethods(torch::jit::Module& m, const std::string& source) {
    try {
        m.define(source, std::make_shared<ExportResolver>());
    } catch (const std::exception& err) {
        // Its report spans lines (the code with a caret): one line of it, whitespace collapsed.
        std::string what;
        for (char c : std::string(err.what())) {
            const bool space = std::isspace(static_cast<unsigned char>(c));
            if (!(space && (what.empty() || what.back() == ' '))) what += space ? ' ' : c;
        }
        throw Error(fmt::format("internal: TorchScript refused the exported code: {}", what.substr(0, 600)));
    }
}

torch::jit::Module operatorScript(const ExportedOperator& e, const std::vector<torch::Tensor>& weights,
                                  const std::string& typeName) {
    if (e.bindings.size() != 1) throw Error("internal: a TorchScript module holds one binding");
    torch::jit::Module m(typeName);
    for (size_t w = 0; w < weights.size(); ++w)
        m.register_parameter(fmt::format("w{}", w + 1), weights[w].detach().clone().set_requires_grad(true), false);
    // define() code reads these; a module built in C++ has none of nn.Module's attributes by itself.
    m.register_attribute("training", c10::BoolType::get(), true);
    m.register_attribute("binding", c10::IntType::get(), int64_t{0});
    m.register_attribute("_cache", c10::OptionalType::create(c10::ListType::create(c10::TensorType::get())),
                         c10::IValue());
    m.register_attribute("_cache_variant", c10::IntType::get(), int64_t{-1});
    defineMethods(m, emitScriptMethods(e));
    return m;
}

void writeTorchScript(const ExportedOperator& e, const Operator& op, const SizeContext& ctx, int binding, uint64_t seed,
                      const std::string& metadataJson, const std::string& path) {
    plans::ModuleOptions options;
    options.seed = seed;
    plans::PlanModule reference(op, ctx, binding, options);
    torch::jit::Module m = operatorScript(e, reference->weights(), fmt::format("__torch__.{}", e.className));
    std::ostringstream out;
    torch::jit::ExtraFilesMap extra{{"syno.json", metadataJson}};
    m.save(out, extra);
    writeFileAtomically(path, out.str());
}

}  // namespace syno::exports
