// Models with placeholders: an operator runs forward and backward in every placeholder, conv2d (linear)
// built from primitives gives the original model's output when given its weights, the same seed gives the
// same model, and whole-model latency runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include <torch/torch.h>

#include "TestHelpers.h"
#include "evaluation/Latency.h"
#include "evaluation/Models.h"
#include "ir/Library.h"

namespace syno::evaluation {
namespace {

struct Built {
    ModelLayout layout;
    Operator op;
    SizeContext ctx;
};

Built build(const std::string& model, const std::string& layer) {
    ModelLayout layout = modelLayout(model);
    Operator op = library::byName(layer, placeholderVariables(layout.spec));
    SizeContext ctx = placeholderContext(layout, op);
    return {layout, op, ctx};
}

torch::Tensor images(int64_t batch, uint64_t seed) {
    auto gen = at::detail::createCPUGenerator(seed);
    return torch::randn({batch, 1, 28, 28}, gen, torch::kFloat);
}

TEST(Models, OperatorInEveryPlaceholderRunsForwardAndBackward) {
    torch::set_num_threads(1);
    for (auto [model, layer] : {std::pair{"resnet", "operator2"}, std::pair{"vgg", "grouped"}, std::pair{"mlp", "linear"}}) {
        SCOPED_TRACE(model);
        Built b = build(model, layer);
        Net net(b.layout, &b.op, b.ctx, 1);
        ASSERT_EQ(net->placeholders().size(), b.layout.slots.size());
        for (const auto& p : net->placeholders()) EXPECT_TRUE(p->runsOperator());
        net->train();
        auto logits = net->forward(images(3, 2));  // batch 3: the plans rebind N (the spec says N=1)
        ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{3, 10}));
        auto loss = torch::nn::functional::cross_entropy(logits, torch::tensor({0, 4, 9}, torch::kLong));
        ASSERT_TRUE(std::isfinite(loss.item<double>()));
        loss.backward();
        for (const auto& p : net->placeholders())
            for (const auto& w : p->op_->weights()) {
                ASSERT_TRUE(w.grad().defined());
                EXPECT_TRUE(torch::isfinite(w.grad()).all().item<bool>());
                EXPECT_GT(w.grad().abs().sum().item<double>(), 0);
            }
    }
}

// Copies every parameter and buffer of the baseline into the candidate; a placeholder's original weight
// ("slotI.conv.weight" / "slotI.linear.weight") goes to the operator's one weight ("slotI.op.w1").
void copyBaselineInto(Net& candidate, const Net& baseline) {
    torch::NoGradGuard noGrad;
    auto dst = candidate->named_parameters();
    auto dstBuffers = candidate->named_buffers();
    for (const auto& item : baseline->named_parameters()) {
        std::string name = item.key();
        for (const char* original : {".conv.weight", ".linear.weight"})
            if (auto at = name.find(original); at != std::string::npos) name = name.substr(0, at) + ".op.w1";
        ASSERT_TRUE(dst.contains(name)) << name;
        ASSERT_EQ(dst[name].sizes(), item.value().sizes()) << name;
        dst[name].copy_(item.value());
    }
    for (const auto& item : baseline->named_buffers()) dstBuffers[item.key()].copy_(item.value());
}

TEST(Models, PrimitiveConvGivesTheOriginalModelsOutputWithItsWeights) {
    torch::set_num_threads(1);
    for (auto [model, layer] : {std::pair{"resnet", "conv2d"}, std::pair{"vgg", "conv2d"}, std::pair{"mlp", "linear"}}) {
        SCOPED_TRACE(model);
        Built b = build(model, layer);
        Net baseline(b.layout, nullptr, SizeContext(), 3);
        Net candidate(b.layout, &b.op, b.ctx, 4);
        copyBaselineInto(candidate, baseline);
        for (bool training : {false, true}) {  // running statistics, then batch statistics
            baseline->train(training);
            candidate->train(training);
            torch::NoGradGuard noGrad;
            auto x = images(5, 9);
            auto expected = baseline->forward(x);
            auto got = candidate->forward(x);
            EXPECT_TRUE(torch::allclose(got, expected, 1e-4, 1e-5))
                << "max difference " << (got - expected).abs().max().item<double>();
        }
        EXPECT_EQ(candidate->parameterCount(), baseline->parameterCount());
    }
}

TEST(Models, SameSeedSameModel) {
    Built b = build("resnet", "operator1");
    Net one(b.layout, &b.op, b.ctx, 11), two(b.layout, &b.op, b.ctx, 11), other(b.layout, &b.op, b.ctx, 12);
    auto p1 = one->parameters(), p2 = two->parameters(), p3 = other->parameters();
    ASSERT_EQ(p1.size(), p2.size());
    bool anyDifferent = false;
    for (size_t i = 0; i < p1.size(); ++i) {
        EXPECT_TRUE(torch::equal(p1[i], p2[i])) << i;
        anyDifferent = anyDifferent || !torch::equal(p1[i], p3[i]);
    }
    EXPECT_TRUE(anyDifferent);
}

TEST(Models, WholeModelLatencyRunsBothModels) {
    Built b = build("mlp", "linear");
    LatencySettings s;
    s.rounds = 3;
    s.batches = {1, 4};
    s.threads = {1, 2};
    s.attempts = 1;
    const ModelLatency lat = measureModelLatency(b.layout, &b.op, &b.ctx, s);
    ASSERT_EQ(lat.points.size(), 4u);
    for (const LatencyPoint& p : lat.points) {
        EXPECT_GE(p.rounds, 3);  // more for a network this small: the load meter needs half a second
        EXPECT_GT(p.ms, 0);
        EXPECT_GT(p.baselineMs, 0);
        EXPECT_DOUBLE_EQ(p.ratio, p.baselineMs / p.ms);
        EXPECT_GE(p.spread, 0);
    }
    EXPECT_EQ(lat.find(4, 2)->batch, 4);
    EXPECT_EQ(lat.find(4, 2)->threads, 2);
    EXPECT_EQ(lat.find(8, 2), nullptr);
}

// One entry per kind of placeholder (shape, stride, groups), counting its slots; each timed against the
// original layer, strided kinds (2x2 pooling, then the operator) included.
TEST(Models, EachKindOfPlaceholderIsTimedAlone) {
    Built b = build("resnet18", "operator2");  // the training instance (32x32): strided slots, cheap to time
    LatencySettings s;
    s.rounds = 3;
    s.threads = {1};
    const auto layers = measurePlaceholderLatency(b.layout, b.op, b.ctx, s);
    std::map<std::string, int> expected;  // label -> slots
    for (const Slot& slot : b.layout.slots)
        ++expected[std::to_string(slot.cin) + "->" + std::to_string(slot.cout) + " @" + std::to_string(slot.size) +
                   (slot.stride > 1 ? " s" + std::to_string(slot.stride) : "")];
    ASSERT_TRUE(std::any_of(b.layout.slots.begin(), b.layout.slots.end(), [](const Slot& x) { return x.stride > 1; }));
    std::map<std::string, int> measured;
    for (const PlaceholderLatency& p : layers) {
        measured[p.layer] = p.slots;
        EXPECT_GT(p.ms, 0) << p.layer;
        EXPECT_GT(p.baselineMs, 0) << p.layer;
        EXPECT_DOUBLE_EQ(p.ratio, p.baselineMs / p.ms);
    }
    EXPECT_EQ(measured, expected);
}

}  // namespace
}  // namespace syno::evaluation
