// The real networks (ResNet-18/34, ResNeXt-29, DenseNet-121) in both instances: the layers the torch
// modules make agree with the catalog (placeholders, FLOPs), operators run forward and backward in every
// placeholder, conv2d from primitives gives the original network's output with its weights, and one
// operator must fit the bindings of both instances.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include "TestHelpers.h"
#include "evaluation/Models.h"
#include "ir/Library.h"
#include "ir/TextForm.h"

namespace syno::evaluation {
namespace {

const char* kNetworks[] = {"resnet18", "resnet34", "resnext29", "densenet121"};

torch::Tensor images(const ModelLayout& m, int64_t batch, uint64_t seed) {
    auto gen = at::detail::createCPUGenerator(seed);
    return torch::randn({batch, m.inChannels, m.imageSize, m.imageSize}, gen, torch::kFloat);
}

TEST(Networks, CatalogDescribesTheTorchvisionLayouts) {
    // Placeholder counts: every 3x3 conv (ResNet-18: 16, ResNet-34: 32, ResNeXt-29: 9, DenseNet-121: 58).
    const std::map<std::string, size_t> counts{{"resnet18", 16}, {"resnet34", 32}, {"resnext29", 9}, {"densenet121", 58}};
    for (const char* name : kNetworks) {
        SCOPED_TRACE(name);
        const ModelLayout train = modelLayout(name, Instance::Training);
        const ModelLayout deploy = modelLayout(name, Instance::Deployment);
        EXPECT_EQ(train.slots.size(), counts.at(name));
        ASSERT_EQ(deploy.slots.size(), train.slots.size());
        EXPECT_EQ(train.spec.bindings, deploy.spec.bindings);  // one spec, both instances' bindings
        EXPECT_EQ(deploy.imageSize, 224);
        EXPECT_EQ(deploy.classes, 1000);
        EXPECT_EQ(train.paddedSize, 32);
        EXPECT_EQ(deploy.slots.front().size, 56);
        EXPECT_EQ(train.slots.front().size, 16);
        for (size_t i = 0; i < train.slots.size(); ++i) {
            // Same architecture: the same channels and strides at every slot, maps 3.5x larger.
            EXPECT_EQ(train.slots[i].cin, deploy.slots[i].cin);
            EXPECT_EQ(train.slots[i].cout, deploy.slots[i].cout);
            EXPECT_EQ(train.slots[i].stride, deploy.slots[i].stride);
            EXPECT_EQ(train.slots[i].size * 7, deploy.slots[i].size * 2);
            EXPECT_NE(train.slots[i].binding, deploy.slots[i].binding);
        }
    }
    // ResNet-18's 3x3 convs are 93% of its 3.6 GFLOPs at 224x224 (torchvision: 1.82 G multiply-adds).
    const ModelLayout r18 = modelLayout("resnet18", Instance::Deployment);
    EXPECT_NEAR(r18.baselineFlops() / 2, 1.82e9, 0.01e9);
    EXPECT_NEAR(r18.placeholderFlops() / r18.baselineFlops(), 0.93, 0.01);
    // DenseNet-121: 2.83 G multiply-adds in torchvision's count.
    EXPECT_NEAR(modelLayout("densenet121", Instance::Deployment).baselineFlops() / 2, 2.83e9, 0.01e9);
    // ResNeXt's placeholder replaces a 2-group conv: half a dense conv's FLOPs.
    const ModelLayout rx = modelLayout("resnext29");
    EXPECT_EQ(rx.slots.front().groups, 2);
    EXPECT_DOUBLE_EQ(ModelLayout::baselineSlotFlops(rx.slots.front(), true),
                     2.0 * 128 * 128 * 9 * 16 * 16 / 2);
    const auto refs = referenceFlopsPerBinding("resnet18");
    ASSERT_EQ(refs.size(), 14u);  // 7 distinct shapes per instance
    EXPECT_DOUBLE_EQ(refs[0], 2.0 * 64 * 64 * 9 * 16 * 16);
}

TEST(Networks, TorchModulesMatchTheCatalogsPlaceholdersAndFlops) {
    for (const char* name : kNetworks)
        for (Instance inst : {Instance::Training, Instance::Deployment}) {
            SCOPED_TRACE(std::string(name) + (inst == Instance::Training ? " training" : " deployment"));
            const ModelLayout m = modelLayout(name, inst);
            Net net(m, nullptr, SizeContext(), 1);
            ASSERT_EQ(net->placeholders().size(), m.slots.size());
            EXPECT_NEAR(net->fixedFlops(), m.fixedFlops, 1e-6 * m.fixedFlops);
        }
}

TEST(Networks, OperatorsRunForwardAndBackwardInEveryPlaceholder) {
    torch::set_num_threads(2);
    for (const char* name : kNetworks) {
        SCOPED_TRACE(name);
        const ModelLayout m = modelLayout(name, Instance::Training);
        const Operator op = library::byName("operator2", placeholderVariables(m.spec));
        const SizeContext ctx = placeholderContext(m, op);
        Net net(m, &op, ctx, 1);
        net->train();
        auto logits = net->forward(images(m, 2, 3));
        ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{2, 10}));
        torch::nn::functional::cross_entropy(logits, torch::tensor({1, 7}, torch::kLong)).backward();
        for (const auto& p : net->placeholders()) {
            ASSERT_TRUE(p->runsOperator());
            for (const auto& w : p->op_->weights()) {
                ASSERT_TRUE(w.grad().defined());
                EXPECT_GT(w.grad().abs().sum().item<double>(), 0);
            }
        }
    }
}

TEST(Networks, DeploymentInstancesRunAnOperatorAt224) {
    torch::set_num_threads(2);
    for (const char* name : kNetworks) {
        SCOPED_TRACE(name);
        const ModelLayout m = modelLayout(name, Instance::Deployment);
        const Operator op = library::byName("operator2", placeholderVariables(m.spec));
        const SizeContext ctx = placeholderContext(m, op);
        Net net(m, &op, ctx, 1);
        net->eval();
        torch::NoGradGuard noGrad;
        const auto logits = net->forward(images(m, 1, 5));
        ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{1, 1000}));
        EXPECT_TRUE(torch::isfinite(logits).all().item<bool>());
    }
}

// Copies every parameter and buffer of the baseline into the candidate, a placeholder's original weight
// ("...conv.weight" under a placeholder) to the operator's one weight ("...op.w1").
void copyBaselineInto(Net& candidate, const Net& baseline) {
    torch::NoGradGuard noGrad;
    auto dst = candidate->named_parameters();
    auto dstBuffers = candidate->named_buffers();
    for (const auto& item : baseline->named_parameters()) {
        std::string key = item.key();
        if (!dst.contains(key) && key.size() > 12 && key.ends_with(".conv.weight"))
            key = key.substr(0, key.size() - 12) + ".op.w1";
        ASSERT_TRUE(dst.contains(key)) << key;
        dst[key].copy_(item.value());
    }
    for (const auto& item : baseline->named_buffers()) dstBuffers[item.key()].copy_(item.value());
}

TEST(Networks, PrimitiveConvGivesTheOriginalNetworksOutputWithItsWeights) {
    torch::set_num_threads(2);
    struct Case {
        const char* name;
        Instance instance;
    };
    for (auto [name, inst] : {Case{"resnet18", Instance::Training}, Case{"densenet121", Instance::Training},
                              Case{"resnet18", Instance::Deployment}}) {
        SCOPED_TRACE(name);
        const ModelLayout m = modelLayout(name, inst);
        const Operator op = library::byName("conv2d", placeholderVariables(m.spec));
        const SizeContext ctx = placeholderContext(m, op);
        Net baseline(m, nullptr, SizeContext(), 3);
        Net candidate(m, &op, ctx, 4);
        copyBaselineInto(candidate, baseline);
        // Strided slots: the operator replaces 2x2 average pooling + a stride-1 conv (the paper's form).
        int strided = 0;
        for (Placeholder p : baseline->placeholders())  // a holder shares its module
            if (p->slot.stride > 1) p->pooledOriginal = true, ++strided;
        EXPECT_EQ(strided, m.family == Family::ResNet ? 3 : 0);
        baseline->eval();
        candidate->eval();
        torch::NoGradGuard noGrad;
        auto x = images(m, 2, 9);
        auto expected = baseline->forward(x);
        auto got = candidate->forward(x);
        EXPECT_TRUE(torch::allclose(got, expected, 1e-3, 1e-4))
            << "max difference " << (got - expected).abs().max().item<double>();
        EXPECT_EQ(candidate->parameterCount(), baseline->parameterCount());
    }
}

TEST(Networks, OneOperatorMustFitBothInstances) {
    // Merges H by s = 2: every training map (16/8/4/2) divides, the deployment's 7x7 does not.
    const std::string text =
        "syno-operator 1\n"
        "primary C_in=64: 2, C_out=64: 4, H=16: 0, N=1: 0, W=16: 0\n"
        "coefficients g=32, k=3: 2, s=2: 2\n"
        "output [N, C_out, H, W]\n"
        "r0 = sum(C_out/s)\n"
        "r1 = sum(C_in)\n"
        "d0, d1 = merge(i2, H/s)\n"
        "d2 = split(d1, d0)\n"
        "input [i0, r1, d2, i3]\n"
        "weight [r0, r1]\n"
        "weight [i1, r0]\n"
        "expand [i1, r0]\n";
    const ModelLayout train = modelLayout("resnet18", Instance::Training);
    const VariableTable vars = placeholderVariables(train.spec);
    const Operator op = parseOperator(text, &vars);
    const std::string msg = test::errorOf([&] { placeholderContext(train, op); });
    EXPECT_FALSE(msg.empty());
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    EXPECT_NE(msg.find("H=7"), std::string::npos) << msg;
}

}  // namespace
}  // namespace syno::evaluation
