#pragma once
// Parts the real networks share: the stem of each instance and the classifier head. Includes torch.
#include "evaluation/Models.h"

namespace syno::evaluation {

// Deployment: torchvision's 7x7/2 conv, batch norm, ReLU, 3x3/2 max pool. Training: a 3x3 stride-1 conv,
// batch norm, ReLU, the same max pool (32x32 -> 16x16).
class StemImpl : public torch::nn::Module, public ScriptedForward {
public:
    explicit StemImpl(LayerFactory& f);
    torch::Tensor forward(const torch::Tensor& x);
    std::string scriptForward() const override;

private:
    torch::nn::Conv2d conv_{nullptr};
    torch::nn::BatchNorm2d norm_{nullptr};
};
TORCH_MODULE(Stem);

// Global average pooling, then a linear classifier with bias; the same as TorchScript, applied to `x` by
// the child `classifier`.
torch::Tensor classify(const torch::Tensor& features, torch::nn::Linear& classifier);
std::string scriptClassify(const std::string& x, const std::string& classifier);



}  // namespace syno::evaluation
