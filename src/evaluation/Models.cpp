// Placeholders, the layer factory every network is built with, and the network facade (input padding,
// the family's body).
#include "evaluation/Models.h"

#include <cmath>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::evaluation {

namespace {

// libtorch's default for conv and linear layers (kaiming uniform with a = sqrt(5): bound 1/sqrt(fan_in)),
// drawn from our generator instead of the global one.
void initUniform(torch::Tensor& t, int64_t fanIn, at::Generator& gen) {
    torch::NoGradGuard noGrad;
    const double bound = 1.0 / std::sqrt(static_cast<double>(fanIn));
    t.uniform_(-bound, bound, gen);
}

torch::nn::Conv2d makeConv(int64_t cin, int64_t cout, int64_t kernel, int64_t stride, int64_t groups, at::Generator& gen) {
    torch::nn::Conv2d conv(
        torch::nn::Conv2dOptions(cin, cout, kernel).stride(stride).padding(kernel / 2).groups(groups).bias(false));
    initUniform(conv->weight, cin / groups * kernel * kernel, gen);
    return conv;
}

torch::nn::Linear makeLinear(int64_t cin, int64_t cout, bool bias, at::Generator& gen) {
    torch::nn::Linear linear(torch::nn::LinearOptions(cin, cout).bias(bias));
    initUniform(linear->weight, cin, gen);
    if (bias) initUniform(linear->bias, cin, gen);
    return linear;
}

// Placeholders draw from their own generator: the layers that stay then get the same values in a
// candidate network and in its baseline, whatever the operator's weights consume.
constexpr uint64_t kPlaceholderStream = 0x9E3779B97F4A7C15ull;

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
        conv = register_module("conv", makeConv(s.cin, s.cout, 3, s.stride, s.groups, gen));
    } else {
        linear = register_module("linear", makeLinear(s.cin, s.cout, false, gen));
    }
}

torch::Tensor PlaceholderImpl::forward(const torch::Tensor& x) {
    if (!op_.is_empty()) return op_->forward(slot.stride > 1 ? torch::avg_pool2d(x, slot.stride) : x);
    if (conv.is_empty()) return linear->forward(x);
    if (pooledOriginal && slot.stride > 1)
        return torch::conv2d(torch::avg_pool2d(x, slot.stride), conv->weight, {}, 1, 1, 1, slot.groups);
    return conv->forward(x);
}

LayerFactory::LayerFactory(const ModelLayout& layout, const Operator* op, const SizeContext& ctx, uint64_t seed)
    : layout_(layout),
      op_(op),
      ctx_(ctx),
      gen_(at::detail::createCPUGenerator(seed)),
      placeholderGen_(at::detail::createCPUGenerator(seed ^ kPlaceholderStream)) {}

Placeholder LayerFactory::placeholder(int64_t cin, int64_t cout, int64_t size, int stride, int groups) {
    const size_t i = placeholders_.size();
    if (i >= layout_.slots.size())
        throw Error(fmt::format("the {} network asks for more placeholders than its layout's {}", layout_.name,
                                layout_.slots.size()));
    const Slot& s = layout_.slots[i];
    if (s.cin != cin || s.cout != cout || s.size != size || s.stride != stride || s.groups != groups)
        throw Error(fmt::format("the {} network's placeholder {} is {}->{} at {} (stride {}, groups {}), its layout "
                                "says {}->{} at {} (stride {}, groups {})",
                                layout_.name, i, cin, cout, size, stride, groups, s.cin, s.cout, s.size, s.stride,
                                s.groups));
    placeholders_.push_back(Placeholder(s, layout_.convolutional(), op_, ctx_, placeholderGen_));
    return placeholders_.back();
}

torch::nn::Conv2d LayerFactory::conv(int64_t cin, int64_t cout, int64_t kernel, int64_t stride, int64_t outSize) {
    fixedFlops_ += 2.0 * static_cast<double>(cin * cout * kernel * kernel * outSize * outSize);
    return makeConv(cin, cout, kernel, stride, 1, gen_);
}

torch::nn::Linear LayerFactory::linear(int64_t cin, int64_t cout, bool bias) {
    fixedFlops_ += 2.0 * static_cast<double>(cin * cout);
    return makeLinear(cin, cout, bias, gen_);
}

NetImpl::NetImpl(const ModelLayout& layout, const Operator* op, const SizeContext& ctx, uint64_t seed) : layout_(layout) {
    LayerFactory f(layout_, op, ctx, seed);
    switch (layout.family) {
        case Family::SmallResNet:
        case Family::SmallVgg:
        case Family::Mlp: body_ = makeSmallNet(f); break;
        case Family::ResNet: body_ = makeResNet(f); break;
        case Family::ResNeXt: body_ = makeResNeXt(f); break;
        case Family::DenseNet: body_ = makeDenseNet(f); break;
    }
    register_module("net", body_);
    if (f.placeholders().size() != layout.slots.size())
        throw Error(fmt::format("the {} network made {} placeholders, its layout has {}", layout.name,
                                f.placeholders().size(), layout.slots.size()));
    placeholders_ = f.placeholders();
    fixedFlops_ = f.fixedFlops();
}

torch::Tensor NetImpl::forward(torch::Tensor x) {
    const int64_t pad = layout_.paddedSize - layout_.imageSize;
    if (pad > 0) x = torch::constant_pad_nd(x, {pad / 2, pad - pad / 2, pad / 2, pad - pad / 2});
    return body_->forward(x);
}

std::string NetImpl::scriptForward() const {
    const int64_t pad = layout_.paddedSize - layout_.imageSize;
    if (pad <= 0) return "def forward(self, x: Tensor) -> Tensor:\n    return self.net.forward(x)\n";
    return fmt::format("def forward(self, x: Tensor) -> Tensor:\n    x = torch.constant_pad_nd(x, [{0}, {1}, {0}, {1}], 0.0)\n"
                       "    return self.net.forward(x)\n",
                       pad / 2, pad - pad / 2);
}

int64_t NetImpl::parameterCount() const {
    int64_t n = 0;
    for (const auto& p : parameters()) n += p.numel();
    return n;
}

}  // namespace syno::evaluation
