// The interpreter against libtorch: every known layer agrees in forward and gradients, and negative
// controls show that the check does fail when the two compute different things.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "TestHelpers.h"
#include "ir/Library.h"
#include "oracle/KnownLayers.h"
#include "oracle/TorchLayers.h"

namespace syno::oracle {
namespace {

using test::makeContext;

class AgreementTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { setThreads(1); }
};

const KnownLayerCase& caseNamed(const std::vector<KnownLayerCase>& cases, const std::string& prefix) {
    for (const auto& c : cases)
        if (c.name.rfind(prefix, 0) == 0) return c;
    throw std::runtime_error("no known layer case named " + prefix);
}

// True when the check cannot call the pair equal: torch refuses (shapes differ) or the error is large.
bool disagrees(const KnownLayerCase& c, int binding, double* worst = nullptr) {
    try {
        double w = checkAgreement(c, binding, 3).worst();
        if (worst) *worst = w;
        return w > 1e-3;
    } catch (const std::exception&) {
        return true;
    }
}

TEST_F(AgreementTest, TheStandardCasesAreAllThere) {
    auto cases = knownLayerCases();
    EXPECT_GE(cases.size(), 9u);
    std::set<std::string> names;
    for (const auto& c : cases) {
        EXPECT_TRUE(names.insert(c.name).second) << "duplicate case " << c.name;
        EXPECT_GE(c.ctx.bindingCount(), 1);
        EXPECT_TRUE(static_cast<bool>(c.torchRun)) << c.name;
    }
    EXPECT_EQ(caseNamed(cases, "conv2d").ctx.bindingCount(), 2);
    EXPECT_EQ(caseNamed(cases, "avg-pool 3x3").policy, PaddingPolicy::Pad);
}

TEST_F(AgreementTest, EveryKnownLayerAgreesWithLibtorch) {
    int checked = 0;
    for (const auto& c : knownLayerCases()) {
        for (int b = 0; b < c.ctx.bindingCount(); ++b) {
            SCOPED_TRACE(c.name + ", binding " + std::to_string(b + 1));
            Agreement a = checkAgreement(c, b, 1 + static_cast<uint64_t>(b));
            EXPECT_LT(a.worst(), 1e-10) << "forward " << a.forward << ", grad input " << a.gradInput
                                        << ", grad weights " << a.gradWeights;
            EXPECT_GE(a.forward, 0.0);
            ++checked;
        }
    }
    EXPECT_GE(checked, 10);
}

// Another seed: agreement is not a property of one lucky input.
TEST_F(AgreementTest, AgreesForAnotherSeed) {
    for (const auto& c : knownLayerCases()) {
        SCOPED_TRACE(c.name);
        EXPECT_LT(checkAgreement(c, c.ctx.bindingCount() - 1, 12345).worst(), 1e-10);
    }
}

// shift(+1) reads h+1, which is torch.roll by -1; a roll by +1 must be caught.
TEST_F(AgreementTest, ShiftAgainstRollInTheWrongDirectionDisagrees) {
    auto cases = knownLayerCases();
    KnownLayerCase wrong = caseNamed(cases, "roll");
    ASSERT_LT(checkAgreement(wrong, 0, 3).worst(), 1e-10);  // the right direction agrees
    wrong.torchRun = [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
        return rollThenConv1x1(x, w[0], +1, g);
    };
    Agreement a = checkAgreement(wrong, 0, 3);
    EXPECT_GT(a.forward, 1e-3);
    EXPECT_GT(a.gradInput, 1e-3);
}

TEST_F(AgreementTest, Conv2dAgainstAnotherDilationDisagrees) {
    auto cases = knownLayerCases();
    KnownLayerCase wrong = caseNamed(cases, "conv2d");
    // Dilation 2 with padding 2 keeps the shapes: only the values can tell.
    wrong.torchRun = [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
        return conv2d(x, w[0], w[0].shape, 2, 2, 1, g);
    };
    double worst = 0;
    EXPECT_TRUE(disagrees(wrong, 0, &worst));
    EXPECT_GT(worst, 1e-3);
    // And the dilated layer is not conv2d either.
    KnownLayerCase dilated = caseNamed(cases, "dilated");
    dilated.torchRun = caseNamed(cases, "conv2d").torchRun;
    EXPECT_TRUE(disagrees(dilated, 0));
}

TEST_F(AgreementTest, Conv2dAgainstPaddingZeroDisagrees) {
    auto cases = knownLayerCases();
    KnownLayerCase wrong = caseNamed(cases, "conv2d");
    wrong.torchRun = [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
        return conv2d(x, w[0], w[0].shape, 0, 1, 1, g);
    };
    for (int b = 0; b < wrong.ctx.bindingCount(); ++b) EXPECT_TRUE(disagrees(wrong, b)) << "binding " << b + 1;
}

// A reference that reads the weights in another order computes another conv: must be caught.
TEST_F(AgreementTest, Conv1x1WithPermutedWeightsDisagrees) {
    auto cases = knownLayerCases();
    KnownLayerCase wrong = caseNamed(cases, "conv 1x1");
    wrong.torchRun = [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
        Tensor reversed = w[0];
        std::reverse(reversed.data.begin(), reversed.data.end());
        return conv2d(x, reversed, {w[0].shape[0], w[0].shape[1], 1, 1}, 0, 1, 1, g);
    };
    EXPECT_TRUE(disagrees(wrong, 0));
}

// The gradients are compared too: a reference with a wrong input gradient is caught even when the
// forward values agree.
TEST_F(AgreementTest, WrongGradientIsCaught) {
    auto cases = knownLayerCases();
    KnownLayerCase wrong = caseNamed(cases, "linear");
    auto right = wrong.torchRun;
    wrong.torchRun = [right](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int b) {
        LayerRun r = right(x, w, g, b);
        for (auto& v : r.gradInput.data) v *= 1.01;
        return r;
    };
    Agreement a = checkAgreement(wrong, 0, 3);
    EXPECT_LT(a.forward, 1e-10);
    EXPECT_GT(a.gradInput, 1e-3);
    EXPECT_GT(a.worst(), 1e-3);
    auto wrongWeights = caseNamed(cases, "linear");
    wrongWeights.torchRun = [right](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int b) {
        LayerRun r = right(x, w, g, b);
        r.gradWeights[0].data[0] += 1.0;
        return r;
    };
    EXPECT_GT(checkAgreement(wrongWeights, 0, 3).gradWeights, 1e-3);
}

// The padded pool is centre-padded: torch without padding gives another output shape.
TEST_F(AgreementTest, PaddedPoolAgainstUnpaddedTorchDisagrees) {
    auto cases = knownLayerCases();
    KnownLayerCase wrong = caseNamed(cases, "avg-pool 3x3");
    wrong.torchRun = [](const Tensor& x, const std::vector<Tensor>&, const Tensor& g, int) {
        return avgPool2d(x, 3, 0, g);
    };
    EXPECT_TRUE(disagrees(wrong, 0));
}

// The oracle layer itself: libtorch in double on known values.
TEST_F(AgreementTest, TorchLayersOnKnownValues) {
    Tensor x{{1, 1, 2, 2}, {1, 2, 3, 4}};
    Tensor g{{1, 1, 1, 1}, {1}};
    LayerRun pool = avgPool2d(x, 2, 0, g);
    ASSERT_EQ(pool.output.shape, (std::vector<int64_t>{1, 1, 1, 1}));
    EXPECT_DOUBLE_EQ(pool.output.data[0], 2.5);
    EXPECT_EQ(pool.gradInput.data, (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
    EXPECT_TRUE(pool.gradWeights.empty());
    Tensor col{{1, 1, 3, 1}, {1, 2, 3}};
    Tensor one{{1, 1}, {1}};
    Tensor g3{{1, 1, 3, 1}, {0, 0, 0}};
    EXPECT_EQ(rollThenConv1x1(col, one, -1, g3).output.data, (std::vector<double>{2, 3, 1}));
    EXPECT_EQ(rollThenConv1x1(col, one, 1, g3).output.data, (std::vector<double>{3, 1, 2}));
    EXPECT_NE(describeBackend().find("libtorch"), std::string::npos);
}

}  // namespace
}  // namespace syno::oracle
