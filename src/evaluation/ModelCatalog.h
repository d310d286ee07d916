#pragma once
// The models that host placeholders, as data: their architecture, the placeholders in forward order with
// the binding each one uses, and the problem those placeholders pose to an operator (a PlaceholderSpec).
// Models.h builds the torch modules from this; everything here is torch-free.
//
// Small models (tests and the smoke search; one instance, 28x28 Fashion-MNIST):
//   resnet  3x3 stem (kept), 3 stages of one basic block, widths 16/32/64 at 28/14/7; a strided block
//           starts with 2x2 average pooling then a placeholder (as in the paper); shortcut avg-pool + 1x1.
//   vgg     3x3 stem (kept), then 2 placeholders per stage (16/32/64 at 28/14/7), 2x2 average pooling
//           between stages; no shortcuts.
//   mlp     flattened 784 pixels, two linear placeholders 784->256 and 256->256, each followed by batch
//           norm and ReLU, then a linear classifier.
// Real networks (torchvision's layouts), each in two instances of one architecture and the same widths:
//   resnet18, resnet34   basic blocks [2,2,2,2] / [3,4,6,3], widths 64/128/256/512
//   resnext29            ResNeXt-29 2x64d: bottlenecks [3,3,3], cardinality 2, group widths 128/256/512,
//                        outputs 256/512/1024; the grouped 3x3 conv (2 groups) is the placeholder
//   densenet121          growth 32, dense layers [6,12,24,16], 1x1 bottleneck to 128, transitions halve
//                        the channels; the dense layer's 3x3 conv (128 -> 32) is the placeholder
//   Deployment: 224x224x3 input, torchvision's stem (7x7/2 conv, 3x3/2 max pool), 1000 classes: stages at
//     56/28/14/7 (ResNeXt 56/28/14). Latency is measured here.
//   Training: the data set's images (Fashion-MNIST 28x28x1, centre-padded with zeros to 32x32; CIFAR
//     32x32x3), a 3x3 stride-1 stem conv then the same 3x3/2 max pool: stages at 16/8/4/2 (ResNeXt 16/8/4).
//     Accuracy is measured here.
//   Every same-padding 3x3 conv is a placeholder. A strided one (the first of a downsampling stage) becomes
//   2x2 average pooling followed by a placeholder at the output's size, as in the paper; the original
//   network keeps its strided conv. 1x1 convs (shortcuts, bottlenecks, transitions), the stem and the
//   classifier stay original layers. The spec lists the bindings of both instances, so one symbolic
//   operator is checked against both.
#include <cstdint>
#include <string>
#include <vector>

#include "evaluation/TrainingEvaluator.h"
#include "ir/Operator.h"

namespace syno::evaluation {

enum class Family { SmallResNet, SmallVgg, Mlp, ResNet, ResNeXt, DenseNet };
enum class Instance { Training, Deployment };

struct Slot {
    int64_t cin = 0, cout = 0;
    int64_t size = 0;  // H = W of the placeholder's output map (0 for a linear slot)
    int stride = 1;    // 2: the original is a strided 3x3 conv; the operator runs after 2x2 average pooling
    int groups = 1;    // groups of the original conv (ResNeXt's grouped 3x3)
    int binding = 0;   // index into the spec's bindings (slots of equal shape share one)
};

// What the torch modules build; each field's meaning depends on the family (see above).
struct Architecture {
    std::vector<int> blocks;      // blocks (dense layers) per stage
    std::vector<int64_t> widths;  // per stage: block width (resnets, small models, mlp hidden), group width (resnext)
    int64_t stemWidth = 64;
    int cardinality = 1;          // resnext: groups of the 3x3 conv
    int64_t growth = 0;           // densenet: channels each dense layer adds
    int64_t bottleneck = 0;       // densenet: output width of the dense layer's 1x1 conv
};

// The shape of the data a training instance reads (Fashion-MNIST by default).
struct DataShape {
    int64_t channels = 1, size = 28, classes = 10;
};

struct ModelLayout {
    std::string name;
    Family family = Family::SmallResNet;
    Instance instance = Instance::Training;
    Architecture arch;
    int64_t inChannels = 1;
    int64_t imageSize = 28;   // input images are imageSize x imageSize
    int64_t paddedSize = 28;  // centre-padded with zeros to this before the stem
    int64_t classes = 10;
    std::vector<Slot> slots;  // forward order
    PlaceholderSpec spec;     // the same for both instances of a network
    double fixedFlops = 0;    // per sample, of the layers that stay (stem, 1x1 convs, classifier)

    bool convolutional() const { return family != Family::Mlp; }
    bool real() const { return family == Family::ResNet || family == Family::ResNeXt || family == Family::DenseNet; }
    // Per-sample FLOPs of the original layer at a slot (2 per multiply-add, as in plans' staged FLOPs).
    static double baselineSlotFlops(const Slot& slot, bool convolutional);
    double baselineFlops() const;
    double placeholderFlops() const;  // of the original layers at every slot
};

// The placeholders' size context: the operator's variables with the spec's bindings. Throws syno::Error
// when the operator does not map the spec's input shape to its output shape at every slot.
SizeContext placeholderContext(const ModelLayout& layout, const Operator& op);

// The spec's variables, for parsing an operator text that declares none and for library layers.
VariableTable placeholderVariables(const PlaceholderSpec& spec);

// Throws syno::Error naming the known models. Small models have one instance (both names give it).
ModelLayout modelLayout(const std::string& name, Instance instance = Instance::Training, const DataShape& data = {});
const char* modelNames();  // "resnet, vgg, mlp, resnet18, ..."
bool isRealNetwork(const std::string& name);

// Per binding of the spec, the FLOPs of the original layer it replaces (N = 1), over both instances: the
// reference of a FLOPs window given as ratios.
std::vector<double> referenceFlopsPerBinding(const std::string& name);

}  // namespace syno::evaluation
