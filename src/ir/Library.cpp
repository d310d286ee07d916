#include "ir/Library.h"

#include <fmt/format.h>

#include "base/Error.h"
#include "ir/Builder.h"

namespace syno::library {

Operator conv2d(const VariableTable& vars, const std::string& k) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in"), kh = b.sum(k), kw = b.sum(k);
    b.input({o[0], c, b.unfold(o[2], kh), b.unfold(o[3], kw)});
    b.weight({o[1], c, kh, kw});
    b.expand(o[1]);
    return b.build();
}

Operator conv1x1(const VariableTable& vars) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in");
    b.input({o[0], c, o[2], o[3]});
    b.weight({o[1], c});
    b.expand(o[1]);
    return b.build();
}

Operator groupedConv2d(const VariableTable& vars, const std::string& k, const std::string& g) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    // Output channel = group * (C_out/g) + j; the group picks which C_in/g input channels are read.
    auto [group, within] = b.merge(o[1], "C_out/" + g);
    Dim c = b.sum("C_in/" + g), kh = b.sum(k), kw = b.sum(k);
    Dim channel = b.split(group, c);  // input channel = group * (C_in/g) + c
    b.input({o[0], channel, b.unfold(o[2], kh), b.unfold(o[3], kw)});
    // The weight is indexed by input channel and position in the group: [C_in, C_out/g, k, k]. Sharing
    // group and c separately would be the same operator, but not in the canonical form synthesis makes.
    b.weight({channel, within, kh, kw});
    b.expand(within);
    return b.build();
}

Operator depthwiseConv2d(const VariableTable& vars, const std::string& k) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_in, H, W]");
    Dim kh = b.sum(k), kw = b.sum(k);
    b.input({o[0], o[1], b.unfold(o[2], kh), b.unfold(o[3], kw)});
    b.weight({o[1], kh, kw});
    return b.build();
}

Operator dilatedConv2d(const VariableTable& vars, const std::string& k, const std::string& s) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in"), kh = b.sum(k), kw = b.sum(k);
    b.input({o[0], c, b.unfold(o[2], b.stride(kh, s)), b.unfold(o[3], b.stride(kw, s))});
    b.weight({o[1], c, kh, kw});
    b.expand(o[1]);
    return b.build();
}

Operator avgPool2d(const VariableTable& vars, const std::string& s) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_in, H/" + s + ", W/" + s + "]");
    Dim rh = b.mean(s), rw = b.mean(s);
    b.input({o[0], o[1], b.split(o[2], rh), b.split(o[3], rw)});
    return b.build();
}

Operator linear(const VariableTable& vars) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out]");
    Dim c = b.sum("C_in");
    b.input({o[0], c});
    b.weight({o[1], c});
    b.expand(o[1]);
    return b.build();
}

Operator shiftConv1x1(const VariableTable& vars, int amount) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in");
    b.input({o[0], c, b.shift(o[2], amount), o[3]});
    b.weight({o[1], c});
    b.expand(o[1]);
    return b.build();
}

Operator operator1(const VariableTable& vars, const std::string& k, const std::string& g, const std::string& s) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim group = b.sum(g), c = b.sum("C_in/" + g), kh = b.sum(k), kw = b.sum(k);
    Dim m = b.sum("C_out/" + g + "/" + s);
    Dim channel = b.split(group, c);
    b.input({o[0], channel, b.unfold(o[2], kh), b.unfold(o[3], kw)});
    b.weight({channel, kw, m});              // stage A: per group, C_in/g channels and a W tap -> m
    b.weight({group, kh, kw, o[1], m});      // stage B: groups, both taps and m -> C_out
    b.expand(o[1]);
    b.expand(m);
    return b.build();
}

Operator operator2(const VariableTable& vars, const std::string& k, const std::string& g, const std::string& s) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim group = b.sum(g), c = b.sum("C_in/" + g), kh = b.sum(k), kw = b.sum(k);
    Dim m = b.sum("C_out/" + g + "/" + s);
    Dim channel = b.split(group, c);
    // Read upward: the 3x1 window along H lands on the rolled intermediate, which reads row h+1.
    b.input({o[0], channel, b.shift(b.unfold(o[2], kh), 1), b.unfold(o[3], kw)});
    b.weight({channel, kw, m});              // stage A: grouped 1x3 conv to m channels per group
    b.weight({o[1], group, kh, m});          // stage B: 3x1 conv mixing all groups -> C_out
    b.expand(o[1]);
    b.expand(m);
    return b.build();
}

Operator twoStageShiftConv(const VariableTable& vars, const std::string& k, const std::string& g) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim kh = b.sum(k), kw = b.sum(k), c = b.sum("C_in/" + g), grp = b.sum(g);
    Dim channel = b.split(grp, c);
    b.input({o[0], channel, b.unfold(b.shift(o[2], 1), kh), b.unfold(o[3], kw)});
    b.weight({grp, c, kw});
    b.weight({o[1], grp, kh});
    b.expand(o[1]);
    return b.build();
}

const char* names() {
    return "conv2d, conv1x1, grouped, depthwise, dilated, avgpool, linear, shiftconv, operator1, operator2";
}

bool isKnown(const std::string& name) {
    for (const char* n : {"conv2d", "conv1x1", "grouped", "depthwise", "dilated", "avgpool", "linear", "shiftconv",
                          "operator1", "operator2"})
        if (name == n) return true;
    return false;
}

Operator byName(const std::string& name, const VariableTable& vars) {
    if (name == "conv2d") return conv2d(vars);
    if (name == "conv1x1") return conv1x1(vars);
    if (name == "grouped") return groupedConv2d(vars);
    if (name == "depthwise") return depthwiseConv2d(vars);
    if (name == "dilated") return dilatedConv2d(vars);
    if (name == "avgpool") return avgPool2d(vars);
    if (name == "linear") return linear(vars);
    if (name == "shiftconv") return shiftConv1x1(vars);
    if (name == "operator1") return operator1(vars);
    if (name == "operator2") return operator2(vars);
    throw Error(fmt::format("unknown layer '{}' (known: {})", name, names()));
}

}  // namespace syno::library
