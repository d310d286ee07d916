#include "oracle/TorchLayers.h"

#include <torch/torch.h>

#include <fmt/format.h>

namespace syno::oracle {

namespace {

torch::Tensor toTorch(const Tensor& t, bool grad) {
    auto out = torch::from_blob(const_cast<double*>(t.data.data()), t.shape, torch::kDouble).clone();
    return out.set_requires_grad(grad);
}

Tensor fromTorch(const torch::Tensor& t, const std::vector<int64_t>& shape) {
    auto c = t.detach().to(torch::kDouble).contiguous().reshape(shape);
    Tensor out;
    out.shape = shape;
    out.data.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    return out;
}

// Runs f on torch copies of the inputs, back-propagates gradOut, and converts everything back.
template <class F>
LayerRun run(const Tensor& x, const std::vector<const Tensor*>& weights, const Tensor& gradOut, F f) {
    auto tx = toTorch(x, true);
    std::vector<torch::Tensor> tw;
    for (const Tensor* w : weights) tw.push_back(toTorch(*w, true));
    torch::Tensor y = f(tx, tw);
    y.backward(toTorch(gradOut, false).reshape(y.sizes()));
    LayerRun r;
    r.output = fromTorch(y, std::vector<int64_t>(y.sizes().begin(), y.sizes().end()));
    r.gradInput = fromTorch(tx.grad(), x.shape);
    for (size_t i = 0; i < weights.size(); ++i) r.gradWeights.push_back(fromTorch(tw[i].grad(), weights[i]->shape));
    return r;
}

}  // namespace

LayerRun conv2d(const Tensor& x, const Tensor& w, const std::vector<int64_t>& torchWeightShape, int64_t padding,
                int64_t dilation, int64_t groups, const Tensor& gradOut) {
    return run(x, {&w}, gradOut, [&](const torch::Tensor& tx, const std::vector<torch::Tensor>& tw) {
        return torch::conv2d(tx, tw[0].reshape(torchWeightShape), {}, 1, padding, dilation, groups);
    });
}

LayerRun groupedConv2dInputMajor(const Tensor& x, const Tensor& w, int64_t groups, const Tensor& gradOut) {
    return run(x, {&w}, gradOut, [&](const torch::Tensor& tx, const std::vector<torch::Tensor>& tw) {
        auto s = tw[0].sizes();  // [C_in, C_out/g, k, k] = [g, C_in/g, C_out/g, k, k]
        auto torchWeight = tw[0]
                               .reshape({groups, s[0] / groups, s[1], s[2], s[3]})
                               .permute({0, 2, 1, 3, 4})
                               .reshape({groups * s[1], s[0] / groups, s[2], s[3]});
        return torch::conv2d(tx, torchWeight, {}, 1, s[2] / 2, 1, groups);
    });
}

LayerRun linear(const Tensor& x, const Tensor& w, const Tensor& gradOut) {
    return run(x, {&w}, gradOut, [](const torch::Tensor& tx, const std::vector<torch::Tensor>& tw) {
        return torch::linear(tx, tw[0]);
    });
}

LayerRun avgPool2d(const Tensor& x, int64_t kernel, int64_t padding, const Tensor& gradOut) {
    return run(x, {}, gradOut, [&](const torch::Tensor& tx, const std::vector<torch::Tensor>&) {
        return torch::avg_pool2d(tx, kernel, kernel, padding, /*ceil_mode=*/false, /*count_include_pad=*/true);
    });
}

LayerRun rollThenConv1x1(const Tensor& x, const Tensor& w, int64_t shifts, const Tensor& gradOut) {
    return run(x, {&w}, gradOut, [&](const torch::Tensor& tx, const std::vector<torch::Tensor>& tw) {
        auto rolled = torch::roll(tx, {shifts}, {2});
        return torch::conv2d(rolled, tw[0].reshape({tw[0].size(0), tw[0].size(1), 1, 1}));
    });
}

void setThreads(int threads) {
    if (threads > 0) torch::set_num_threads(threads);
}

std::string describeBackend() {
    return fmt::format("libtorch {}, {} intra-op thread(s), oneDNN {}", TORCH_VERSION,
                       torch::get_num_threads(), at::hasMKLDNN() ? "on" : "off");
}

}  // namespace syno::oracle
