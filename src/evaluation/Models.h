#pragma once
// The torch modules of the models in ModelCatalog.h. A Placeholder runs either the original layer
// (torch conv2d 3x3 same padding / linear, no bias: batch norm follows) or the candidate operator through
// plans::PlanModule at its own binding (the batch variable N is rebound per batch). Includes torch: only
// for the evaluation's torch-facing .cpp files and tests.
//
// Every weight is initialised from one explicit generator (never libtorch's global one), so the same seed
// gives the same model in any thread; layers that are not placeholders get the same values in a candidate
// model and in its baseline.
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
};
TORCH_MODULE(Placeholder);

class NetImpl : public torch::nn::Module {
public:
    // op == nullptr: the baseline (ctx unused). Otherwise ctx = placeholderContext(layout, *op).
    NetImpl(const ModelLayout& layout, const Operator* op, const SizeContext& ctx, uint64_t seed);
    torch::Tensor forward(torch::Tensor x);  // [B, 1, 28, 28] normalised images -> [B, 10] logits

    const std::vector<Placeholder>& placeholders() const { return placeholders_; }
    int64_t parameterCount() const;

private:
    torch::Tensor block(size_t stage, torch::Tensor x);

    ModelLayout layout_;
    torch::nn::Conv2d stem_{nullptr};
    torch::nn::BatchNorm2d stemNorm_{nullptr};
    std::vector<Placeholder> placeholders_;
    std::vector<torch::nn::AnyModule> norms_;  // one per placeholder (BatchNorm2d or BatchNorm1d)
    std::vector<torch::nn::Conv2d> shortcuts_;  // per stage; empty holder where the shortcut is the identity
    std::vector<torch::nn::BatchNorm2d> shortcutNorms_;
    torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(Net);

}  // namespace syno::evaluation
