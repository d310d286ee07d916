// The real networks in torchvision's layouts (ResNet-18/34, ResNeXt-29 2x64d, DenseNet-121), each as a
// deployment instance (224x224, ImageNet stem) and a training instance (the data set's small images):
// the same blocks and widths, so one operator fills the placeholders of both.
#include <fmt/format.h>

#include "base/Error.h"
#include "evaluation/LayoutBuilders.h"

namespace syno::evaluation::layouts {

namespace {

constexpr int64_t kTrainingPadded = 32;

double conv(int64_t cin, int64_t cout, int64_t kernel, int64_t size) {
    return 2.0 * static_cast<double>(cin * cout * kernel * kernel * size * size);
}

// The stem's FLOPs and the map size it leaves for the first stage.
struct Stem {
    double flops;
    int64_t size;
};

Stem stem(const ModelLayout& m) {
    if (m.instance == Instance::Deployment)  // 7x7/2 conv, then a 3x3/2 max pool
        return {conv(m.inChannels, m.arch.stemWidth, 7, m.paddedSize / 2), m.paddedSize / 4};
    return {conv(m.inChannels, m.arch.stemWidth, 3, m.paddedSize), m.paddedSize / 2};  // 3x3 conv, 3x3/2 max pool
}

void resnet(ModelLayout& m) {
    const Stem st = stem(m);
    m.fixedFlops = st.flops;
    int64_t cin = m.arch.stemWidth, size = st.size;
    for (size_t i = 0; i < m.arch.widths.size(); ++i) {
        const int64_t w = m.arch.widths[i];
        for (int j = 0; j < m.arch.blocks[i]; ++j) {
            const int stride = i > 0 && j == 0 ? 2 : 1;
            size /= stride;
            m.slots.push_back({cin, w, size, stride});
            m.slots.push_back({w, w, size});
            if (stride != 1 || cin != w) m.fixedFlops += conv(cin, w, 1, size);  // downsample shortcut
            cin = w;
        }
    }
    m.fixedFlops += 2.0 * static_cast<double>(cin * m.classes);
}

void resnext(ModelLayout& m) {
    const Stem st = stem(m);
    m.fixedFlops = st.flops;
    int64_t cin = m.arch.stemWidth, size = st.size;
    for (size_t i = 0; i < m.arch.widths.size(); ++i) {
        const int64_t d = m.arch.widths[i], out = 2 * d;
        for (int j = 0; j < m.arch.blocks[i]; ++j) {
            const int stride = i > 0 && j == 0 ? 2 : 1;
            m.fixedFlops += conv(cin, d, 1, size);  // 1x1 reduce, at the block's input size
            size /= stride;
            m.slots.push_back({d, d, size, stride, m.arch.cardinality});
            m.fixedFlops += conv(d, out, 1, size);  // 1x1 expand
            if (stride != 1 || cin != out) m.fixedFlops += conv(cin, out, 1, size);
            cin = out;
        }
    }
    m.fixedFlops += 2.0 * static_cast<double>(cin * m.classes);
}

void densenet(ModelLayout& m) {
    const Stem st = stem(m);
    m.fixedFlops = st.flops;
    int64_t c = m.arch.stemWidth, size = st.size;
    for (size_t i = 0; i < m.arch.blocks.size(); ++i) {
        for (int j = 0; j < m.arch.blocks[i]; ++j) {
            m.fixedFlops += conv(c, m.arch.bottleneck, 1, size);
            m.slots.push_back({m.arch.bottleneck, m.arch.growth, size});
            c += m.arch.growth;
        }
        if (i + 1 < m.arch.blocks.size()) {  // transition: 1x1 halving the channels, then 2x2 average pooling
            m.fixedFlops += conv(c, c / 2, 1, size);
            c /= 2;
            size /= 2;
        }
    }
    m.fixedFlops += 2.0 * static_cast<double>(c * m.classes);
}

ModelLayout base(const std::string& name) {
    ModelLayout m;
    m.name = name;
    m.spec.input = "[N, C_in, H, W]";
    m.spec.output = "[N, C_out, H, W]";
    m.spec.coefficients = "k=3: 2, s=2: 2, g=32: 3";
    if (name == "resnet18" || name == "resnet34") {
        m.family = Family::ResNet;
        m.arch.blocks = name == "resnet18" ? std::vector<int>{2, 2, 2, 2} : std::vector<int>{3, 4, 6, 3};
        m.arch.widths = {64, 128, 256, 512};
        m.spec.primaries = "N=1: 0, C_in=64: 2, C_out=64: 4, H=56: 0, W=56: 0";
    } else if (name == "resnext29") {
        m.family = Family::ResNeXt;
        m.arch.blocks = {3, 3, 3};
        m.arch.widths = {128, 256, 512};
        m.arch.cardinality = 2;
        m.spec.primaries = "N=1: 0, C_in=128: 2, C_out=128: 4, H=56: 0, W=56: 0";
    } else if (name == "densenet121") {
        m.family = Family::DenseNet;
        m.arch.blocks = {6, 12, 24, 16};
        m.arch.growth = 32;
        m.arch.bottleneck = 128;
        m.spec.primaries = "N=1: 0, C_in=128: 2, C_out=32: 4, H=56: 0, W=56: 0";
        m.spec.coefficients = "k=3: 2, s=2: 2, g=16: 3";  // 32 output channels: g*s must divide 32
    } else {
        throw Error(fmt::format("{} is not a real network (resnet18, resnet34, resnext29, densenet121)", name));
    }
    return m;
}

void fill(ModelLayout& m) {
    if (m.family == Family::ResNet) resnet(m);
    else if (m.family == Family::ResNeXt) resnext(m);
    else if (m.family == Family::DenseNet) densenet(m);
    else throw Error("only the real networks have layouts of both instances");
}

}  // namespace

Pair network(const std::string& name, const DataShape& data) {
    if (data.size > kTrainingPadded || data.size < 8 || data.channels < 1 || data.classes < 2)
        throw Error(fmt::format("{} trains on images of 8 to {} pixels with at least 2 classes, not {}x{}x{} with {}",
                                name, kTrainingPadded, data.size, data.size, data.channels, data.classes));
    Pair p{base(name), base(name)};
    p.training.instance = Instance::Training;
    p.training.inChannels = data.channels;
    p.training.imageSize = data.size;
    p.training.paddedSize = kTrainingPadded;
    p.training.classes = data.classes;
    p.deployment.instance = Instance::Deployment;
    p.deployment.inChannels = 3;
    p.deployment.imageSize = p.deployment.paddedSize = 224;
    p.deployment.classes = 1000;
    fill(p.training);
    fill(p.deployment);
    return p;
}

}  // namespace syno::evaluation::layouts
