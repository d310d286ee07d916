// ResNet-18 and ResNet-34 in torchvision's layout: basic blocks of two 3x3 convs (both placeholders; the
// first of a downsampling stage strided), a 1x1 strided downsample on the shortcut where the shape changes.
#include <fmt/format.h>

#include "evaluation/NetworkParts.h"

namespace syno::evaluation {

namespace {

class BasicBlockImpl : public torch::nn::Module, public ScriptedForward {
public:
    BasicBlockImpl(LayerFactory& f, int64_t cin, int64_t width, int64_t size, int stride) {
        conv1_ = register_module("conv1", f.placeholder(cin, width, size, stride));
        bn1_ = register_module("bn1", torch::nn::BatchNorm2d(width));
        conv2_ = register_module("conv2", f.placeholder(width, width, size));
        bn2_ = register_module("bn2", torch::nn::BatchNorm2d(width));
        if (stride != 1 || cin != width) {
            down_ = register_module("downsample", f.conv(cin, width, 1, stride, size));
            downNorm_ = register_module("downsample_norm", torch::nn::BatchNorm2d(width));
        }
    }
    torch::Tensor forward(const torch::Tensor& x) {
        torch::Tensor y = torch::relu(bn1_->forward(conv1_->forward(x)));
        y = bn2_->forward(conv2_->forward(y));
        const torch::Tensor shortcut = down_.is_empty() ? x : downNorm_->forward(down_->forward(x));
        return torch::relu(y + shortcut);
    }
    std::string scriptForward() const override {
        return std::string("def forward(self, x: Tensor) -> Tensor:\n"
                           "    y = torch.relu(self.bn1.forward(self.conv1.forward(x)))\n"
                           "    y = self.bn2.forward(self.conv2.forward(y))\n") +
               (down_.is_empty() ? "    return torch.relu(y + x)\n"
                                 : "    return torch.relu(y + self.downsample_norm.forward(self.downsample.forward(x)))\n");
    }

private:
    Placeholder conv1_{nullptr}, conv2_{nullptr};
    torch::nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr}, downNorm_{nullptr};
    torch::nn::Conv2d down_{nullptr};
};
TORCH_MODULE(BasicBlock);

class ResNet : public NetworkBody {
public:
    explicit ResNet(LayerFactory& f) {
        const ModelLayout& m = f.layout();
        stem_ = register_module("stem", Stem(f));
        int64_t cin = m.arch.stemWidth, size = m.slots.front().size;
        for (size_t i = 0; i < m.arch.widths.size(); ++i)
            for (int j = 0; j < m.arch.blocks[i]; ++j) {
                const int stride = i > 0 && j == 0 ? 2 : 1;
                size /= stride;
                names_.push_back(fmt::format("layer{}_{}", i + 1, j));
                blocks_.push_back(register_module(names_.back(), BasicBlock(f, cin, m.arch.widths[i], size, stride)));
                cin = m.arch.widths[i];
            }
        fc_ = register_module("fc", f.linear(cin, m.classes, true));
    }
    torch::Tensor forward(torch::Tensor x) override {
        x = stem_->forward(x);
        for (auto& b : blocks_) x = b->forward(x);
        return classify(x, fc_);
    }
    std::string scriptForward() const override {
        std::string s = "def forward(self, x: Tensor) -> Tensor:\n    x = self.stem.forward(x)\n";
        for (const auto& name : names_) s += fmt::format("    x = self.{}.forward(x)\n", name);
        return s + "    return " + scriptClassify("x", "fc") + "\n";
    }

private:
    std::vector<std::string> names_;  // of the blocks
    Stem stem_{nullptr};
    std::vector<BasicBlock> blocks_;
    torch::nn::Linear fc_{nullptr};
};

}  // namespace

std::shared_ptr<NetworkBody> makeResNet(LayerFactory& f) { return std::make_shared<ResNet>(f); }

}  // namespace syno::evaluation
