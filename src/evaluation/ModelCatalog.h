#pragma once
// The models that host placeholders, as data: their layers, the placeholders in forward order with the
// binding each one uses, and the problem those placeholders pose to an operator (a PlaceholderSpec).
// Models.h builds the torch modules from this; everything here is torch-free.
//
//   resnet  3x3 stem (kept), 3 stages of one basic block, widths 16/32/64 at 28/14/7; a strided block
//           starts with 2x2 average pooling then a placeholder (as in the paper); shortcut avg-pool + 1x1.
//   vgg     3x3 stem (kept), then 2 placeholders per stage (16/32/64 at 28/14/7), 2x2 average pooling
//           between stages; no shortcuts.
//   mlp     flattened 784 pixels, two linear placeholders 784->256 and 256->256, each followed by batch
//           norm and ReLU, then a linear classifier.
// The stem (C_in = 1) and the classifier (10 classes) stay original layers: no group count divides them.
#include <cstdint>
#include <string>
#include <vector>

#include "evaluation/TrainingEvaluator.h"
#include "ir/Operator.h"

namespace syno::evaluation {

enum class ModelKind { ResNet, Vgg, Mlp };

struct Slot {
    int64_t cin = 0, cout = 0;
    int64_t size = 0;  // H = W of the feature map (0 for a linear slot)
    int binding = 0;   // index into the spec's bindings (slots of equal shape share one)
};

struct ModelLayout {
    std::string name;
    ModelKind kind = ModelKind::ResNet;
    std::vector<int64_t> widths;  // per stage (resnet, vgg) or hidden layer (mlp)
    int64_t imageSize = 28;
    std::vector<Slot> slots;      // forward order
    PlaceholderSpec spec;
    double fixedFlops = 0;        // per sample, of the layers that stay (stem, shortcuts, classifier)

    bool convolutional() const { return kind != ModelKind::Mlp; }
    // Per-sample FLOPs of the original layer at a slot (2 per multiply-add, as in plans' staged FLOPs).
    static double baselineSlotFlops(const Slot& slot, bool convolutional);
    double baselineFlops() const;
};

// The placeholders' size context: the operator's variables with the spec's bindings. Throws syno::Error
// when the operator does not map the spec's input shape to its output shape in every binding.
SizeContext placeholderContext(const ModelLayout& layout, const Operator& op);

// The spec's variables, for parsing an operator text that declares none and for library layers.
VariableTable placeholderVariables(const PlaceholderSpec& spec);

// Throws syno::Error naming the known models.
ModelLayout modelLayout(const std::string& name);
const char* modelNames();  // "resnet, vgg, mlp"

}  // namespace syno::evaluation
