// Loop-nest printouts: the symbolic index expressions of every tensor, forward and backward.
#include <gtest/gtest.h>

#include "TestHelpers.h"
#include "ir/Library.h"
#include "semantics/LoopPrinter.h"

namespace syno {
namespace {

using test::makeVars;

int count(const std::string& text, const std::string& what) {
    int n = 0;
    for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size())) ++n;
    return n;
}

class LoopPrinterTest : public ::testing::Test {
protected:
    VariableTable vars = makeVars("N, C_in, C_out, H, W", "k=3, g=4, s=2");
};

TEST_F(LoopPrinterTest, Conv2dForward) {
    std::string loops = printForwardLoops(library::conv2d(vars));
    EXPECT_NE(loops.find("in_0[i0, r0, restrict(i2+r1-(k-1)/2, 0, H), restrict(i3+r2-(k-1)/2, 0, W)] * "
                         "in_1[i1, r0, r1, r2]"),
              std::string::npos)
        << loops;
    EXPECT_NE(loops.find("for i0 < N, i1 < C_out, i2 < H, i3 < W:"), std::string::npos) << loops;
    EXPECT_NE(loops.find("out[i0, i1, i2, i3] = sum(r0 < C_in, r1 < k, r2 < k) "), std::string::npos) << loops;
    EXPECT_EQ(loops.find(" / "), std::string::npos) << "a sum has no divisor: " << loops;
}

TEST_F(LoopPrinterTest, AvgPoolPrintsTheMeanDivisor) {
    std::string loops = printForwardLoops(library::avgPool2d(vars));
    EXPECT_NE(loops.find("in_0[i0, i1, i2*s+r0, i3*s+r1]"), std::string::npos) << loops;
    EXPECT_NE(loops.find(" / (s^2)"), std::string::npos) << loops;
    EXPECT_NE(loops.find("for i0 < N, i1 < C_in, i2 < H/s, i3 < W/s:"), std::string::npos) << loops;
    // Each gradient accumulation divides too.
    std::string back = printBackwardLoops(library::avgPool2d(vars));
    EXPECT_EQ(count(back, " / (s^2)"), 1) << back;
}

TEST_F(LoopPrinterTest, AccessExpressionsOfOtherPrimitives) {
    EXPECT_EQ(accessExpressions(library::shiftConv1x1(vars, 1), 0),
              (std::vector<std::string>{"i0", "r0", "(i2+1)%H", "i3"}));
    EXPECT_EQ(accessExpressions(library::shiftConv1x1(vars, -2), 0)[2], "(i2-2)%H");
    EXPECT_EQ(accessExpressions(library::dilatedConv2d(vars), 0)[2], "restrict(i2+r1*s-(k-1)*s/2, 0, H)");
    auto grouped = accessExpressions(library::groupedConv2d(vars), 0);
    ASSERT_EQ(grouped.size(), 4u);
    // Input channel = group * (C_in/g) + c, with group = i1 / (C_out/g).
    EXPECT_EQ(grouped[1], "i1/(C_out/g)*(C_in/g)+r0");
    EXPECT_EQ(accessExpressions(library::groupedConv2d(vars), 1),
              (std::vector<std::string>{"i1/(C_out/g)*(C_in/g)+r0", "i1%(C_out/g)", "r1", "r2"}));
    EXPECT_EQ(accessExpressions(library::depthwiseConv2d(vars), 1), (std::vector<std::string>{"i1", "r0", "r1"}));
}

// One accumulation statement per tensor: the input and each weight get their gradient loop nest.
TEST_F(LoopPrinterTest, BackwardHasOneAccumulationPerTensor) {
    VariableTable lin = makeVars("N, C_in, C_out");
    const std::vector<Operator> ops = {library::conv2d(vars),          library::conv1x1(vars),
                                       library::groupedConv2d(vars),   library::depthwiseConv2d(vars),
                                       library::dilatedConv2d(vars),   library::avgPool2d(vars),
                                       library::shiftConv1x1(vars, 1), library::linear(lin)};
    for (const auto& op : ops) {
        std::string back = printBackwardLoops(op);
        SCOPED_TRACE(back);
        EXPECT_EQ(count(back, " += "), op.tensorCount());
        EXPECT_EQ(count(back, "for "), op.tensorCount());
        for (int t = 0; t < op.tensorCount(); ++t)
            EXPECT_EQ(count(back, "grad_in_" + std::to_string(t) + "["), 1);
        EXPECT_EQ(count(back, "grad_out["), op.tensorCount());
    }
}

TEST_F(LoopPrinterTest, Conv2dBackward) {
    std::string back = printBackwardLoops(library::conv2d(vars));
    const std::string loops = "for i0 < N, i1 < C_out, i2 < H, i3 < W, r0 < C_in, r1 < k, r2 < k:\n";
    EXPECT_NE(back.find(loops + "  grad_in_0[i0, r0, restrict(i2+r1-(k-1)/2, 0, H), restrict(i3+r2-(k-1)/2, 0, W)] "
                                "+= grad_out[i0, i1, i2, i3] * in_1[i1, r0, r1, r2]\n"),
              std::string::npos)
        << back;
    EXPECT_NE(back.find(loops + "  grad_in_1[i1, r0, r1, r2] += grad_out[i0, i1, i2, i3] * in_0[i0, r0, "
                                "restrict(i2+r1-(k-1)/2, 0, H), restrict(i3+r2-(k-1)/2, 0, W)]\n"),
              std::string::npos)
        << back;
}

TEST_F(LoopPrinterTest, LinearHasNoWindows) {
    std::string loops = printForwardLoops(library::linear(makeVars("N, C_in, C_out")));
    EXPECT_EQ(loops, "for i0 < N, i1 < C_out:\n  out[i0, i1] = sum(r0 < C_in) in_0[i0, r0] * in_1[i1, r0]\n");
}

}  // namespace
}  // namespace syno
