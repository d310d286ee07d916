#include "export/Reference.h"

#include <torch/torch.h>
#include <torch/serialize.h>

#include <fmt/format.h>

#include "base/AtomicFile.h"
#include "base/Error.h"
#include "plans/PlanModule.h"

namespace syno::exports {

void writeReference(const Operator& op, const SizeContext& ctx, int binding, uint64_t seed,
                    const std::vector<int64_t>& batches, const std::string& path) {
    plans::ModuleOptions options;
    options.seed = seed;
    plans::PlanModule module(op, ctx, binding, options);
    c10::Dict<std::string, at::Tensor> out;
    const auto weights = module->weights();
    for (size_t w = 0; w < weights.size(); ++w) out.insert(fmt::format("w{}", w + 1), weights[w].detach().clone());
    // A generator of our own, seeded apart from the weights'.
    auto gen = at::detail::createCPUGenerator(seed + 1000);
    for (int64_t n : batches) {
        std::vector<int64_t> shape = module->plan().inputShape;
        shape[0] = n;
        torch::Tensor x = at::randn(shape, gen).set_requires_grad(true);
        for (auto& w : module->weights()) w.mutable_grad() = torch::Tensor();
        torch::Tensor y = module->forward(x);
        torch::Tensor gy = at::randn(y.sizes(), gen);
        y.backward(gy);
        out.insert(fmt::format("x{}", n), x.detach().clone());
        out.insert(fmt::format("y{}", n), y.detach().contiguous());
        out.insert(fmt::format("gy{}", n), gy);
        out.insert(fmt::format("gx{}", n), x.grad().clone());
        const auto ws = module->weights();
        for (size_t w = 0; w < ws.size(); ++w)
            out.insert(fmt::format("gw{}_{}", w + 1, n),
                       ws[w].grad().defined() ? ws[w].grad().clone() : torch::zeros_like(ws[w]));
        torch::NoGradGuard noGrad;
        out.insert(fmt::format("yi{}", n), module->forward(x.detach()).contiguous());
    }
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(out));
    writeFileAtomically(path, std::string(bytes.begin(), bytes.end()));
}

}  // namespace syno::exports
