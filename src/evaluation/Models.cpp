#include "evaluation/Models.h"

#include <cmath>

#include <fmt/format.h>

#include "base/Error.h"
#include "evaluation/FashionMnist.h"

namespace syno::evaluation {

namespace {

// libtorch's default for conv and linear layers (kaiming uniform with a = sqrt(5): bound 1/sqrt(fan_in)),
// drawn from our generator instead of the global one.
void initUniform(torch::Tensor& t, int64_t fanIn, at::Generator& gen) {
    torch::NoGradGuard noGrad;
    const double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
    t.uniform_(-bound, bound, gen);
}

torch::nn::Conv2d makeConv(int64_t cin, int64_t cout, int64_t kernel, at::Generator& gen) {
    torch::nn::Conv2d conv(torch::nn::Conv2dOptions(cin, cout, kernel).padding(kernel / 2).bias(false));
    initUniform(conv->weight, cin * kernel * kernel, gen);
    return conv;
}

torch::nn::Linear makeLinear(int64_t cin, int64_t cout, bool bias, at::Generator& gen) {
    torch::nn::Linear linear(torch::nn::LinearOptions(cin, cout).bias(bias));
    initUniform(linear->weight, cin, gen);
    if (bias) initUniform(linear->bias, cin, gen);
    return linear;
}

}  // namespace

PlaceholderImpl::PlaceholderImpl(const Slot& s, bool convolutional, const Operator* op, const SizeContext& ctx,
                                 at::Generator& gen)
    : slot(s) {
    if (op) {
        op_ = register_module("op", plans::PlanModule(*op, ctx, s.binding));
        // PlanModule draws from the global generator; redraw from ours (same fan-in scale) for determinism.
        torch::NoGradGuard noGrad;
        auto weights = op_->weights();
        for (size_t w = 0; w < weights.size(); ++w) weights[w].normal_(0, op_->plan().initStd[w], gen);
    } else if (convolutional) {
        conv = register_module("conv", makeConv(s.cin, s.cout, 3, gen));
    } else {
        linear = register_module("linear", makeLinear(s.cin, s.cout, false, gen));
    }
}

torch::Tensor PlaceholderImpl::forward(const torch::Tensor& x) {
    if (!op_.is_empty()) return op_->forward(x);
    return conv.is_empty() ? linear->forward(x) : conv->forward(x);
}

NetImpl::NetImpl(const ModelLayout& layout, const Operator* op, const SizeContext& ctx, uint64_t seed) : layout_(layout) {
    auto gen = at::detail::createCPUGenerator(seed);
    const bool conv = layout.convolutional();
    if (conv) {
        stem_ = register_module("stem", makeConv(1, layout.widths[0], 3, gen));
        stemNorm_ = register_module("stem_norm", torch::nn::BatchNorm2d(layout.widths[0]));
    }
    for (size_t i = 0; i < layout.slots.size(); ++i) {
        const Slot& s = layout.slots[i];
        placeholders_.push_back(register_module(fmt::format("slot{}", i), Placeholder(s, conv, op, ctx, gen)));
        if (conv)
            norms_.emplace_back(register_module(fmt::format("norm{}", i), torch::nn::BatchNorm2d(s.cout)));
        else
            norms_.emplace_back(register_module(fmt::format("norm{}", i), torch::nn::BatchNorm1d(s.cout)));
    }
    if (layout.kind == ModelKind::ResNet) {
        int64_t cin = layout.widths[0];
        for (size_t st = 0; st < layout.widths.size(); ++st) {
            const int64_t w = layout.widths[st];
            if (cin != w || st > 0) {  // the map shrinks or the channels change: a 1x1 shortcut
                shortcuts_.push_back(register_module(fmt::format("shortcut{}", st), makeConv(cin, w, 1, gen)));
                shortcutNorms_.push_back(register_module(fmt::format("shortcut_norm{}", st), torch::nn::BatchNorm2d(w)));
            } else {
                shortcuts_.emplace_back(nullptr);
                shortcutNorms_.emplace_back(nullptr);
            }
            cin = w;
        }
    }
    const int64_t features = layout.convolutional() ? layout.widths.back() : layout.slots.back().cout;
    classifier_ = register_module("classifier", makeLinear(features, kClasses, true, gen));
}

torch::Tensor NetImpl::block(size_t stage, torch::Tensor x) {
    // Stage st owns placeholders 2*st and 2*st + 1; a stage after the first halves the map first.
    auto layer = [&](size_t i, const torch::Tensor& in) { return norms_[i].forward(placeholders_[i]->forward(in)); };
    const size_t first = 2 * stage;
    torch::Tensor in = stage > 0 ? torch::avg_pool2d(x, 2) : x;
    if (layout_.kind == ModelKind::Vgg) {
        torch::Tensor y = torch::relu(layer(first, in));
        return torch::relu(layer(first + 1, y));
    }
    torch::Tensor y = torch::relu(layer(first, in));
    y = layer(first + 1, y);
    torch::Tensor shortcut = x;
    if (!shortcuts_[stage].is_empty()) shortcut = shortcutNorms_[stage]->forward(shortcuts_[stage]->forward(in));
    return torch::relu(y + shortcut);
}

torch::Tensor NetImpl::forward(torch::Tensor x) {
    if (layout_.kind == ModelKind::Mlp) {
        x = x.flatten(1);
        for (size_t i = 0; i < placeholders_.size(); ++i) x = torch::relu(norms_[i].forward(placeholders_[i]->forward(x)));
        return classifier_->forward(x);
    }
    x = torch::relu(stemNorm_->forward(stem_->forward(x)));
    for (size_t st = 0; st < layout_.widths.size(); ++st) x = block(st, x);
    return classifier_->forward(torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
}

int64_t NetImpl::parameterCount() const {
    int64_t n = 0;
    for (const auto& p : parameters()) n += p.numel();
    return n;
}

}  // namespace syno::evaluation
