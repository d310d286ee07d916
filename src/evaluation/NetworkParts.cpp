#include "evaluation/NetworkParts.h"

#include <fmt/format.h>

namespace syno::evaluation {

StemImpl::StemImpl(LayerFactory& f) {
    const ModelLayout& m = f.layout();
    const bool deployment = m.instance == Instance::Deployment;
    const int64_t convOut = deployment ? m.paddedSize / 2 : m.paddedSize;
    conv_ = register_module("conv", f.conv(m.inChannels, m.arch.stemWidth, deployment ? 7 : 3, deployment ? 2 : 1, convOut));
    norm_ = register_module("norm", torch::nn::BatchNorm2d(m.arch.stemWidth));
}

torch::Tensor StemImpl::forward(const torch::Tensor& x) {
    // libtorch 1.13's max pool on NCHW takes 2.9 ms at [1, 64, 112, 112] (2 threads), a seventh of
    // ResNet-18; on a channels-last copy 0.26 ms. The same for the baseline and every candidate.
    torch::Tensor y = norm_->forward(conv_->forward(x));
    y.relu_();
    return torch::max_pool2d(y.contiguous(torch::MemoryFormat::ChannelsLast), 3, 2, 1).contiguous();
}

std::string StemImpl::scriptForward() const {
    // Memory formats are integers in the TorchScript that C++ compiles (2: channels-last).
    return "def forward(self, x: Tensor) -> Tensor:\n"
           "    y = torch.relu(self.norm.forward(self.conv.forward(x)))\n"
           "    return torch.max_pool2d(y.contiguous(memory_format=2), [3, 3], [2, 2], [1, 1], [1, 1], False).contiguous()\n";
}

std::string scriptClassify(const std::string& x, const std::string& classifier) {
    return fmt::format("self.{}.forward(torch.adaptive_avg_pool2d({}, [1, 1]).flatten(1))", classifier, x);
}

torch::Tensor classify(const torch::Tensor& features, torch::nn::Linear& classifier) {
    return classifier->forward(torch::adaptive_avg_pool2d(features, {1, 1}).flatten(1));
}

}  // namespace syno::evaluation
