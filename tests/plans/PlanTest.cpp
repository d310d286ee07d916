// Execution plans against the reference interpreter: every known layer and sampled operators agree in
// forward and all gradients (float32 plan vs float64 reference), the kernels chosen are the library's
// (one convolution for conv2d from primitives), and bad input fails with one clear line.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <cmath>
#include <iostream>
#include <set>

#include "TestHelpers.h"
#include "ir/Builder.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "oracle/KnownLayers.h"
#include "plans/Execute.h"
#include "plans/FuseRolls.h"
#include "plans/FuseWeightProducts.h"
#include "plans/HoistWeights.h"
#include "plans/MergeReshapes.h"
#include "plans/Plan.h"
#include "semantics/Interpreter.h"
#include "semantics/Stages.h"
#include "synthesis/Space.h"

namespace syno::plans {
namespace {

using test::errorOf;
using test::makeContext;

constexpr const char* kPrimary = "N=2, C_in=8, C_out=12, H=10, W=9";
constexpr const char* kCoef = "k=3, g=4, s=2";

struct Errors {
    double forward = 0, gradInput = 0, gradWeights = 0;
    double worst() const { return std::max({forward, gradInput, gradWeights}); }
};

// Plan (float32 unless told) against the interpreter (float64) on random tensors.
// The inference plan (stages ordered for inference, weight-only ops prepared once) must give the same forward.
Errors compare(const Plan& plan, const Plan& inferencePlan, const Operator& op, const SizeContext& ctx, int b,
               PaddingPolicy policy, uint64_t seed, Precision precision = Precision::Float32) {
    Realization r = realize(op, ctx, b, policy);
    Tensor x = Tensor::random(r.inputShape, seed);
    std::vector<Tensor> ws;
    for (size_t w = 0; w < r.weightShapes.size(); ++w) ws.push_back(Tensor::random(r.weightShapes[w], seed + 10 + w));
    Tensor g = Tensor::random(r.outputShape, seed + 99);
    Tensor ref = interpretForward(r, x, ws);
    Gradients refGrad = interpretBackward(r, x, ws, g);
    PlanRun run = runPlan(plan, x, ws, &g, precision);
    PlanRun inference = runPlan(inferencePlan, x, ws, nullptr, precision);
    Errors e;
    e.forward = std::max(maxRelativeError(run.output, ref), maxRelativeError(inference.output, ref));
    e.gradInput = maxRelativeError(run.gradInput, refGrad.input);
    for (size_t w = 0; w < ws.size(); ++w)
        e.gradWeights = std::max(e.gradWeights, maxRelativeError(run.gradWeights[w], refGrad.weights[w]));
    return e;
}

Errors check(const Operator& op, const SizeContext& ctx, int b = 0, PaddingPolicy policy = PaddingPolicy::Exact,
             const PlanOptions& options = {}, uint64_t seed = 1) {
    Plan plan = compilePlan(op, ctx, b, policy, options);
    Plan inference = compilePlan(op, ctx, b, policy, PlanOptions{options.einsumOnly, true});
    Errors e = compare(plan, inference, op, ctx, b, policy, seed);
    EXPECT_LT(e.worst(), 1e-4) << "forward " << e.forward << ", grad input " << e.gradInput << ", grad weights "
                               << e.gradWeights << "\n" << printOperator(op) << plan.describe();
    return e;
}

// Ops of this kind in the plan, counting those a Gather or Products op replaced (FuseIndexMaps.h and
// FuseWeightProducts.h list them in equation).
int countOps(const Plan& plan, OpKind kind) {
    int n = 0;
    const std::string name = opKindName(kind);
    for (const PlanOp& o : plan.ops) {
        n += o.kind == kind;
        if (o.kind != OpKind::Gather && o.kind != OpKind::Products) continue;
        for (size_t at = 0; (at = o.equation.find(name, at)) != std::string::npos; at += name.size())
            n += (at == 0 || o.equation[at - 1] == ' ') &&
                 (at + name.size() == o.equation.size() || o.equation[at + name.size()] == ',');
    }
    return n;
}

class PlanTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { setThreads(1); }
    SizeContext ctx = makeContext(kPrimary, kCoef);
};

TEST_F(PlanTest, Conv2dIsExactlyOneConvolution) {
    Operator op = library::conv2d(ctx.vars());
    Plan plan = compilePlan(op, ctx, 0);
    EXPECT_EQ(plan.convolutions(), 1) << plan.describe();
    EXPECT_EQ(plan.kernelCalls(), 1) << plan.describe();
    EXPECT_EQ(plan.einsums(), 0);
    // Weights and input are used as they are: only views around the convolution.
    for (const auto& o : plan.ops)
        EXPECT_TRUE(o.kind == OpKind::Conv || o.kind == OpKind::Reshape) << o.describe();
    check(op, ctx);
}

// The paper's two operators: a tie between two weights (m = C_out/(g*s) reaches no input), two stages,
// each a convolution.
// The layout only moves strides: NCHW, NHWC (rolls as slices, convolutions on NHWC) and Auto give the
// same values, forward and gradients, to float32 rounding.
TEST_F(PlanTest, LayoutsDoNotChangeResults) {
    SizeContext paper = makeContext("N=2, C_in=8, C_out=16, H=6, W=5", "k=3, g=2, s=2");
    for (const Operator& op : {library::conv2d(paper.vars()), library::operator1(paper.vars()),
                               library::operator2(paper.vars()), library::twoStageShiftConv(paper.vars())}) {
        SCOPED_TRACE(op.idHex());
        Plan plan = compilePlan(op, paper, 0);
        Tensor x = Tensor::random(plan.inputShape, 5);
        std::vector<Tensor> ws;
        for (size_t w = 0; w < plan.weightShapes.size(); ++w) ws.push_back(Tensor::random(plan.weightShapes[w], 6 + w));
        Tensor g = Tensor::random(plan.outputShape, 9);
        PlanRun base = runPlan(plan, x, ws, &g, Precision::Float32, Layout::Contiguous);
        for (Layout layout : {Layout::ChannelsLast, Layout::Auto}) {
            PlanRun other = runPlan(plan, x, ws, &g, Precision::Float32, layout);
            EXPECT_LT(maxRelativeError(other.output, base.output), 1e-5) << layoutName(layout);
            EXPECT_LT(maxRelativeError(other.gradInput, base.gradInput), 1e-5) << layoutName(layout);
            for (size_t w = 0; w < ws.size(); ++w)
                EXPECT_LT(maxRelativeError(other.gradWeights[w], base.gradWeights[w]), 1e-5) << layoutName(layout);
        }
    }
}

TEST_F(PlanTest, LayoutRuleKeepsGroupedConvolutionsNchw) {
    SizeContext paper = makeContext("N=1, C_in=64, C_out=64, H=8, W=8", "k=3, g=32, s=2");
    EXPECT_EQ(chooseLayout(compilePlan(library::conv2d(paper.vars()), paper, 0), false), Layout::ChannelsLast);
    EXPECT_EQ(chooseLayout(compilePlan(library::depthwiseConv2d(paper.vars()), paper, 0), false), Layout::Contiguous);
    // Operator 2: grouped 1x3 (NCHW), then a dense 3x1 (NHWC when its input is NHWC already).
    EXPECT_EQ(chooseLayout(compilePlan(library::operator2(paper.vars()), paper, 0), false), Layout::Auto);
}

TEST_F(PlanTest, PaperOperatorsAgreeWithTheInterpreter) {
    SizeContext paper = makeContext("N=2, C_in=8, C_out=16, H=6, W=5", "k=3, g=2, s=2");
    for (const Operator& op : {library::operator1(paper.vars()), library::operator2(paper.vars())}) {
        SCOPED_TRACE(op.idHex());
        Plan plan = compilePlan(op, paper, 0);
        EXPECT_EQ(plan.einsums(), 0) << plan.describe();
        EXPECT_GE(plan.convolutions(), 1) << plan.describe();
        check(op, paper);
    }
}

TEST_F(PlanTest, KnownLayersAgreeWithTheInterpreter) {
    struct Case {
        const char* name;
        Operator op;
        Kernel kernel;
    };
    std::vector<Case> cases = {
        // Dense 1x1 convolutions run as oneDNN convolutions (faster than torch::matmul's broadcast, EmitKernel.cpp).
        {"conv1x1", library::conv1x1(ctx.vars()), Kernel::Conv},
        {"grouped", library::groupedConv2d(ctx.vars()), Kernel::Conv},
        {"depthwise", library::depthwiseConv2d(ctx.vars()), Kernel::Conv},
        {"dilated", library::dilatedConv2d(ctx.vars()), Kernel::Conv},
        {"shiftconv", library::shiftConv1x1(ctx.vars()), Kernel::Conv},
        {"shiftconv -2", library::shiftConv1x1(ctx.vars(), -2), Kernel::Conv},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        Plan plan = compilePlan(c.op, ctx, 0);
        EXPECT_EQ(plan.count(c.kernel), 1) << plan.describe();
        EXPECT_EQ(plan.kernelCalls(), 1) << plan.describe();
        check(c.op, ctx);
    }
}

TEST_F(PlanTest, GroupedAndDilatedConvolutionsUseGroupsAndDilation) {
    Plan grouped = compilePlan(library::groupedConv2d(ctx.vars()), ctx, 0);
    bool found = false;
    for (const auto& o : grouped.ops)
        if (o.kind == OpKind::Conv) {
            EXPECT_EQ(o.amount, 4);  // g
            EXPECT_EQ(o.extent, 2);
            found = true;
        }
    EXPECT_TRUE(found);
    Plan dilated = compilePlan(library::dilatedConv2d(ctx.vars()), ctx, 0);
    for (const auto& o : dilated.ops)
        if (o.kind == OpKind::Conv) {
            EXPECT_EQ(o.ints2, (std::vector<int64_t>{2, 2}));
            EXPECT_EQ(o.ints, (std::vector<int64_t>{2, 2}));  // (k-1)*s/2
        }
    Plan depthwise = compilePlan(library::depthwiseConv2d(ctx.vars()), ctx, 0);
    for (const auto& o : depthwise.ops)
        if (o.kind == OpKind::Conv) {
            EXPECT_EQ(o.amount, 8);  // one group per channel
        }
}

TEST_F(PlanTest, LinearIsOneMatrixProduct) {
    SizeContext c = makeContext("N=5, C_in=7, C_out=3");
    Operator op = library::linear(c.vars());
    Plan plan = compilePlan(op, c, 0);
    EXPECT_EQ(plan.matmuls(), 1) << plan.describe();
    EXPECT_EQ(plan.kernelCalls(), 1);
    for (const auto& o : plan.ops)  // only the weight is transposed, as a view
        if (o.kind == OpKind::Permute) {
            EXPECT_EQ(o.a, 1) << o.describe();
        }
    check(op, c);
}

TEST_F(PlanTest, AvgPoolIsViewsAndASum) {
    SizeContext c = makeContext("N=2, C_in=3, H=8, W=6", "s=2");
    Operator op = library::avgPool2d(c.vars());
    Plan plan = compilePlan(op, c, 0);
    EXPECT_EQ(plan.kernelCalls(), 0) << plan.describe();
    EXPECT_EQ(plan.count(Kernel::Sum), 1);
    check(op, c);
}

// The oracle's cases, several bindings each, including pooling that needs padding.
TEST_F(PlanTest, OracleCasesAgreeInEveryBinding) {
    int checked = 0;
    for (const auto& c : oracle::knownLayerCases())
        for (int b = 0; b < c.ctx.bindingCount(); ++b) {
            SCOPED_TRACE(c.name + ", binding " + std::to_string(b + 1));
            Plan plan = compilePlan(c.op, c.ctx, b, c.policy);
            EXPECT_EQ(plan.einsums(), 0) << plan.describe();
            check(c.op, c.ctx, b, c.policy);
            ++checked;
        }
    EXPECT_GE(checked, 10);
}

TEST_F(PlanTest, PaddedPoolingCropsLikeTheReference) {
    SizeContext c = makeContext("N=1, C_in=2, H=7, W=8", "s=3");
    Operator op = library::avgPool2d(c.vars());
    std::string refused = errorOf([&] { compilePlan(op, c, 0); });
    test::expectContainsAll(refused, {"W/s", "not an integer"});
    test::expectOneLine(refused);
    Plan plan = compilePlan(op, c, 0, PaddingPolicy::Pad);
    EXPECT_TRUE(plan.padded);
    check(op, c, 0, PaddingPolicy::Pad);
}

TEST_F(PlanTest, EinsumLoweringAgreesToo) {
    for (const Operator& op : {library::conv2d(ctx.vars()), library::groupedConv2d(ctx.vars()),
                               library::dilatedConv2d(ctx.vars()), library::shiftConv1x1(ctx.vars())}) {
        Plan plan = compilePlan(op, ctx, 0, PaddingPolicy::Exact, PlanOptions{true});
        EXPECT_EQ(plan.convolutions(), 0);
        EXPECT_GE(plan.einsums(), 1);
        check(op, ctx, 0, PaddingPolicy::Exact, PlanOptions{true});
    }
}

// Hand-written operators in the shape of the paper's: stages that convolve along one axis, shift, mix.
TEST_F(PlanTest, TwoStageOperatorsMapToConvolutions) {
    // Operator-2-like: grouped 1xk conv along W, roll along H, kx1 conv along H mixing groups.
    Operator op = library::twoStageShiftConv(ctx.vars());
    Plan plan = compilePlan(op, ctx, 0);
    EXPECT_EQ(plan.einsums(), 0) << plan.describe();
    EXPECT_EQ(plan.convolutions(), 2) << plan.describe();
    check(op, ctx);
    // The paper's Operator 2: its grouped stage has one output channel per group, so it runs depthwise.
    // Training: each input channel its own group, then a sum over each group's channels. Inference on at
    // least 16 groups: the group's 2 channels stacked along H (a view), one depthwise conv with a 2-tap
    // kernel dilated by H, no sum. With g * s = C_out, as at the paper's ResNet-18 layers (g=32, s=2).
    for (const auto& [groups, channels] : {std::pair{4, 8}, std::pair{16, 32}}) {
        SizeContext paper = makeContext(fmt::format("N=2, C_in={0}, C_out={0}, H=6, W=5", channels),
                                        fmt::format("k=3, g={}, s=2", groups));
        Operator op2 = library::operator2(paper.vars());
        for (bool inference : {false, true}) {
            Plan p2 = compilePlan(op2, paper, 0, PaddingPolicy::Exact, PlanOptions{false, inference});
            ASSERT_EQ(p2.convolutions(), 2) << p2.describe();
            const bool stacked = inference && groups >= 16;
            const std::string want =
                stacked ? fmt::format("depthwise conv2d groups={} padding=[0, 1] dilation=[6, 1], each group's 2", groups)
                        : fmt::format("depthwise conv2d groups={}", channels);
            EXPECT_NE(p2.stages[0].kernelText.find(want), std::string::npos) << p2.describe();
            EXPECT_EQ(countOps(p2, OpKind::Sum), stacked ? 0 : 1) << p2.describe();
        }
        check(op2, paper);
    }
}

TEST_F(PlanTest, WindowsSharedWithNoWeightAreExpandedExactly) {
    // A box filter: the window is summed privately (no weight), then a 1x1 conv.
    OperatorBuilder b(ctx.vars());
    auto o = b.output("[N, C_out, H, W]");
    Dim kh = b.sum("k"), c = b.sum("C_in");
    b.input({o[0], c, b.unfold(o[2], kh), o[3]});
    b.weight({o[1], c});
    b.expand(o[1]);
    check(b.build(), ctx);
    // A weight indexed by an output position (locally connected along H).
    OperatorBuilder l(ctx.vars());
    auto lo = l.output("[N, C_out, H, W]");
    Dim lk = l.sum("k"), lc = l.sum("C_in");
    l.input({lo[0], lc, l.unfold(lo[2], lk), lo[3]});
    l.weight({lo[1], lc, lk, lo[2]});
    l.expand(lo[1]);
    check(l.build(), ctx);
}

// A window over a dim the stage sums (here channels) moves onto the weight: the input is not expanded k
// times, and the contraction runs over C_in values instead of C_in x k pairs; agreement includes the
// gradients through the folded weight (index_add).
TEST_F(PlanTest, WindowsOverSummedDimsFoldIntoTheWeight) {
    OperatorBuilder b(ctx.vars());
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in"), kc = b.sum("k");
    b.input({o[0], b.unfold(c, kc), o[2], o[3]});
    b.weight({o[1], c, kc});
    b.expand(o[1]);
    Operator op = b.build();
    for (bool inference : {false, true}) {
        Plan plan = compilePlan(op, ctx, 0, PaddingPolicy::Exact, PlanOptions{false, inference});
        auto has = [&](OpKind kind) { return countOps(plan, kind) > 0; };
        EXPECT_TRUE(has(OpKind::FoldWindow)) << plan.describe();
        EXPECT_FALSE(has(OpKind::Window)) << plan.describe();
        EXPECT_EQ(plan.kernelCalls(), 1) << plan.describe();
    }
    check(op, ctx);
    // Channels in groups of s taken from the output (C_out = C_out/s x s, C_in = C_in/s x s), the window over
    // C_in: the weight does not vary with the group, so it is broadcast along it before folding.
    OperatorBuilder gb(ctx.vars());
    auto go = gb.output("[N, C_out, H, W]");
    auto [q, grp] = gb.merge(go[1], "s");
    Dim r = gb.sum("C_in/s"), gk = gb.sum("k");
    gb.input({go[0], gb.unfold(gb.split(r, grp), gk), go[2], go[3]});
    gb.weight({q, r, gk});
    gb.expand(q);
    Operator grouped = gb.build();
    Plan groupedPlan = compilePlan(grouped, ctx, 0);
    auto count = [&](OpKind kind) { return countOps(groupedPlan, kind); };
    EXPECT_EQ(count(OpKind::FoldWindow), 1) << groupedPlan.describe();
    EXPECT_EQ(count(OpKind::Broadcast), 1) << groupedPlan.describe();
    EXPECT_EQ(count(OpKind::Window), 0) << groupedPlan.describe();
    check(grouped, ctx);
    // A box filter over channels before a 1x1 conv: the stage order sums the window's taps first (they are
    // private to the input); that sum is deferred into the contraction, whose fold absorbs it.
    OperatorBuilder bb(ctx.vars());
    auto bo = bb.output("[N, C_out, H, W]");
    Dim bc = bb.sum("C_in"), bk = bb.sum("k");
    bb.input({bo[0], bb.unfold(bc, bk), bo[2], bo[3]});
    bb.weight({bo[1], bc});
    bb.expand(bo[1]);
    Operator box = bb.build();
    for (bool inference : {false, true}) {
        Plan boxPlan = compilePlan(box, ctx, 0, PaddingPolicy::Exact, PlanOptions{false, inference});
        ASSERT_GE(boxPlan.stages.size(), 2u) << boxPlan.describe();
        EXPECT_EQ(boxPlan.stages[0].kernelText, "deferred") << boxPlan.describe();
        auto has = [&](OpKind kind) { return countOps(boxPlan, kind) > 0; };
        EXPECT_TRUE(has(OpKind::FoldWindow)) << boxPlan.describe();
        EXPECT_FALSE(has(OpKind::Window)) << boxPlan.describe();
    }
    check(box, ctx);
}

// Two groups of channels taken from the output, the group the inner, shifted part of the input channel (a
// roll and a permute of the input for a grouped conv), a window along W.
Operator shiftedInnerGroups(const VariableTable& vars) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    auto [grp, q] = b.merge(o[1], "C_out/s");
    Dim r = b.sum("C_in/s"), k = b.sum("k");
    b.input({o[0], b.split(r, b.shift(grp)), o[2], b.unfold(o[3], k)});
    b.weight({k, grp});
    b.weight({q, r});
    b.expand(q);
    return b.build();
}

// The same with the group as the outer part of the output channels and one weight, 4 channels a group
// (batched before, and its result reordered after).
Operator outerGroups(const VariableTable& vars) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    auto [q, grp] = b.merge(o[1], "s");
    Dim r = b.sum("C_in/s"), k = b.sum("k");
    b.input({o[0], b.split(grp, r), b.unfold(o[2], k), o[3]});
    b.weight({q, r, k});
    b.expand(q);
    return b.build();
}

// A small channel axis (8 here) that mixes a group (kept by the output) with summed channels folds into the
// weight, dense: no roll or reordering copy of the input, one dense convolution, and (the weight's rows in
// the output's order) no reordering of its result either.
TEST_F(PlanTest, ScrambledSmallChannelsFoldIntoADenseWeight) {
    auto convOps = [](const Plan& plan) {
        std::vector<PlanOp> out;
        for (const auto& o : plan.ops)
            if (o.kind == OpKind::Conv) out.push_back(o);
        return out;
    };
    auto countAfterConv = [](const Plan& plan, OpKind kind) {
        auto conv = std::find_if(plan.ops.begin(), plan.ops.end(), [](const PlanOp& o) { return o.kind == OpKind::Conv; });
        return std::count_if(conv, plan.ops.end(), [kind](const PlanOp& o) { return o.kind == kind; });
    };
    const Operator inner = shiftedInnerGroups(ctx.vars()), outer = outerGroups(ctx.vars());
    for (const Operator& op : {inner, outer}) {
        SCOPED_TRACE(printOperator(op));
        for (bool inference : {false, true}) {
            Plan plan = compilePlan(op, ctx, 0, PaddingPolicy::Exact, PlanOptions{false, inference});
            auto convs = convOps(plan);
            ASSERT_EQ(convs.size(), 1u) << plan.describe();
            EXPECT_EQ(convs[0].amount, 1) << "dense, not grouped\n" << plan.describe();
            EXPECT_EQ(countOps(plan, OpKind::FoldWindow), 1)
                << plan.describe();
            EXPECT_EQ(std::count_if(plan.ops.begin(), plan.ops.end(), [](const PlanOp& x) { return x.kind == OpKind::Roll; }), 0)
                << plan.describe();
            EXPECT_EQ(countAfterConv(plan, OpKind::Permute), 0) << plan.describe();
        }
        check(op, ctx);
    }
}

// Beyond 16 channels the dense fold only pays on few map positions (batch 1 on small maps), where
// oneDNN's grouped kernel is the slow one: 32 channels in 2 groups, dense on 8x8 at batch 1 (64
// positions), grouped at batch 8 (512).
// The weight side of a dense fold (a tiling, a fold of the channel map, permutes and reshapes) runs as one
// Gather in a training step, where it runs every step; values and gradients stay the interpreter's.
TEST_F(PlanTest, WeightIndexChainsRunAsOneGather) {
    SizeContext small = makeContext("N=2, C_in=16, C_out=16, H=6, W=6", "k=3, g=2, s=2");
    Operator op = outerGroups(small.vars());
    Plan plan = compilePlan(op, small, 0);
    int gathers = 0;
    for (const PlanOp& o : plan.ops)
        if (o.kind == OpKind::Gather) {
            ++gathers;
            EXPECT_TRUE(o.weightOnly) << plan.describe();
            EXPECT_NE(o.equation.find(", "), std::string::npos) << "a gather replaces several ops\n" << plan.describe();
        }
    EXPECT_GE(gathers, 1) << plan.describe();
    EXPECT_EQ(countOps(plan, OpKind::FoldWindow), 1) << plan.describe();  // inside the gather
    check(op, small);
}

// Two weights multiplied before they meet the data (reshaped and permuted, a broadcast product, folded into
// a dense conv weight): one Products op in place of the whole weight side, in training and inference, with
// the interpreter's values and gradients to float32 accuracy, and to rounding in double.
TEST_F(PlanTest, WeightProductsRunAsOneOp) {
    SizeContext small = makeContext("N=2, C_in=16, C_out=16, H=6, W=6", "k=3, g=2, s=2");
    Operator op = shiftedInnerGroups(small.vars());
    for (bool inference : {false, true}) {
        Plan plan = compilePlan(op, small, 0, PaddingPolicy::Exact, PlanOptions{false, inference});
        int products = 0;
        for (const PlanOp& o : plan.ops) {
            if (o.kind != OpKind::Products) {
                EXPECT_FALSE(o.weightOnly) << "weight-side op left\n" << plan.describe();
                continue;
            }
            ++products;
            EXPECT_TRUE(o.weightOnly);
            EXPECT_EQ(std::set<int>({o.a, o.b}), std::set<int>({1, 2})) << "reads the two weights\n" << plan.describe();
            EXPECT_EQ(o.ints.size(), 2 * o.ints2.size());
            EXPECT_TRUE(std::is_sorted(o.ints2.begin(), o.ints2.end()));
        }
        EXPECT_EQ(products, 1) << plan.describe();
        EXPECT_EQ(countOps(plan, OpKind::Mul), 1) << plan.describe();         // inside it
        EXPECT_EQ(countOps(plan, OpKind::FoldWindow), 1) << plan.describe();  // inside it
    }
    check(op, small);
    Plan plan = compilePlan(op, small, 0);
    Plan inference = compilePlan(op, small, 0, PaddingPolicy::Exact, PlanOptions{false, true});
    EXPECT_LT(compare(plan, inference, op, small, 0, PaddingPolicy::Exact, 3, Precision::Float64).worst(), 1e-12);
}

// A weight-side value that something else reads too stays as it is: replacing the ops behind the product
// would change what the other reader sees.
TEST_F(PlanTest, WeightProductsKeepValuesOthersRead) {
    auto handBuilt = [](bool secondReader) {
        Plan p;
        p.inputShape = {2, 3};
        p.weightShapes = {{3, 4}, {4, 5}};
        p.slots = 6;
        auto op = [](OpKind kind, int dst, int a, int b, std::vector<int64_t> shape = {}) {
            PlanOp o;
            o.kind = kind;
            o.dst = dst;
            o.a = a;
            o.b = b;
            o.shape = std::move(shape);
            return o;
        };
        p.ops = {op(OpKind::Reshape, 1, 1, -1, {3, 4}), op(OpKind::MatMul, 3, 1, 2), op(OpKind::MatMul, 4, 0, 3)};
        if (secondReader) p.ops.push_back(op(OpKind::MatMul, 5, 0, 1));  // reads the reshaped first weight
        StageRecord all;
        all.endOp = p.ops.size();
        p.stages = {all};
        markWeightOnly(p);
        fuseWeightProducts(p);
        return p;
    };
    Plan fused = handBuilt(false), kept = handBuilt(true);
    ASSERT_EQ(fused.ops.size(), 2u);
    EXPECT_EQ(fused.ops[0].kind, OpKind::Products);
    EXPECT_EQ(fused.ops[0].ints2.size(), 3u * 5u * 4u);  // 4 terms for each of the 3 x 5 elements
    EXPECT_EQ(fused.stages[0].endOp, 2u);
    ASSERT_EQ(kept.ops.size(), 4u);
    for (const PlanOp& o : kept.ops) EXPECT_NE(o.kind, OpKind::Products);
}

TEST_F(PlanTest, DenseFoldsOfWiderChannelsOnlyOnFewPositions) {
    const SizeContext wide(ctx.vars(), parseBindings("N=1, C_in=32, C_out=32, H=8, W=8; N=8, C_in=32, C_out=32, H=8, W=8"));
    const Operator op = shiftedInnerGroups(wide.vars());
    for (int binding : {0, 1}) {
        Plan plan = compilePlan(op, wide, binding, PaddingPolicy::Exact, PlanOptions{false, true});
        auto conv = std::find_if(plan.ops.begin(), plan.ops.end(), [](const PlanOp& x) { return x.kind == OpKind::Conv; });
        ASSERT_NE(conv, plan.ops.end()) << plan.describe();
        EXPECT_EQ(conv->amount, binding == 0 ? 1 : 2) << "groups\n" << plan.describe();
        check(op, wide, binding);
    }
}

// A shift of an output coordinate buried in a window over a split (channels x rows, scrambled back by a
// merge): the plan computes in shifted order and rolls the (small) output once, instead of rolling the
// window-expanded input.
TEST_F(PlanTest, ShiftedOutputCoordinatesRollTheOutputOnce) {
    OperatorBuilder b(ctx.vars());
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in"), k = b.sum("k");
    auto [row, chan] = b.merge(b.unfold(b.split(c, b.shift(o[2])), k), "C_in");
    b.input({o[0], chan, row, o[3]});
    b.weight({chan, o[1]});
    b.weight({o[1], k});
    b.expand(o[1]);
    Operator op = b.build();
    for (bool inference : {false, true}) {
        Plan plan = compilePlan(op, ctx, 0, PaddingPolicy::Exact, PlanOptions{false, inference});
        ASSERT_FALSE(plan.stages.empty());
        const StageRecord& last = plan.stages.back();
        int rolls = 0, rollsInLayout = 0;
        for (size_t i = 0; i < plan.ops.size(); ++i)
            if (plan.ops[i].kind == OpKind::Roll) {
                ++rolls;
                rollsInLayout += i >= last.firstOp && i < last.endOp;
            }
        EXPECT_EQ(rolls, 1) << plan.describe();
        EXPECT_EQ(rollsInLayout, 1) << "the roll is the output's\n" << plan.describe();
    }
    check(op, ctx);
}

// A plan is compiled for one layer and contracts in the order cheapest there; Operator 1's best order
// changes with C_out (see the next test). What synthesis windows and reports, stagedFlopsPerBinding, is
// what the plans run, and less than the one order that is cheapest for both layers together.
TEST_F(PlanTest, SynthesisCountsTheFlopsThePlansRun) {
    SizeContext ctx = makeContext("N=2, C_in=8, C_out=8, H=10, W=9", "k=3, g=2, s=2",
                                  "C_out=8, H=10, W=9; C_out=64, H=2, W=2");
    const Operator op = library::operator1(ctx.vars());
    double planned = 0;
    for (int b = 0; b < ctx.bindingCount(); ++b)
        planned += compilePlan(op, ctx, b, PaddingPolicy::Exact, PlanOptions{false, false}).flops;
    EXPECT_DOUBLE_EQ(stagedFlopsPerBinding(op, ctx), planned);
    EXPECT_LT(stagedFlopsPerBinding(op, ctx), planStages(op, ctx).flops);
    const SizeContext one = makeContext("N=2, C_in=8, C_out=8, H=10, W=9", "k=3, g=2, s=2");
    EXPECT_DOUBLE_EQ(stagedFlopsPerBinding(op, one), planStages(op, one).flops);
}

// A window whose tap the stage keeps (Operator 1's first stage, a 1x3 window whose taps the second stage
// sums): the contraction runs on the input as it is, and the result takes each tap's slice shifted (a
// Diagonal op), instead of copying the input once per tap. Also with a window wider than its axis (every
// shift but the middle one runs partly or wholly outside).
TEST_F(PlanTest, KeptWindowTapsAreTakenAfterTheContraction) {
    // Sizes at which planStages contracts the input with the first weight first (at C_out = 16 it
    // contracts the two weights first, and no window is kept).
    SizeContext paper = makeContext("N=2, C_in=8, C_out=8, H=10, W=9", "k=3, g=2, s=2");
    SizeContext wide = makeContext("N=2, C_in=8, C_out=12, H=4, W=3", "k=7");
    OperatorBuilder b(wide.vars());
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in"), k = b.sum("k");
    b.input({o[0], c, o[2], b.unfold(o[3], k)});
    b.weight({c, k});
    b.weight({k, o[1]});
    b.expand(o[1]);
    const Operator wideOp = b.build();
    for (const auto& [op, ctx] : {std::pair{library::operator1(paper.vars()), paper}, std::pair{wideOp, wide}}) {
        SCOPED_TRACE(printOperator(op));
        for (bool inference : {false, true}) {
            Plan plan = compilePlan(op, ctx, 0, PaddingPolicy::Exact, PlanOptions{false, inference});
            int windows = 0, diagonals = 0;
            for (const PlanOp& x : plan.ops) {
                windows += x.kind == OpKind::Window;
                diagonals += x.kind == OpKind::Diagonal;
            }
            EXPECT_EQ(windows, 0) << plan.describe();
            EXPECT_EQ(diagonals, 1) << plan.describe();
            EXPECT_EQ(plan.einsums(), 0) << plan.describe();
        }
        check(op, ctx);
    }
}

// A group axis reached through a shift of a coordinate that a weight shares (r18 sample 10 of plan_bench):
// training rolls the input's groups; inference rolls the weight instead (prepared once) and the result's
// group roll joins the shifted output's in one multi-axis roll, so the input is not copied.
TEST_F(PlanTest, InferenceFoldsWindowsIntoWeightsLargerThanTheInput) {
    // The fourth ResNet-18 campaign's candidate 19 with more channels than map positions (as at 512@7): a window over the input channels whose
    // sums two weights share. Its weights (contracted first) outweigh the windowed input, so a training
    // plan, which would fold on every call, expands the window; an inference plan folds once per weight
    // version and runs one product over the channels.
    SizeContext small = makeContext("N=1, C_in=32, C_out=32, H=2, W=2", "k=3, g=4, s=2");
    OperatorBuilder b(small.vars());
    auto o = b.output("[N, C_out, H, W]");
    auto [d0, d1] = b.merge(o[1], "C_out/s");
    Dim k = b.sum("k"), gs = b.sum("g*s"), c = b.sum("C_in/s");
    Dim d3 = b.split(c, b.shift(d0));
    b.input({o[0], b.unfold(d3, k), o[2], b.shift(o[3])});
    b.weight({gs, c, k, d0});
    b.weight({d1, gs, k, d0});
    b.expand(d1);
    b.expand(gs);
    const Operator op = b.build();
    SCOPED_TRACE(printOperator(op));
    for (bool inference : {false, true}) {
        const Plan plan = compilePlan(op, small, 0, PaddingPolicy::Exact, PlanOptions{false, inference});
        int perCallWindows = 0, onceFolds = 0;
        for (const PlanOp& x : plan.ops) {
            perCallWindows += x.kind == OpKind::Window && !x.weightOnly;
            // Alone, or fused with the other ops on the weights (FuseIndexMaps.h, FuseWeightProducts.h).
            onceFolds += x.weightOnly && (x.kind == OpKind::FoldWindow || x.equation.find("fold_window") != std::string::npos);
        }
        EXPECT_EQ(perCallWindows, inference ? 0 : 1) << plan.describe();
        EXPECT_EQ(onceFolds, inference ? 1 : 0) << plan.describe();
    }
    check(op, small);
}

TEST_F(PlanTest, GroupShiftsMoveOntoTheWeightsInInference) {
    // 32 channels on 288 positions: a grouped conv (denseFoldPays folds the groups at 16 channels).
    SizeContext ctx2 = makeContext("N=2, C_in=32, C_out=32, H=12, W=12", "k=3, s=2");
    OperatorBuilder b(ctx2.vars());
    auto o = b.output("[N, C_out, H, W]");
    auto [outer, group] = b.merge(o[1], "s");
    Dim c = b.sum("C_in/s"), k = b.sum("k");
    b.input({o[0], b.split(b.shift(group), c), b.unfold(b.shift(o[2]), k), o[3]});
    b.weight({k, c, outer});
    b.weight({group});
    b.expand(outer);
    const Operator op = b.build();
    SCOPED_TRACE(printOperator(op));
    for (bool inference : {false, true}) {
        Plan plan = compilePlan(op, ctx2, 0, PaddingPolicy::Exact, PlanOptions{false, inference});
        int inputRolls = 0, multiAxisRolls = 0;
        for (const PlanOp& x : plan.ops) {
            inputRolls += x.kind == OpKind::Roll && x.a == 0;
            multiAxisRolls += x.kind == OpKind::Roll && !x.ints.empty() && !x.weightOnly;
        }
        EXPECT_EQ(inputRolls, inference ? 0 : 1) << plan.describe();
        EXPECT_EQ(multiAxisRolls, inference ? 1 : 0) << plan.describe();
        EXPECT_EQ(plan.convolutions(), 1) << plan.describe();
    }
    check(op, ctx2);
}

// Operators drawn from the synthesis space of 3x3 conv replacements, at small sizes.
TEST_F(PlanTest, SampledOperatorsAgreeWithTheInterpreter) {
    SizeContext space = makeContext("N=1: 0, C_in=32: 2, C_out=32: 4, H=16: 0, W=16: 0", "k=3: 2, g=4: 3, s=2: 2");
    SynthesisOptions options;
    options.depth = 8;  // deeper spaces take long to set up; depth 8 already mixes every primitive
    Problem problem = Problem::make(space, "[N, C_in, H, W]", "[N, C_out, H, W]", options);
    Space s(problem);
    auto sampled = s.sample(40, 11, SampleMode::Uniform);
    ASSERT_GE(sampled.size(), 30u);
    int library = 0, total = 0;
    for (const auto& smp : sampled) {
        SizeContext small(smp.op.vars(), parseBindings("N=1, C_in=8, C_out=8, H=8, W=8"));
        SCOPED_TRACE(printOperator(smp.op));
        Plan plan = compilePlan(smp.op, small, 0);
        check(smp.op, small, 0, PaddingPolicy::Exact, {}, 3);
        library += plan.libraryStages();
        total += static_cast<int>(plan.stages.size());
    }
    EXPECT_GT(library, total / 2);
}

// Operators sampled once from deeper spaces (depth 10: conv, type-first, depthwise-shaped and downsampling
// outputs) and kept as text, since setting those spaces up takes ~20 s each. Every one must agree.
TEST_F(PlanTest, StoredSampledOperatorsAgreeWithTheInterpreter) {
    int count = 0, library = 0, total = 0, convs = 0, hoisted = 0, reordered = 0, multiRolls = 0, folds = 0;
    int deepFolds = 0;
    for (const char* file : {"sampled_conv_d10.txt", "sampled_typefirst_d10.txt", "sampled_depthwise_d10.txt",
                             "sampled_downsample_d10.txt"}) {
        std::ifstream in(std::string(SYNO_PLANS_FIXTURES) + "/" + file);
        ASSERT_TRUE(in.good()) << file;
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        size_t pos = text.find("syno-operator");
        while (pos != std::string::npos) {
            size_t next = text.find("syno-operator", pos + 1);
            std::string one = text.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
            pos = next;
            Operator op = parseOperator(one);
            SizeContext small(op.vars(), parseBindings("N=2, C_in=8, C_out=8, H=8, W=8"));
            SCOPED_TRACE(std::string(file) + "\n" + one);
            Plan plan = compilePlan(op, small, 0);
            check(op, small, 0, PaddingPolicy::Exact, {}, 5 + static_cast<uint64_t>(count));
            library += plan.libraryStages();
            total += static_cast<int>(plan.stages.size());
            convs += plan.convolutions();
            hoisted += plan.inferenceFlops < plan.flops;
            multiRolls += std::any_of(plan.ops.begin(), plan.ops.end(),
                                      [](const PlanOp& o) { return o.kind == OpKind::Roll && !o.ints.empty(); });
            folds += countOps(plan, OpKind::FoldWindow) > 0;
            // A deep layer at batch 1, where the weights outweigh the map: per-row weight maps move onto
            // the activation instead of tiling the weights (FoldIndexMaps.cpp, foldInto).
            SizeContext deep(op.vars(), parseBindings("N=1, C_in=16, C_out=16, H=4, W=4"));
            Plan deepPlan = compilePlan(op, deep, 0);
            check(op, deep, 0, PaddingPolicy::Exact, {}, 500 + static_cast<uint64_t>(count));
            deepFolds += std::any_of(deepPlan.stages.begin(), deepPlan.stages.end(), [](const StageRecord& st) {
                return st.why.find("tiled index map(s)") != std::string::npos;
            });
            // Ordered for inference, no plan runs more FLOPs per call than the training order would (up
            // to the 1/1000 share its weight-only stages count for), and some run fewer.
            Plan inference = compilePlan(op, small, 0, PaddingPolicy::Exact, PlanOptions{false, true});
            const double share = 1.0 / kWeightStageCalls;
            EXPECT_LE(inference.inferenceFlops, plan.inferenceFlops + share * (plan.flops - plan.inferenceFlops) + 1e-9);
            reordered += inference.inferenceFlops < plan.inferenceFlops;
            ++count;
        }
    }
    EXPECT_GE(count, 100);
    std::cerr << count << " stored operators: " << library << " of " << total << " stages on library kernels, "
              << convs << " convolutions, " << hoisted << " with weight-only stages (run once in inference), "
              << reordered << " with fewer FLOPs per call in the inference order, " << multiRolls
              << " with a roll over several axes (FuseRolls.h), " << folds << " with a window folded into a weight; at "
              << "N=1, C=16, 4x4: " << deepFolds << " with a tiled index map folded into the other operand\n";
    EXPECT_GT(library, total * 9 / 10);
    EXPECT_GT(hoisted, 0);  // so the prepared inference path above met weight-weight contractions
    EXPECT_GT(reordered, 0);
    EXPECT_GT(multiRolls, 0);  // so the fused rolls above were checked in both passes (inference and autograd)
    EXPECT_GT(folds, 0);       // so folded windows were checked against the interpreter, gradients included
    EXPECT_GT(deepFolds, 0);   // and folded per-row maps (merge halves that would be tiled) too
}

// A reshape that the next op touching its slot reshapes again is dropped; the stages keep their ranges
// and the plan computes the same values. A reshape whose slot is read (as either operand) or written
// before the next reshape stays.
TEST_F(PlanTest, ReshapesOfReshapesMerge) {
    Plan plan;
    plan.inputShape = plan.paddedInputShape = plan.outputShape = {2, 3, 5};
    plan.slots = 1;
    auto op = [](OpKind kind, std::vector<int64_t> v) {
        PlanOp o;
        o.kind = kind;
        (kind == OpKind::Reshape ? o.shape : o.ints) = std::move(v);
        return o;
    };
    plan.ops = {op(OpKind::Reshape, {6, 5}), op(OpKind::Reshape, {5, 6}), op(OpKind::Permute, {1, 0}),
                op(OpKind::Reshape, {2, 3, 5})};
    StageRecord first, second;
    first.endOp = 2;
    second.firstOp = 2;
    second.endOp = 4;
    plan.stages = {first, second};
    Plan merged = plan;
    mergeReshapes(merged);
    ASSERT_EQ(merged.ops.size(), 3u) << merged.describe();
    EXPECT_EQ(merged.ops[0].describe(), "s0 = reshape(s0, [5, 6])");
    EXPECT_EQ(merged.stages[0].endOp, 1u);
    EXPECT_EQ(merged.stages[1].firstOp, 1u);
    EXPECT_EQ(merged.stages[1].endOp, 3u);
    Tensor x = Tensor::random({2, 3, 5}, 4);
    Tensor g = Tensor::random({2, 3, 5}, 5);
    PlanRun before = runPlan(plan, x, {}, &g), after = runPlan(merged, x, {}, &g);
    EXPECT_EQ(maxRelativeError(after.output, before.output), 0);
    EXPECT_EQ(maxRelativeError(after.gradInput, before.gradInput), 0);
    EXPECT_NE(maxRelativeError(before.output, x), 0);  // the permute moved values
}

TEST_F(PlanTest, ReshapesReadInBetweenStay) {
    Plan plan;
    plan.inputShape = plan.paddedInputShape = {2, 6};
    plan.weightShapes = {{6, 2}};
    plan.outputShape = {4, 1};
    plan.slots = 3;
    auto reshape = [](int slot, std::vector<int64_t> shape) {
        PlanOp o;
        o.kind = OpKind::Reshape;
        o.dst = o.a = slot;
        o.shape = std::move(shape);
        return o;
    };
    PlanOp mm;
    mm.kind = OpKind::MatMul;
    mm.dst = 2;
    mm.a = 0;
    mm.b = 1;  // reads slot 1 as b between its two reshapes
    PlanOp overwrite = mm;
    overwrite.dst = 1;  // writes slot 1 between its two reshapes
    plan.ops = {reshape(1, {3, 4}), reshape(1, {6, 2}), mm, reshape(1, {12}), reshape(2, {4}), overwrite,
                reshape(1, {4, 1})};
    plan.ops[5].b = 2;  // reads slots 0 and 2 only
    plan.resultSlot = 1;
    StageRecord stage;
    stage.endOp = plan.ops.size();
    plan.stages = {stage};
    Plan merged = plan;
    mergeReshapes(merged);
    // Only the first reshape of slot 1 goes: the second is read by the matmul (as b), the third is
    // overwritten by another op (whose result the last reshape then reshapes).
    ASSERT_EQ(merged.ops.size(), plan.ops.size() - 1) << merged.describe();
    EXPECT_EQ(merged.ops[0].describe(), "s1 = reshape(s1, [6, 2])");
    EXPECT_EQ(merged.ops[2].describe(), "s1 = reshape(s1, [12])");
}

// Adjacent rolls of one tensor become one roll; two on the same axis add up. Inference (one pass over
// blocks) and autograd (concatenations) both give torch.roll's values.
TEST_F(PlanTest, AdjacentRollsFuseIntoOneRoll) {
    Plan plan;
    plan.inputShape = plan.paddedInputShape = plan.outputShape = {2, 3, 5};
    plan.slots = 1;
    auto roll = [](int64_t axis, int64_t amount) {
        PlanOp o;
        o.kind = OpKind::Roll;
        o.axis = axis;
        o.amount = amount;
        return o;
    };
    plan.ops = {roll(1, -1), roll(2, 2), roll(1, -1)};
    StageRecord stage;
    stage.endOp = plan.ops.size();
    plan.stages = {stage};
    Plan fused = plan;
    fuseRolls(fused);
    ASSERT_EQ(fused.ops.size(), 1u) << fused.describe();
    EXPECT_EQ(fused.ops[0].describe(), "s0 = roll(s0, -2 [2], axes 1 [2])");
    EXPECT_EQ(fused.stages[0].endOp, 1u);
    Tensor x = Tensor::random({2, 3, 5}, 4);
    Tensor expected = Tensor::zeros({2, 3, 5});
    for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 3; ++j)
            for (int64_t k = 0; k < 5; ++k)  // roll by -2 along axis 1 and by 2 along axis 2
                expected.data[static_cast<size_t>((i * 3 + j) * 5 + k)] =
                    x.data[static_cast<size_t>((i * 3 + (j + 2) % 3) * 5 + (k + 3) % 5)];
    Tensor g = Tensor::random({2, 3, 5}, 5);
    for (const Plan* p : {&plan, &fused}) {
        EXPECT_LT(maxRelativeError(runPlan(*p, x, {}).output, expected), 1e-6);
        PlanRun withGrad = runPlan(*p, x, {}, &g);
        EXPECT_LT(maxRelativeError(withGrad.output, expected), 1e-6);
        // The gradient of a roll is the opposite roll: <g, roll(x)> = <roll^-1(g), x>.
        double lhs = 0, rhs = 0;
        for (size_t n = 0; n < g.data.size(); ++n) {
            lhs += g.data[n] * expected.data[n];
            rhs += withGrad.gradInput.data[n] * x.data[n];
        }
        EXPECT_NEAR(lhs, rhs, 1e-5);
    }
}

TEST_F(PlanTest, FiniteDifferencesInDouble) {
    SizeContext c = makeContext("N=1, C_in=4, C_out=4, H=5, W=5", "k=3, g=2");
    Operator op = library::groupedConv2d(c.vars());
    Plan plan = compilePlan(op, c, 0);
    Realization r = realize(op, c, 0, PaddingPolicy::Exact);
    Tensor x = Tensor::random(r.inputShape, 5);
    std::vector<Tensor> ws = {Tensor::random(r.weightShapes[0], 6)};
    Tensor g = Tensor::random(r.outputShape, 7);
    PlanRun run = runPlan(plan, x, ws, &g, Precision::Float64);
    auto loss = [&](const Tensor& xx, const std::vector<Tensor>& ww) {
        Tensor y = runPlan(plan, xx, ww, nullptr, Precision::Float64).output;
        double l = 0;
        for (size_t i = 0; i < y.data.size(); ++i) l += y.data[i] * g.data[i];
        return l;
    };
    const double h = 1e-6;
    for (size_t i = 0; i < x.data.size(); i += 7) {
        Tensor xp = x, xm = x;
        xp.data[i] += h;
        xm.data[i] -= h;
        double fd = (loss(xp, ws) - loss(xm, ws)) / (2 * h);
        EXPECT_NEAR(fd, run.gradInput.data[i], 1e-6 * std::max(1.0, std::abs(fd)));
    }
    for (size_t i = 0; i < ws[0].data.size(); i += 5) {
        auto wp = ws, wm = ws;
        wp[0].data[i] += h;
        wm[0].data[i] -= h;
        double fd = (loss(x, wp) - loss(x, wm)) / (2 * h);
        EXPECT_NEAR(fd, run.gradWeights[0].data[i], 1e-6 * std::max(1.0, std::abs(fd)));
    }
    // And in double the plan matches the reference to rounding.
    Plan inference = compilePlan(op, c, 0, PaddingPolicy::Exact, PlanOptions{false, true});
    EXPECT_LT(compare(plan, inference, op, c, 0, PaddingPolicy::Exact, 3, Precision::Float64).worst(), 1e-12);
}

TEST_F(PlanTest, PlansArePrintableHashableAndCached) {
    Operator op = library::conv2d(ctx.vars());
    Plan a = compilePlan(op, ctx, 0), b = compilePlan(op, ctx, 0);
    EXPECT_EQ(a.hash(), b.hash());
    EXPECT_EQ(a.describe(), b.describe());
    std::string text = a.describe();
    test::expectContainsAll(text, {"conv2d", "FLOPs", "why", op.idHex()});
    Plan other = compilePlan(library::conv1x1(ctx.vars()), ctx, 0);
    EXPECT_NE(a.hash(), other.hash());
    PlanCache cache;
    auto p1 = cache.get(op, ctx, 0), p2 = cache.get(op, ctx, 0);
    EXPECT_EQ(p1.get(), p2.get());
    SizeContext two = makeContext(kPrimary, kCoef).withBindings({ctx.bindings()[0], ctx.bindings()[0]});
    EXPECT_EQ(cache.get(op, two, 1).get(), p1.get());  // same values, same plan
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_DOUBLE_EQ(a.flops, 2.0 * 2 * 12 * 10 * 9 * 8 * 9);
    EXPECT_DOUBLE_EQ(a.params, 12.0 * 8 * 9);
}

TEST_F(PlanTest, BadInputFailsWithOneLine) {
    Operator op = library::conv2d(ctx.vars());
    Plan plan = compilePlan(op, ctx, 0);
    Realization r = realize(op, ctx, 0, PaddingPolicy::Exact);
    Tensor x = Tensor::random(r.inputShape, 1);
    std::vector<Tensor> ws = {Tensor::random(r.weightShapes[0], 2)};
    Tensor nanX = x;
    nanX.data[3] = std::nan("");
    std::string m = errorOf([&] { runPlan(plan, nanX, ws); });
    test::expectContainsAll(m, {"input", "NaN"});
    test::expectOneLine(m);
    auto nanW = ws;
    nanW[0].data[0] = INFINITY;
    test::expectContainsAll(errorOf([&] { runPlan(plan, x, nanW); }), {"weight 1", "NaN"});
    Tensor wrong = Tensor::random({2, 8, 10}, 1);
    test::expectContainsAll(errorOf([&] { runPlan(plan, wrong, ws); }), {"input", "shape"});
    test::expectContainsAll(errorOf([&] { runPlan(plan, x, {}); }), {"weight"});
    // Sizes that do not divide, and bindings that do not exist.
    Operator grouped = library::groupedConv2d(ctx.vars());
    SizeContext bad = makeContext("N=1, C_in=6, C_out=12, H=8, W=8", "k=3, g=4, s=2");
    std::string div = errorOf([&] { compilePlan(grouped, bad, 0); });
    test::expectOneLine(div);
    EXPECT_FALSE(div.empty());
    EXPECT_FALSE(errorOf([&] { compilePlan(op, ctx, 3); }).empty());
}

}  // namespace
}  // namespace syno::plans
