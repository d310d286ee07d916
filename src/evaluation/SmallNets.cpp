// The small models' bodies: a ResNet and a VGG-style CNN of three stages (two placeholders each), and an
// MLP of linear placeholders.
#include <fmt/format.h>

#include "evaluation/FashionMnist.h"
#include "evaluation/Models.h"

namespace syno::evaluation {

namespace {

class SmallNet : public NetworkBody {
public:
    explicit SmallNet(LayerFactory& f) : family_(f.layout().family), widths_(f.layout().arch.widths) {
        const ModelLayout& layout = f.layout();
        const bool conv = layout.convolutional();
        if (conv) {
            stem_ = register_module("stem", f.conv(1, layout.arch.stemWidth, 3, 1, layout.imageSize));
            stemNorm_ = register_module("stem_norm", torch::nn::BatchNorm2d(layout.arch.stemWidth));
        }
        for (size_t i = 0; i < layout.slots.size(); ++i) {
            const Slot& s = layout.slots[i];
            placeholders_.push_back(register_module(fmt::format("slot{}", i), f.placeholder(s.cin, s.cout, s.size)));
            if (conv)
                norms_.emplace_back(register_module(fmt::format("norm{}", i), torch::nn::BatchNorm2d(s.cout)));
            else
                norms_.emplace_back(register_module(fmt::format("norm{}", i), torch::nn::BatchNorm1d(s.cout)));
        }
        if (family_ == Family::SmallResNet) {
            int64_t cin = layout.arch.stemWidth;
            for (size_t st = 0; st < widths_.size(); ++st) {
                const int64_t w = widths_[st];
                if (cin != w || st > 0) {  // the map shrinks or the channels change: a 1x1 shortcut
                    const int64_t size = layout.slots[2 * st].size;
                    shortcuts_.push_back(register_module(fmt::format("shortcut{}", st), f.conv(cin, w, 1, 1, size)));
                    shortcutNorms_.push_back(
                        register_module(fmt::format("shortcut_norm{}", st), torch::nn::BatchNorm2d(w)));
                } else {
                    shortcuts_.emplace_back(nullptr);
                    shortcutNorms_.emplace_back(nullptr);
                }
                cin = w;
            }
        }
        const int64_t features = conv ? widths_.back() : layout.slots.back().cout;
        classifier_ = register_module("classifier", f.linear(features, layout.classes, true));
    }

    torch::Tensor forward(torch::Tensor x) override {
        if (family_ == Family::Mlp) {
            x = x.flatten(1);
            for (size_t i = 0; i < placeholders_.size(); ++i)
                x = torch::relu(norms_[i].forward(placeholders_[i]->forward(x)));
            return classifier_->forward(x);
        }
        x = torch::relu(stemNorm_->forward(stem_->forward(x)));
        for (size_t st = 0; st < widths_.size(); ++st) x = block(st, x);
        return classifier_->forward(torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
    }

    std::string scriptForward() const override {
        std::string s = "def forward(self, x: Tensor) -> Tensor:\n";
        auto layer = [](size_t i, const std::string& in) { return fmt::format("self.norm{0}.forward(self.slot{0}.forward({1}))", i, in); };
        if (family_ == Family::Mlp) {
            s += "    x = x.flatten(1)\n";
            for (size_t i = 0; i < placeholders_.size(); ++i) s += fmt::format("    x = torch.relu({})\n", layer(i, "x"));
            return s + "    return self.classifier.forward(x)\n";
        }
        s += "    x = torch.relu(self.stem_norm.forward(self.stem.forward(x)))\n";
        for (size_t st = 0; st < widths_.size(); ++st) {
            const size_t first = 2 * st;
            s += st > 0 ? "    inp = torch.avg_pool2d(x, [2, 2])\n" : "    inp = x\n";
            s += fmt::format("    y = torch.relu({})\n", layer(first, "inp"));
            if (family_ == Family::SmallVgg) {
                s += fmt::format("    x = torch.relu({})\n", layer(first + 1, "y"));
                continue;
            }
            s += fmt::format("    y = {}\n", layer(first + 1, "y"));
            s += shortcuts_[st].is_empty() ? "    x = torch.relu(y + x)\n"
                                           : fmt::format("    x = torch.relu(y + self.shortcut_norm{0}.forward(self.shortcut{0}.forward(inp)))\n", st);
        }
        return s + "    return self.classifier.forward(torch.adaptive_avg_pool2d(x, [1, 1]).flatten(1))\n";
    }

private:
    torch::Tensor block(size_t stage, const torch::Tensor& x) {
        // Stage st owns placeholders 2*st and 2*st + 1; a stage after the first halves the map first.
        auto layer = [&](size_t i, const torch::Tensor& in) { return norms_[i].forward(placeholders_[i]->forward(in)); };
        const size_t first = 2 * stage;
        torch::Tensor in = stage > 0 ? torch::avg_pool2d(x, 2) : x;
        torch::Tensor y = torch::relu(layer(first, in));
        if (family_ == Family::SmallVgg) return torch::relu(layer(first + 1, y));
        y = layer(first + 1, y);
        torch::Tensor shortcut = x;
        if (!shortcuts_[stage].is_empty()) shortcut = shortcutNorms_[stage]->forward(shortcuts_[stage]->forward(in));
        return torch::relu(y + shortcut);
    }

    Family family_;
    std::vector<int64_t> widths_;
    torch::nn::Conv2d stem_{nullptr};
    torch::nn::BatchNorm2d stemNorm_{nullptr};
    std::vector<Placeholder> placeholders_;
    std::vector<torch::nn::AnyModule> norms_;  // one per placeholder (BatchNorm2d or BatchNorm1d)
    std::vector<torch::nn::Conv2d> shortcuts_;  // per stage; empty holder where the shortcut is the identity
    std::vector<torch::nn::BatchNorm2d> shortcutNorms_;
    torch::nn::Linear classifier_{nullptr};
};

}  // namespace

std::shared_ptr<NetworkBody> makeSmallNet(LayerFactory& f) { return std::make_shared<SmallNet>(f); }

}  // namespace syno::evaluation
