// DenseNet-121 in torchvision's layout: dense layers (batch norm, ReLU, 1x1 conv to the bottleneck width,
// batch norm, ReLU, 3x3 conv to the growth rate — the placeholder) whose outputs are concatenated, and
// transitions (batch norm, ReLU, 1x1 conv halving the channels, 2x2 average pooling) between blocks.
#include <fmt/format.h>

#include "evaluation/NetworkParts.h"

namespace syno::evaluation {

namespace {

class DenseLayerImpl : public torch::nn::Module, public ScriptedForward {
public:
    DenseLayerImpl(LayerFactory& f, int64_t cin, int64_t size) {
        const Architecture& a = f.layout().arch;
        norm1_ = register_module("norm1", torch::nn::BatchNorm2d(cin));
        conv1_ = register_module("conv1", f.conv(cin, a.bottleneck, 1, 1, size));
        norm2_ = register_module("norm2", torch::nn::BatchNorm2d(a.bottleneck));
        conv2_ = register_module("conv2", f.placeholder(a.bottleneck, a.growth, size));
    }
    torch::Tensor forward(const std::vector<torch::Tensor>& features) {
        torch::Tensor x = torch::cat(features, 1);
        x = conv1_->forward(torch::relu(norm1_->forward(x)));
        return conv2_->forward(torch::relu(norm2_->forward(x)));
    }
    std::string scriptForward() const override {
        return "def forward(self, features: List[Tensor]) -> Tensor:\n"
               "    x = torch.cat(features, 1)\n"
               "    x = self.conv1.forward(torch.relu(self.norm1.forward(x)))\n"
               "    return self.conv2.forward(torch.relu(self.norm2.forward(x)))\n";
    }

private:
    torch::nn::BatchNorm2d norm1_{nullptr}, norm2_{nullptr};
    torch::nn::Conv2d conv1_{nullptr};
    Placeholder conv2_{nullptr};
};
TORCH_MODULE(DenseLayer);

class DenseNet : public NetworkBody {
public:
    explicit DenseNet(LayerFactory& f) {
        const ModelLayout& m = f.layout();
        stem_ = register_module("stem", Stem(f));
        int64_t c = m.arch.stemWidth, size = m.slots.front().size;
        for (size_t i = 0; i < m.arch.blocks.size(); ++i) {
            blocks_.emplace_back();
            for (int j = 0; j < m.arch.blocks[i]; ++j) {
                blocks_.back().push_back(
                    register_module(fmt::format("denseblock{}_layer{}", i + 1, j + 1), DenseLayer(f, c, size)));
                c += m.arch.growth;
            }
            if (i + 1 < m.arch.blocks.size()) {
                transitionNorms_.push_back(
                    register_module(fmt::format("transition{}_norm", i + 1), torch::nn::BatchNorm2d(c)));
                transitions_.push_back(register_module(fmt::format("transition{}_conv", i + 1), f.conv(c, c / 2, 1, 1, size)));
                c /= 2;
                size /= 2;
            }
        }
        finalNorm_ = register_module("norm5", torch::nn::BatchNorm2d(c));
        fc_ = register_module("classifier", f.linear(c, m.classes, true));
    }
    torch::Tensor forward(torch::Tensor x) override {
        x = stem_->forward(x);
        for (size_t i = 0; i < blocks_.size(); ++i) {
            std::vector<torch::Tensor> features{x};
            for (auto& layer : blocks_[i]) features.push_back(layer->forward(features));
            x = torch::cat(features, 1);
            if (i < transitions_.size())
                x = torch::avg_pool2d(transitions_[i]->forward(torch::relu(transitionNorms_[i]->forward(x))), 2);
        }
        return classify(torch::relu(finalNorm_->forward(x)), fc_);
    }
    std::string scriptForward() const override {
        std::string s = "def forward(self, x: Tensor) -> Tensor:\n    x = self.stem.forward(x)\n";
        for (size_t i = 0; i < blocks_.size(); ++i) {
            s += "    features = [x]\n";
            for (int j = 1; j <= static_cast<int>(blocks_[i].size()); ++j)
                s += fmt::format("    features.append(self.denseblock{}_layer{}.forward(features))\n", i + 1, j);
            s += "    x = torch.cat(features, 1)\n";
            if (i < transitions_.size())
                s += fmt::format("    x = torch.avg_pool2d(self.transition{0}_conv.forward(torch.relu(self.transition{0}_norm.forward(x))), "
                                 "[2, 2])\n",
                                 i + 1);
        }
        return s + "    return " + scriptClassify("torch.relu(self.norm5.forward(x))", "classifier") + "\n";
    }

private:
    Stem stem_{nullptr};
    std::vector<std::vector<DenseLayer>> blocks_;
    std::vector<torch::nn::BatchNorm2d> transitionNorms_;
    std::vector<torch::nn::Conv2d> transitions_;
    torch::nn::BatchNorm2d finalNorm_{nullptr};
    torch::nn::Linear fc_{nullptr};
};

}  // namespace

std::shared_ptr<NetworkBody> makeDenseNet(LayerFactory& f) { return std::make_shared<DenseNet>(f); }

}  // namespace syno::evaluation
