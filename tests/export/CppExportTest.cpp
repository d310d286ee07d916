// The C++ export compiles (this file includes the sources `syno export --format cpp` wrote at build time)
// and computes what syno computes: the same weights for the same seed, and the reference's training
// outputs, input and weight gradients and inference outputs at every batch (< 1e-5 relative, float32).
#include <gtest/gtest.h>
#include <torch/serialize.h>
#include <torch/torch.h>

#include <fstream>
#include <iterator>

#include "campaign.cpp"
#include "conv2d.cpp"
#include "operator1.cpp"
#include "operator2.cpp"
#include "shiftconv.cpp"

namespace {

c10::Dict<std::string, at::Tensor> reference(const std::string& name) {
    std::ifstream in(std::string(SYNO_EXPORT_GEN) + "/" + name + "-ref.pt", std::ios::binary);
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    return c10::impl::toTypedDict<std::string, at::Tensor>(torch::pickle_load(bytes).toGenericDict());
}

double relativeError(const torch::Tensor& got, const torch::Tensor& want) {
    const double scale = want.abs().max().item<double>();
    return (got - want).abs().max().item<double>() / std::max(scale, 1e-30);
}

template <class Module>
void check(Module m, const std::string& name) {
    const auto ref = reference(name);
    const auto& weights = m->weights();
    for (size_t k = 0; k < weights.size(); ++k)
        EXPECT_TRUE(torch::equal(weights[k], ref.at("w" + std::to_string(k + 1))))
            << name << ": w" << k + 1 << " is not syno's for seed 1";
    int checked = 0;
    for (int64_t n : {1, 4, 5}) {
        const std::string b = std::to_string(n);
        ASSERT_TRUE(ref.contains("x" + b)) << name;
        torch::Tensor x = ref.at("x" + b).clone().set_requires_grad(true);
        for (auto w : weights) w.mutable_grad() = torch::Tensor();
        torch::Tensor y = m->forward(x);
        EXPECT_LT(relativeError(y, ref.at("y" + b)), 1e-5) << name << " training output at batch " << n;
        y.backward(ref.at("gy" + b));
        EXPECT_LT(relativeError(x.grad(), ref.at("gx" + b)), 1e-5) << name << " input gradient at batch " << n;
        for (size_t k = 0; k < weights.size(); ++k) {
            const torch::Tensor g = weights[k].grad().defined() ? weights[k].grad() : torch::zeros_like(weights[k]);
            EXPECT_LT(relativeError(g, ref.at("gw" + std::to_string(k + 1) + "_" + b)), 1e-5)
                << name << " gradient of w" << k + 1 << " at batch " << n;
        }
        torch::NoGradGuard noGrad;
        for (int call = 0; call < 2; ++call)  // the second call runs on the kept weight-side values
            EXPECT_LT(relativeError(m->forward(x.detach()), ref.at("yi" + b)), 1e-5)
                << name << " inference output at batch " << n;
        ++checked;
    }
    EXPECT_EQ(checked, 3);
}

TEST(CppExport, Conv2d) { check(Conv2d(64, 64, 12, 12), "conv2d"); }
TEST(CppExport, Operator1) { check(Operator1(64, 64, 12, 12), "operator1"); }
TEST(CppExport, Operator2) { check(Operator2(64, 64, 12, 12), "operator2"); }
TEST(CppExport, ShiftConv) { check(ShiftConv(64, 64, 12, 12), "shiftconv"); }
TEST(CppExport, CampaignOperatorAtResNet18sLastStage) { check(Campaign(512, 512, 7, 7), "campaign"); }

// libtorch's C++ optimizers bump no version counter: inference after training steps must still run on the
// new weights, not on the values kept from before.
TEST(CppExport, InferenceFollowsACppOptimizer) {
    Operator2 m(64, 64, 12, 12);
    torch::optim::SGD opt(m->parameters(), torch::optim::SGDOptions(0.5).momentum(0.9));
    const auto x = torch::randn({4, 64, 12, 12});
    auto inference = [&] {
        torch::NoGradGuard noGrad;
        return m->forward(x);
    };
    const auto before = inference();
    for (int step = 0; step < 2; ++step) {
        opt.zero_grad();
        m->forward(x).square().mean().backward();
        opt.step();
    }
    const auto after = inference();
    EXPECT_LT(relativeError(after, m->forward(x).detach()), 1e-5);
    EXPECT_GT(relativeError(after, before), 1e-3);
}

TEST(CppExport, SizesItWasNotExportedForAreRefused) {
    EXPECT_THROW(Conv2d(64, 64, 13, 13), std::invalid_argument);
    Conv2d m(64, 64, 12, 12);
    EXPECT_THROW(m->forward(torch::randn({1, 64, 13, 13})), std::invalid_argument);
}

}  // namespace
