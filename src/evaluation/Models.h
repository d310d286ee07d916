#pragma once
// The torch modules of the models in ModelCatalog.h. A Placeholder runs either the original layer
// (torch conv2d 3x3 same padding, strided or grouped as the network has it, or linear; no bias: batch norm
// follows) or the candidate operator through plans::PlanModule at its own binding (the batch variable N is
// rebound per batch; a strided slot pools 2x2 first). Includes torch: only for the evaluation's
// torch-facing .cpp files and tests.
//
// Every weight is initialised from one explicit generator (never libtorch's global one), so the same seed
// gives the same model in any thread; layers that are not placeholders get the same values in a candidate
// model and in its baseline.
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "evaluation/ModelCatalog.h"
#include "ir/Operator.h"
#include "plans/PlanModule.h"

namespace syno::evaluation {

class PlaceholderImpl : public torch::nn::Module {
public:
    // op == nullptr: the original layer. ctx holds the spec's bindings over op's variables.
    PlaceholderImpl(const Slot& slot, bool convolutional, const Operator* op, const SizeContext& ctx, at::Generator& gen);
    torch::Tensor forward(const torch::Tensor& x);

    bool runsOperator() const { return !op_.is_empty(); }
    torch::nn::Conv2d conv{nullptr};     // registered as "conv" when original and convolutional
    torch::nn::Linear linear{nullptr};   // "linear"
    plans::PlanModule op_{nullptr};      // "op" (its weights "op.w1", ...)
    Slot slot;
    // For tests only: an original strided slot runs 2x2 average pooling then its conv at stride 1, the
    // computation an operator in the slot replaces.
    bool pooledOriginal = false;
};
TORCH_MODULE(Placeholder);

// Makes a network's layers in forward order: placeholders (checked against the layout's slots) and the
// layers that stay, each initialised from one generator, their FLOPs counted.
class LayerFactory {
public:
    LayerFactory(const ModelLayout& layout, const Operator* op, const SizeContext& ctx, uint64_t seed);
    // The next slot's placeholder; throws syno::Error if the network asks for another shape than the layout.
    Placeholder placeholder(int64_t cin, int64_t cout, int64_t size, int stride = 1, int groups = 1);
    // A conv that stays: same padding, no bias; `outSize` is its output map's side, for the FLOPs count.
    torch::nn::Conv2d conv(int64_t cin, int64_t cout, int64_t kernel, int64_t stride, int64_t outSize);
    torch::nn::Linear linear(int64_t cin, int64_t cout, bool bias);

    const ModelLayout& layout() const { return layout_; }
    const std::vector<Placeholder>& placeholders() const { return placeholders_; }
    double fixedFlops() const { return fixedFlops_; }

private:
    const ModelLayout& layout_;
    const Operator* op_;
    const SizeContext& ctx_;
    at::Generator gen_, placeholderGen_;
    std::vector<Placeholder> placeholders_;
    double fixedFlops_ = 0;
};

// Every composite module of a network writes its forward in TorchScript as well, its children called by
// their registered names, so that a trained network can be saved as TorchScript (ScriptNetwork.h); the
// leaves (convolutions, batch norms, linear layers, placeholders) are written by the exporter. A test
// compares both forwards for every model.
class ScriptedForward {
public:
    virtual ~ScriptedForward() = default;
    virtual std::string scriptForward() const = 0;  // "def forward(self, x: Tensor) -> Tensor: ..."
};

// A network's layers; NetImpl pads the input and calls it.
class NetworkBody : public torch::nn::Module, public ScriptedForward {
public:
    virtual torch::Tensor forward(torch::Tensor x) = 0;
};

// One per family, in SmallNets.cpp, ResNetNets.cpp, ResNeXtNet.cpp and DenseNetNet.cpp.
std::shared_ptr<NetworkBody> makeSmallNet(LayerFactory& f);
std::shared_ptr<NetworkBody> makeResNet(LayerFactory& f);
std::shared_ptr<NetworkBody> makeResNeXt(LayerFactory& f);
std::shared_ptr<NetworkBody> makeDenseNet(LayerFactory& f);

class NetImpl : public torch::nn::Module, public ScriptedForward {
public:
    // op == nullptr: the baseline (ctx unused). Otherwise ctx = placeholderContext(layout, *op).
    NetImpl(const ModelLayout& layout, const Operator* op, const SizeContext& ctx, uint64_t seed);
    // [B, inChannels, imageSize, imageSize] normalised images -> [B, classes] logits
    torch::Tensor forward(torch::Tensor x);
    std::string scriptForward() const override;

    const std::vector<Placeholder>& placeholders() const { return placeholders_; }
    const ModelLayout& layout() const { return layout_; }
    int64_t parameterCount() const;
    double fixedFlops() const { return fixedFlops_; }  // counted while building (tests check the catalog's)

private:
    ModelLayout layout_;
    std::shared_ptr<NetworkBody> body_;
    std::vector<Placeholder> placeholders_;
    double fixedFlops_ = 0;
};
TORCH_MODULE(Net);

}  // namespace syno::evaluation
