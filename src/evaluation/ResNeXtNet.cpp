// ResNeXt-29 2x64d: bottleneck blocks (1x1 reduce, grouped 3x3 — the placeholder, strided in the first
// block of a downsampling stage — 1x1 expand), a 1x1 projection on the shortcut where the shape changes.
#include <fmt/format.h>

#include "evaluation/NetworkParts.h"

namespace syno::evaluation {

namespace {

class BottleneckImpl : public torch::nn::Module, public ScriptedForward {
public:
    BottleneckImpl(LayerFactory& f, int64_t cin, int64_t width, int64_t out, int64_t inSize, int stride, int groups) {
        const int64_t size = inSize / stride;
        reduce_ = register_module("conv_reduce", f.conv(cin, width, 1, 1, inSize));
        bnReduce_ = register_module("bn_reduce", torch::nn::BatchNorm2d(width));
        conv_ = register_module("conv_conv", f.placeholder(width, width, size, stride, groups));
        bn_ = register_module("bn", torch::nn::BatchNorm2d(width));
        expand_ = register_module("conv_expand", f.conv(width, out, 1, 1, size));
        bnExpand_ = register_module("bn_expand", torch::nn::BatchNorm2d(out));
        if (stride != 1 || cin != out) {
            shortcut_ = register_module("shortcut", f.conv(cin, out, 1, stride, size));
            shortcutNorm_ = register_module("shortcut_norm", torch::nn::BatchNorm2d(out));
        }
    }
    torch::Tensor forward(const torch::Tensor& x) {
        torch::Tensor y = torch::relu(bnReduce_->forward(reduce_->forward(x)));
        y = torch::relu(bn_->forward(conv_->forward(y)));
        y = bnExpand_->forward(expand_->forward(y));
        const torch::Tensor shortcut = shortcut_.is_empty() ? x : shortcutNorm_->forward(shortcut_->forward(x));
        return torch::relu(y + shortcut);
    }
    std::string scriptForward() const override {
        return std::string("def forward(self, x: Tensor) -> Tensor:\n"
                           "    y = torch.relu(self.bn_reduce.forward(self.conv_reduce.forward(x)))\n"
                           "    y = torch.relu(self.bn.forward(self.conv_conv.forward(y)))\n"
                           "    y = self.bn_expand.forward(self.conv_expand.forward(y))\n") +
               (shortcut_.is_empty() ? "    return torch.relu(y + x)\n"
                                     : "    return torch.relu(y + self.shortcut_norm.forward(self.shortcut.forward(x)))\n");
    }

private:
    torch::nn::Conv2d reduce_{nullptr}, expand_{nullptr}, shortcut_{nullptr};
    Placeholder conv_{nullptr};
    torch::nn::BatchNorm2d bnReduce_{nullptr}, bn_{nullptr}, bnExpand_{nullptr}, shortcutNorm_{nullptr};
};
TORCH_MODULE(Bottleneck);

class ResNeXt : public NetworkBody {
public:
    explicit ResNeXt(LayerFactory& f) {
        const ModelLayout& m = f.layout();
        stem_ = register_module("stem", Stem(f));
        int64_t cin = m.arch.stemWidth;
        int64_t size = m.slots.front().size;
        for (size_t i = 0; i < m.arch.widths.size(); ++i) {
            const int64_t width = m.arch.widths[i], out = 2 * width;
            for (int j = 0; j < m.arch.blocks[i]; ++j) {
                const int stride = i > 0 && j == 0 ? 2 : 1;
                names_.push_back(fmt::format("stage{}_{}", i + 1, j));
                blocks_.push_back(register_module(names_.back(), Bottleneck(f, cin, width, out, size, stride, m.arch.cardinality)));
                size /= stride;
                cin = out;
            }
        }
        fc_ = register_module("classifier", f.linear(cin, m.classes, true));
    }
    torch::Tensor forward(torch::Tensor x) override {
        x = stem_->forward(x);
        for (auto& b : blocks_) x = b->forward(x);
        return classify(x, fc_);
    }
    std::string scriptForward() const override {
        std::string s = "def forward(self, x: Tensor) -> Tensor:\n    x = self.stem.forward(x)\n";
        for (const auto& name : names_) s += fmt::format("    x = self.{}.forward(x)\n", name);
        return s + "    return " + scriptClassify("x", "classifier") + "\n";
    }

private:
    std::vector<std::string> names_;  // of the blocks
    Stem stem_{nullptr};
    std::vector<Bottleneck> blocks_;
    torch::nn::Linear fc_{nullptr};
};

}  // namespace

std::shared_ptr<NetworkBody> makeResNeXt(LayerFactory& f) { return std::make_shared<ResNeXt>(f); }

}  // namespace syno::evaluation
