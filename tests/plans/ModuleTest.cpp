// The torch::nn::Module built from a plan: parameters, initialisation scale, training and inference,
// batch rebinding, and the latency probe.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "TestHelpers.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "plans/Execute.h"
#include "plans/PlanModule.h"

namespace syno::plans {
namespace {

using test::errorOf;
using test::makeContext;

TEST(PlanModuleTest, RegistersWeightsAndReportsThePlan) {
    SizeContext ctx = makeContext("N=2, C_in=16, C_out=24, H=8, W=8", "k=3, g=4");
    PlanModule m(library::groupedConv2d(ctx.vars()), ctx, 0);
    auto params = m->parameters();
    ASSERT_EQ(params.size(), 1u);
    EXPECT_EQ(params[0].sizes().vec(), (std::vector<int64_t>{16, 6, 3, 3}));
    EXPECT_EQ(m->parameterCount(), 16 * 6 * 9);
    EXPECT_DOUBLE_EQ(m->flops(), 2.0 * 2 * 24 * 8 * 8 * 4 * 9);
    EXPECT_EQ(m->plan().convolutions(), 1);
}

TEST(PlanModuleTest, UnitScaleInputsGiveUnitScaleOutputs) {
    SizeContext ctx = makeContext("N=4, C_in=64, C_out=64, H=16, W=16", "k=3");
    for (const Operator& op : {library::conv2d(ctx.vars()), library::conv1x1(ctx.vars())}) {
        PlanModule m(op, ctx, 0);
        torch::NoGradGuard noGrad;
        auto y = m->forward(torch::randn({4, 64, 16, 16}));
        double sd = y.std().item<double>();
        EXPECT_GT(sd, 0.7);
        EXPECT_LT(sd, 1.3);
    }
}

TEST(PlanModuleTest, TrainsThroughAutogradAndRebindsTheBatch) {
    SizeContext ctx = makeContext("N=8, C_in=4, C_out=4, H=6, W=6", "k=3");
    PlanModule m(library::conv2d(ctx.vars()), ctx, 0);
    PlanModule teacher(library::conv2d(ctx.vars()), ctx, 0, ModuleOptions{PaddingPolicy::Exact, "N", false, 99});
    torch::optim::SGD opt(m->parameters(), torch::optim::SGDOptions(0.05));
    torch::manual_seed(3);
    auto x = torch::randn({8, 4, 6, 6});
    torch::Tensor target;
    {
        torch::NoGradGuard noGrad;
        target = teacher->forward(x);
    }
    double first = 0, last = 0;
    for (int step = 0; step < 30; ++step) {
        opt.zero_grad();
        auto loss = torch::mse_loss(m->forward(x), target);
        loss.backward();
        opt.step();
        if (step == 0) first = loss.item<double>();
        last = loss.item<double>();
    }
    EXPECT_LT(last, 0.5 * first);
    // Another batch size: the plan is rebuilt for N=3, the weights stay.
    auto y = m->forward(torch::randn({3, 4, 6, 6}));
    EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{3, 4, 6, 6}));
    EXPECT_EQ(m->plan().inputShape[0], 3);
    std::string msg = errorOf([&] { m->forward(torch::randn({3, 5, 6, 6})); });
    test::expectContainsAll(msg, {"expects an input of shape"});
}

// An operator without the batch variable still switches between its training and inference plans.
TEST(PlanModuleTest, SwitchesPlansWithoutABatchVariable) {
    SizeContext ctx = makeContext("N=2, C_in=3, C_out=4", "");
    PlanModule m(library::linear(ctx.vars()), ctx, 0, ModuleOptions{PaddingPolicy::Exact, "Q", false, 1});
    auto x = torch::randn({2, 3});
    auto trained = m->forward(x);
    EXPECT_FALSE(m->plan().options.inference);
    torch::NoGradGuard noGrad;
    auto inferred = m->forward(x);
    EXPECT_TRUE(m->plan().options.inference);
    EXPECT_TRUE(torch::allclose(trained.detach(), inferred));
}

TEST(PlanModuleTest, ChecksFiniteInputsWhenAsked) {
    SizeContext ctx = makeContext("N=1, C_in=2, C_out=3", "");
    PlanModule m(library::linear(ctx.vars()), ctx, 0, ModuleOptions{PaddingPolicy::Exact, "N", true, 1});
    auto x = torch::ones({1, 2});
    x[0][1] = std::numeric_limits<float>::quiet_NaN();
    test::expectContainsAll(errorOf([&] { m->forward(x); }), {"input", "NaN"});
}

TEST(PlanModuleTest, ExecutorMatchesTorchConv2dExactly) {
    SizeContext ctx = makeContext("N=2, C_in=8, C_out=8, H=7, W=7", "k=3");
    auto plan = std::make_shared<const Plan>(compilePlan(library::conv2d(ctx.vars()), ctx, 0));
    auto x = torch::randn({2, 8, 7, 7});
    auto w = torch::randn({8, 8, 3, 3});
    torch::NoGradGuard noGrad;
    auto ours = executePlan(*plan, x, {w});
    auto theirs = torch::conv2d(x, w, {}, 1, 1);
    EXPECT_TRUE(torch::equal(ours, theirs));  // the very same kernel call
}

TEST(PlanModuleTest, ChannelsLastInputsGiveTheSameOutputs) {
    SizeContext ctx = makeContext("N=2, C_in=8, C_out=8, H=7, W=7", "k=3, g=2, s=2");
    for (const Operator& op : {library::conv2d(ctx.vars()), library::operator2(ctx.vars())}) {
        PlanModule m(op, ctx, 0);  // Layout::Auto
        torch::NoGradGuard noGrad;
        auto x = torch::randn({2, 8, 7, 7});
        auto nchw = m->forward(x);
        auto nhwc = m->forward(x.contiguous(torch::MemoryFormat::ChannelsLast));
        EXPECT_TRUE(torch::allclose(nchw, nhwc, 1e-5, 1e-5));
    }
}

// The first stored sampled operator whose plan contracts its two weights with each other.
Operator operatorWithWeightOnlyStage(const SizeContext& (*contextFor)(const Operator&)) {
    std::ifstream in(std::string(SYNO_PLANS_FIXTURES) + "/sampled_conv_d10.txt");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (size_t pos = text.find("syno-operator"); pos != std::string::npos;) {
        size_t next = text.find("syno-operator", pos + 1);
        Operator op = parseOperator(text.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
        pos = next;
        Plan plan = compilePlan(op, contextFor(op), 0);
        for (const auto& s : plan.stages)
            if (s.weightOnly && s.flops > 0) return op;
    }
    throw Error("no stored operator has a weight-only stage");
}

// Such an operator with the context of a small binding.
std::pair<Operator, SizeContext> smallOperatorWithWeightOnlyStage() {
    static SizeContext ctx;
    auto contextFor = [](const Operator& op) -> const SizeContext& {
        ctx = SizeContext(op.vars(), parseBindings("N=2, C_in=8, C_out=8, H=8, W=8"));
        return ctx;
    };
    Operator op = operatorWithWeightOnlyStage(contextFor);
    return {op, contextFor(op)};
}

TEST(PlanModuleTest, InferencePreparesWeightOnlyStagesAndFollowsWeightUpdates) {
    const auto [op, ctx] = smallOperatorWithWeightOnlyStage();
    PlanModule m(op, ctx, 0);
    EXPECT_LT(m->plan().inferenceFlops, m->plan().flops);
    EXPECT_NE(m->plan().describe().find("weights only"), std::string::npos);
    m->eval();  // prepared weights are kept in evaluation mode only
    torch::NoGradGuard noGrad;
    auto x = torch::randn({2, 8, 8, 8});
    auto whole = [&] { return executePlan(m->plan(), x, m->weights()); };
    auto before = m->forward(x);
    EXPECT_TRUE(torch::allclose(before, whole(), 1e-5, 1e-6));
    EXPECT_TRUE(torch::equal(before, m->forward(x)));  // the prepared weights again
    m->weights()[0].mul_(-2);  // an in-place update, like an optimizer step: the prepared values are stale
    auto after = m->forward(x);
    EXPECT_TRUE(torch::allclose(after, whole(), 1e-5, 1e-6));
    EXPECT_FALSE(torch::allclose(after, before, 1e-3, 1e-3));
}

// libtorch's C++ SGD writes through .data() and bumps no version: validation between training epochs
// must still see the new weights (a stale cache once made trained networks look diverged).
TEST(PlanModuleTest, EvaluationFollowsTheWeightsOfACppOptimizerStep) {
    const auto [op, ctx] = smallOperatorWithWeightOnlyStage();
    PlanModule m(op, ctx, 0);
    torch::optim::SGD opt(m->parameters(), torch::optim::SGDOptions(0.5).momentum(0.9));
    auto x = torch::randn({2, 8, 8, 8});
    auto evaluate = [&] {
        torch::NoGradGuard noGrad;
        m->eval();
        auto y = m->forward(x);
        EXPECT_TRUE(torch::allclose(y, executePlan(m->plan(), x, m->weights()), 1e-5, 1e-6));
        m->train();
        return y;
    };
    auto before = evaluate();
    const auto versions = m->weights()[0]._version();
    for (int step = 0; step < 3; ++step) {
        opt.zero_grad();
        m->forward(x).square().mean().backward();
        opt.step();
    }
    ASSERT_EQ(m->weights()[0]._version(), versions) << "libtorch's SGD now bumps versions: revisit the cache rule";
    auto after = evaluate();
    EXPECT_FALSE(torch::allclose(after, before, 1e-3, 1e-3));
    // In training mode without autograd (no eval()), nothing is kept either.
    torch::NoGradGuard noGrad;
    auto y1 = m->forward(x);
    m->weights()[0].data().mul_(-1);
    EXPECT_TRUE(torch::allclose(m->forward(x), executePlan(m->plan(), x, m->weights()), 1e-5, 1e-6));
    EXPECT_FALSE(torch::allclose(y1, m->forward(x), 1e-3, 1e-3));
}

TEST(PlanModuleTest, AutoLayoutLeavesAnNchwInputOfConv2dAlone) {
    SizeContext ctx = makeContext("N=1, C_in=8, C_out=8, H=16, W=16", "k=3");
    PlanModule m(library::conv2d(ctx.vars()), ctx, 0);
    torch::NoGradGuard noGrad;
    EXPECT_TRUE(m->forward(torch::randn({1, 8, 16, 16})).is_contiguous());  // converting it would cost more
}

TEST(PlanModuleTest, TimeCellInterleavesPlansWithTheBaseline) {
    SizeContext ctx = makeContext("N=1, C_in=8, C_out=8, H=8, W=8", "k=3, g=2, s=2");
    Plan conv = compilePlan(library::conv2d(ctx.vars()), ctx, 0);
    Plan op2 = compilePlan(library::operator2(ctx.vars()), ctx, 0);
    CellOptions o;
    o.runs = 3;
    o.budgetSeconds = 1e-9;  // every cell over budget: minRuns rounds
    o.minRuns = 2;
    o.baselineChannelsLast = true;
    CellTiming t = timeCell({&conv, &op2}, o);
    EXPECT_EQ(t.planMs.size(), 2u);
    EXPECT_EQ(t.runs, 2);
    EXPECT_TRUE(t.budgetCut);
    EXPECT_GT(t.baselineMs, 0);
    EXPECT_GT(t.baselineChannelsLastMs, 0);
}

TEST(PlanModuleTest, LatencyProbeReportsARatio) {
    SizeContext ctx = makeContext("N=1, C_in=8, C_out=8, H=8, W=8", "k=3");
    LatencyOptions o;
    o.runs = 3;
    o.warmup = 1;
    o.einsumToo = true;
    Latency l = probeLatency(library::conv2d(ctx.vars()), ctx, 0, PaddingPolicy::Exact, o);
    EXPECT_GT(l.planMs, 0);
    EXPECT_GT(l.baselineMs, 0);
    EXPECT_GT(l.einsumMs, 0);
    EXPECT_GT(l.ratio, 0);
    test::expectContainsAll(l.describe(), {"torch::conv2d 3x3", "ratio"});
}

}  // namespace
}  // namespace syno::plans
