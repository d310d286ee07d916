#include "evaluation/ScriptNetwork.h"

#include <torch/script.h>

#include <sstream>

#include <fmt/format.h>

#include "base/AtomicFile.h"
#include "base/Error.h"
#include "evaluation/Models.h"
#include "export/OperatorScript.h"

namespace syno::evaluation {

namespace {

struct Context {
    const Operator* op;
    const SizeContext* ctx;
    std::vector<int64_t> batches;
};

std::string typeName(const std::string& path) {
    std::string t = path.empty() ? "Net" : path;
    for (char& c : t)
        if (c == '.') c = '_';
    return "__torch__.syno." + t;
}

std::string pair(const c10::ArrayRef<int64_t>& v) { return fmt::format("[{}, {}]", v[0], v[1]); }

std::string number(double x) { return fmt::format("{:.17g}", x); }

void copyTensors(const torch::nn::Module& from, torch::jit::Module& to) {
    for (const auto& p : from.named_parameters(false)) to.register_parameter(p.key(), p.value().detach().clone(), false);
    for (const auto& b : from.named_buffers(false)) to.register_buffer(b.key(), b.value().detach().clone());
}

// The TorchScript forward of a leaf module, or "" when it is not a leaf.
std::string leafForward(const torch::nn::Module& m) {
    if (const auto* c = dynamic_cast<const torch::nn::Conv2dImpl*>(&m)) {
        const auto* padding = c10::get_if<torch::ExpandingArray<2>>(&c->options.padding());
        if (!padding) throw Error("internal: a network convolution with symbolic padding");
        return fmt::format("def forward(self, x: Tensor) -> Tensor:\n    return torch.conv2d(x, self.weight, {}, {}, {}, {}, {})\n",
                           c->options.bias() ? "self.bias" : "None", pair(*c->options.stride()), pair(**padding),
                           pair(*c->options.dilation()), c->options.groups());
    }
    auto batchNorm = [](const auto& options) {
        if (!options.momentum() || !options.affine() || !options.track_running_stats())
            throw Error("internal: a network batch norm without momentum, affine weights or running statistics");
        return fmt::format("def forward(self, x: Tensor) -> Tensor:\n    if self.training:\n"
                           "        self.num_batches_tracked.add_(1)\n"
                           "    return torch.batch_norm(x, self.weight, self.bias, self.running_mean, self.running_var, "
                           "self.training, {}, {}, False)\n",
                           number(*options.momentum()), number(options.eps()));
    };
    if (const auto* b = dynamic_cast<const torch::nn::BatchNorm2dImpl*>(&m)) return batchNorm(b->options);
    if (const auto* b = dynamic_cast<const torch::nn::BatchNorm1dImpl*>(&m)) return batchNorm(b->options);
    if (const auto* l = dynamic_cast<const torch::nn::LinearImpl*>(&m))
        return fmt::format("def forward(self, x: Tensor) -> Tensor:\n    return torch.linear(x, self.weight, {})\n",
                           l->options.bias() ? "self.bias" : "None");
    return "";
}

std::string placeholderForward(const PlaceholderImpl& p) {
    const int64_t s = p.slot.stride;
    std::string body;
    if (p.runsOperator()) body = s > 1 ? fmt::format("self.op.forward(torch.avg_pool2d(x, [{0}, {0}]))", s) : "self.op.forward(x)";
    else if (p.conv.is_empty()) body = "self.linear.forward(x)";
    else if (p.pooledOriginal && s > 1)
        body = fmt::format("torch.conv2d(torch.avg_pool2d(x, [{0}, {0}]), self.conv.weight, None, [1, 1], [1, 1], [1, 1], {1})",
                           s, p.slot.groups);
    else body = "self.conv.forward(x)";
    return "def forward(self, x: Tensor) -> Tensor:\n    return " + body + "\n";
}

torch::jit::Module script(const torch::nn::Module& m, const std::string& path, const Context& c) {
    torch::jit::Module out(typeName(path));
    out.register_attribute("training", c10::BoolType::get(), m.is_training());
    copyTensors(m, out);
    if (const auto* p = dynamic_cast<const PlaceholderImpl*>(&m)) {
        for (const auto& child : m.named_children()) {
            const std::string childPath = path + "." + child.key();
            if (const auto* op = dynamic_cast<const plans::PlanModuleImpl*>(child.value().get())) {
                if (!c.op || !c.ctx) throw Error("internal: a placeholder runs an operator the export was not given");
                exports::ExportOptions options;
                options.bindings = {p->slot.binding};
                options.batches = c.batches;
                options.className = "Op";
                const exports::ExportedOperator e = exports::prepareExport(*c.op, *c.ctx, options);
                torch::jit::Module opModule = exports::operatorScript(e, op->weights(), typeName(childPath));
                opModule.register_attribute("training", c10::BoolType::get(), op->is_training());
                out.register_module(child.key(), opModule);
            } else {
                out.register_module(child.key(), script(*child.value(), childPath, c));
            }
        }
        exports::defineMethods(out, placeholderForward(*p));
        return out;
    }
    const std::string leaf = leafForward(m);
    if (!leaf.empty()) {
        exports::defineMethods(out, leaf);
        return out;
    }
    const auto* composite = dynamic_cast<const ScriptedForward*>(&m);
    if (!composite) throw Error(fmt::format("internal: no TorchScript for the module at '{}' ({})", path, m.name()));
    for (const auto& child : m.named_children())
        out.register_module(child.key(), script(*child.value(), path.empty() ? child.key() : path + "." + child.key(), c));
    exports::defineMethods(out, composite->scriptForward());
    return out;
}

}  // namespace

void writeNetworkScript(const NetImpl& net, const Operator* op, const SizeContext* ctx,
                        const std::vector<int64_t>& batches, const std::string& metadataJson, const std::string& path) {
    torch::jit::Module m = script(net, "", Context{op, ctx, batches});
    std::ostringstream out;
    m.save(out, torch::jit::ExtraFilesMap{{"syno.json", metadataJson}});
    writeFileAtomically(path, out.str());
}

}  // namespace syno::evaluation
