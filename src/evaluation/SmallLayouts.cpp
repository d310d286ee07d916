// The small models for tests and the smoke search: a ResNet and a VGG-style CNN of three stages at
// 28/14/7, and an MLP with linear placeholders, all on 28x28 Fashion-MNIST.
#include "evaluation/LayoutBuilders.h"

namespace syno::evaluation::layouts {

namespace {

constexpr int64_t kImage = 28;
constexpr int64_t kClassCount = 10;

// Widths 16/32/64 give every placeholder channel counts divisible by g*s = 8: grouped operators and the
// paper's Operators 1 and 2 (m = C_out/(g*s)) fit every binding. H = W is 28, 14 or 7: odd 7 means no
// operator may stride or merge along H or W by 2 (those are refused, not padded).
ModelLayout convolutional(const std::string& name, Family family) {
    ModelLayout m;
    m.name = name;
    m.family = family;
    m.arch.widths = {16, 32, 64};
    m.arch.stemWidth = 16;
    m.spec.primaries = "N=1: 0, C_in=16: 2, C_out=16: 4, H=28: 0, W=28: 0";
    m.spec.coefficients = "k=3: 2, s=2: 2, g=4: 3";
    m.spec.input = "[N, C_in, H, W]";
    m.spec.output = "[N, C_out, H, W]";
    const int64_t stem = m.arch.stemWidth;
    m.fixedFlops = 2.0 * 1 * stem * 9 * kImage * kImage + 2.0 * m.arch.widths.back() * kClassCount;
    int64_t cin = stem, size = kImage;
    for (size_t i = 0; i < m.arch.widths.size(); ++i) {
        const int64_t w = m.arch.widths[i];
        if (i > 0) size /= 2;
        m.slots.push_back({cin, w, size});
        m.slots.push_back({w, w, size});
        if (family == Family::SmallResNet && (cin != w || i > 0)) m.fixedFlops += 2.0 * cin * w * size * size;  // 1x1 shortcut
        cin = w;
    }
    return m;
}

ModelLayout mlp() {
    ModelLayout m;
    m.name = "mlp";
    m.family = Family::Mlp;
    m.arch.widths = {256, 256};
    m.spec.primaries = "N=1: 0, C_in=784: 2, C_out=256: 4";
    m.spec.coefficients = "s=2: 2, g=4: 3";
    m.spec.input = "[N, C_in]";
    m.spec.output = "[N, C_out]";
    int64_t cin = kImage * kImage;
    for (int64_t w : m.arch.widths) {
        m.slots.push_back({cin, w, 0});
        cin = w;
    }
    m.fixedFlops = 2.0 * cin * kClassCount;
    return m;
}

}  // namespace

ModelLayout small(const std::string& name) {
    if (name == "resnet") return convolutional(name, Family::SmallResNet);
    if (name == "vgg") return convolutional(name, Family::SmallVgg);
    return mlp();
}

}  // namespace syno::evaluation::layouts
