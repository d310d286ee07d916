// Over-parametrised operators: two weights whose product one weight would express are recognised, a
// genuinely low-rank product is not. (The search's skipping of them: SearchCliTest.)
#include "SynthesisFixtures.h"
#include "ir/TextForm.h"
#include "synthesis/OverParametrised.h"

namespace syno::test {
namespace {

SizeContext contextOf(const Operator& op, const std::string& bindings) {
    return SizeContext(op.vars(), parseBindings(bindings));
}

constexpr const char* kResNetBindings = "N=1, C_in=64, C_out=64, H=56, W=56; N=1, C_in=512, C_out=512, H=7, W=7";

// W1[co, r] W2[r, ci] on the input: a 1x1 conv whose weight is a product through a sum r.
std::string factorisedConv1x1(const std::string& tie) {
    return "syno-operator 1\n"
           "primary C_in=64: 2, C_out=64: 4, H=8: 0, N=1: 0, W=8: 0\n"
           "coefficients g=4: 3\n"
           "output [N, C_out, H, W]\n"
           "r0 = sum(" + tie + ")\n"
           "r1 = sum(C_in)\n"
           "input [i0, r1, i2, i3]\n"
           "weight [i1, r0]\n"
           "weight [r0, r1]\n"
           "expand [i1, r0]\n";
}

TEST(OverParametrised, AProductThroughASumAsWideAsTheChannelsIsOneWeight) {
    const Operator op = parseOperator(factorisedConv1x1("C_in"));
    const auto found = overParametrised(op, contextOf(op, "C_in=16, C_out=32, H=8, W=8, N=1"));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->first, 0);
    EXPECT_EQ(found->second, 1);
    EXPECT_NE(found->reason.find("16 >= min(32, 16)"), std::string::npos) << found->reason;
}

TEST(OverParametrised, ALowRankProductIsNot) {
    const Operator op = parseOperator(factorisedConv1x1("C_in/g"));
    EXPECT_FALSE(overParametrised(op, contextOf(op, "C_in=16, C_out=32, H=8, W=8, N=1")).has_value());
    // Rank-deficient in one binding is enough to be a different family.
    const Operator wide = parseOperator(factorisedConv1x1("g"));
    EXPECT_TRUE(overParametrised(wide, contextOf(wide, "C_in=4, C_out=4, H=8, W=8, N=1")).has_value());
    EXPECT_FALSE(overParametrised(wide, contextOf(wide, "C_in=4, C_out=4, H=8, W=8, N=1; C_in=16, C_out=16, "
                                                        "H=8, W=8, N=1")).has_value());
}

TEST(OverParametrised, TheResNet18CampaignsFinalistIsTheOperatorsAreNot) {
    const Operator finalist = parseOperator(
        "syno-operator 1\n"
        "primary C_in=64: 2, C_out=64: 4, H=56: 0, N=1: 0, W=56: 0\n"
        "coefficients g=32, k=3: 2, s=2: 2\n"
        "output [N, C_out, H, W]\n"
        "r0 = sum(g*s)\n"
        "r1 = sum(C_in)\n"
        "d0 = shift(i2, 1)\n"
        "d1 = shift(i3, 1)\n"
        "d2, d3 = merge(i1, C_out/s)\n"
        "input [i0, r1, d0, d1]\n"
        "weight [d3, r0, d2]\n"
        "weight [d3, r0, r1]\n"
        "expand [d3, r0, d2]\n");
    EXPECT_TRUE(overParametrised(finalist, contextOf(finalist, kResNetBindings)).has_value());
    const SizeContext ctx =
        makeContext("N=1: 0, C_in=64: 2, C_out=64: 4, H=56: 0, W=56: 0", "k=3: 2, s=2: 2, g=32: 3", kResNetBindings);
    for (const Operator& op : {library::operator2(ctx.vars()), library::operator1(ctx.vars()), library::conv2d(ctx.vars())})
        EXPECT_FALSE(overParametrised(op, ctx).has_value()) << printOperator(op);
}

TEST(OverParametrised, TheDefaultSpaceHoldsThem) {
    Space space(convProblem(optionsWithDepth(7)));
    int flagged = 0;
    for (const auto& s : space.sample(40, 1, SampleMode::Uniform)) flagged += overParametrised(s.op, space.problem().ctx).has_value();
    EXPECT_GT(flagged, 0);
}

// Skipping them inside synthesis (partial operators whose every completion is over-parametrised, and
// finished ones) removes exactly them: the enumerated space equals the unskipped one filtered.
TEST(OverParametrised, SkippingThemInSynthesisRemovesExactlyThem) {
    for (int depth : {5, 6}) {
        SynthesisOptions keep = optionsWithDepth(depth), skip = keep;
        skip.skipOverParametrised = true;
        Space all(convProblem(keep)), skipped(convProblem(skip));
        std::vector<uint64_t> expected, got;
        int over = 0;
        for (const auto& s : all.enumerate(1'000'000)) {
            if (overParametrised(s.op, all.problem().ctx)) ++over;
            else expected.push_back(s.canonical);
        }
        for (const auto& s : skipped.enumerate(1'000'000)) got.push_back(s.canonical);
        ASSERT_GT(over, 0) << "depth " << depth << " has nothing to skip";
        std::sort(expected.begin(), expected.end());
        std::sort(got.begin(), got.end());
        EXPECT_EQ(got, expected) << "depth " << depth;
        EXPECT_GT(skipped.stats().pruned[static_cast<size_t>(Prune::OverParametrised)], 0u);
        EXPECT_LT(skipped.stats().nodes, all.stats().nodes) << "no partial operator was cut early at depth " << depth;
    }
}

}  // namespace
}  // namespace syno::test
