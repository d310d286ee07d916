// Every model saved as TorchScript computes what the module computes: the hand-written TorchScript forwards
// of the composite modules (Models.h, ScriptedForward) cannot drift from their C++ forwards unseen. The
// exported archive is loaded back with torch::jit::load, as a user without syno would.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>

#include "SynoProcess.h"
#include "TestHelpers.h"
#include "evaluation/ModelCatalog.h"
#include "evaluation/Models.h"
#include "evaluation/ScriptNetwork.h"
#include "ir/Library.h"

namespace syno::evaluation {
namespace {

double relativeError(const torch::Tensor& got, const torch::Tensor& want) {
    return (got - want).abs().max().item<double>() / std::max(want.abs().max().item<double>(), 1e-30);
}

class ScriptNetwork : public ::testing::TestWithParam<std::string> {};

TEST_P(ScriptNetwork, TheArchiveComputesWhatTheModelComputes) {
    const auto dir = test::makeTempDir("syno_script_net");
    ASSERT_FALSE(dir.empty());
    {
        const std::string model = GetParam();
        const ModelLayout layout = modelLayout(model);
        const VariableTable vars = placeholderVariables(layout.spec);
        const Operator op = library::byName(model == "mlp" ? "linear" : "operator2", vars);
        const SizeContext ctx = placeholderContext(layout, op);
        for (bool withOperator : {true, false}) {
            SCOPED_TRACE(model + (withOperator ? " with operator2" : " (baseline)"));
            Net net(layout, withOperator ? &op : nullptr, ctx, 7);
            net->eval();
            const std::string path = (dir / (model + ".pt")).string();
            writeNetworkScript(*net, withOperator ? &op : nullptr, &ctx, {1, 16}, "{}", path);
            torch::jit::Module loaded = torch::jit::load(path);
            auto gen = at::detail::createCPUGenerator(3);
            const torch::Tensor x = at::randn({3, layout.inChannels, layout.imageSize, layout.imageSize}, gen);
            {
                torch::NoGradGuard noGrad;
                const torch::Tensor want = net->forward(x), got = loaded.forward({x}).toTensor();
                EXPECT_LT(relativeError(got, want), 1e-5) << "inference";
            }
            // Training mode: batch norm on the batch's statistics, the operators' training plans.
            net->train();
            loaded.train();
            const torch::Tensor want = net->forward(x), got = loaded.forward({x}).toTensor();
            EXPECT_LT(relativeError(got, want), 1e-5) << "training";
            // The archive's parameters are the network's, under the same names.
            const auto mine = net->named_parameters();
            size_t matched = 0;
            for (const auto& p : loaded.named_parameters()) {
                const auto* t = mine.find(p.name);
                ASSERT_NE(t, nullptr) << p.name;
                EXPECT_TRUE(torch::equal(*t, p.value)) << p.name;
                ++matched;
            }
            EXPECT_EQ(matched, mine.size());
        }
    }
    std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(EveryModel, ScriptNetwork,
                         ::testing::Values("resnet", "vgg", "mlp", "resnet18", "resnet34", "resnext29", "densenet121"));

}  // namespace
}  // namespace syno::evaluation
