// Requirement 6: the shape distance and the FLOPs bounds are bounds. Along every path actually
// taken (sampled, enumerated, or found by pathOf for the known layers), the distance of each prefix
// state is at most the number of steps the path still uses, and the finished operator's staged FLOPs lie
// between the FLOPs bounds. Pruning by them loses nothing: a space equals the same space unguided, and
// a deeper space holds every operator of a shallower one.
#include "SynthesisFixtures.h"

#include <set>

namespace syno {
namespace {

using namespace test;

// Replays the path and checks both bounds at every prefix; returns how many prefixes were checked.
int checkBoundsAlong(const Problem& p, const Path& path, const Operator& expected, double flops) {
    Replay r = replay(p, path);
    EXPECT_TRUE(r.op.has_value());
    if (!r.op) return 0;
    EXPECT_EQ(r.op->id(), expected.id());
    const int used = stepsUsed(path);
    EXPECT_EQ(static_cast<int>(r.states.size()), used + 1);
    for (size_t i = 0; i < r.states.size(); ++i) {
        const State& s = r.states[i];
        EXPECT_EQ(s.depth(), static_cast<int>(i));
        const int left = used - static_cast<int>(i);
        EXPECT_LE(shapeDistance(s, p), left) << "prefix " << i << " of " << path.serialize() << " (" << r.texts[i > 0 ? i - 1 : 0] << ")";
        EXPECT_LE(flopsLowerBound(s, p), flops * (1 + 1e-12)) << "prefix " << i << " of " << path.serialize();
        EXPECT_GE(flopsUpperBound(s, p), flops * (1 - 1e-12)) << "prefix " << i << " of " << path.serialize();
    }
    return static_cast<int>(r.states.size());
}

TEST(Distance, RootDistanceIsTheDistanceOfTheRoot) {
    for (int depth : {2, 6}) {
        Problem p = convProblem(optionsWithDepth(depth));
        Space space(p);
        Generator gen(p, std::make_shared<DimStore>(p.ctx.vars()));
        EXPECT_EQ(space.rootDistance(), shapeDistance(gen.root(), p));
        EXPECT_EQ(gen.root().depth(), 0);
        // conv1x1 is 2 steps away: a lower bound says at most 2, and the root is live.
        EXPECT_LE(space.rootDistance(), 2);
        EXPECT_GE(space.rootDistance(), 0);
        EXPECT_FALSE(space.rootDead());
    }
}

// Limits that forbid every weight (rank below 2, no contraction allowed) leave C_out unreachable: the root
// says so at once instead of the space being searched to exhaustion.
TEST(Distance, LimitsThatForbidWeightsMakeTheRootUnreachable) {
    SynthesisOptions rank1 = optionsWithDepth(10), noContraction = optionsWithDepth(10), noWeights = optionsWithDepth(10);
    rank1.maxWeightRank = 1;
    cap(noContraction, StepKind::Contraction) = 0;
    noWeights.maxWeights = 0;
    for (const SynthesisOptions& o : {rank1, noContraction, noWeights}) {
        Space space(convProblem(o));
        EXPECT_GE(space.rootDistance(), kUnreachable);
        EXPECT_TRUE(space.sample(1, 1, SampleMode::Uniform).empty());
        EXPECT_LE(space.stats().nodes, 1u) << "searched a space its limits make empty";
    }
    // Rank 2 still allows a 1x1 conv.
    SynthesisOptions rank2 = optionsWithDepth(4);
    rank2.maxWeightRank = 2;
    EXPECT_LT(Space(convProblem(rank2)).rootDistance(), kUnreachable);
}

TEST(Distance, BoundsHoldAlongSampledPaths) {
    struct Case {
        Problem problem;
        int n;
    };
    auto twoBindings = optionsWithDepth(6);
    std::vector<Case> cases;
    cases.push_back({convProblem(optionsWithDepth(7)), 40});
    cases.push_back({convProblem(optionsWithDepth(6), kDepthwiseOut), 30});
    cases.push_back({Problem::make(makeContext(kPrimary, kCoef, "C_in=32, C_out=32, H=16, W=16; C_in=16, C_out=64, H=8, W=8"),
                                   kConvIn, kConvOut, twoBindings),
                     30});
    int prefixes = 0, paths = 0;
    for (auto& c : cases) {
        Space space(c.problem);
        for (SampleMode mode : {SampleMode::Uniform, SampleMode::TypeFirst}) {
            auto got = space.sample(c.n, 7, mode);
            EXPECT_FALSE(got.empty());
            for (const auto& s : got) {
                EXPECT_LE(space.rootDistance(), stepsUsed(s.path)) << describe(s);
                prefixes += checkBoundsAlong(c.problem, s.path, s.op, s.flops);
                ++paths;
            }
        }
    }
    EXPECT_GE(paths, 150);
    RecordProperty("prefixes_checked", prefixes);
}

TEST(Distance, BoundsHoldAlongEnumeratedPaths) {
    Problem p = convProblem(optionsWithDepth(5));
    Space space(p);
    auto all = space.enumerate(400);
    ASSERT_FALSE(all.empty());
    for (const auto& s : all) checkBoundsAlong(p, s.path, s.op, s.flops);
}

// The upper FLOPs bound only cuts what could never reach the window: a windowed space equals the same
// space without the bound.
TEST(Distance, TheUpperFlopsBoundLosesNoOperator) {
    SynthesisOptions bounded = optionsWithDepth(6);
    Space probe(convProblem(bounded));
    std::vector<double> flops;
    for (const auto& s : probe.enumerate(100000)) flops.push_back(s.flops);
    ASSERT_GT(flops.size(), 100u);
    std::sort(flops.begin(), flops.end());
    bounded.minFlops = flops[flops.size() / 2];  // half of the space is below the window
    SynthesisOptions unbounded = bounded;
    unbounded.boundFlopsFromAbove = false;
    Space with(convProblem(bounded)), without(convProblem(unbounded));
    std::vector<uint64_t> a, b;
    for (const auto& s : with.enumerate(100000)) a.push_back(s.canonical);
    for (const auto& s : without.enumerate(100000)) b.push_back(s.canonical);
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b);
    EXPECT_LT(with.stats().nodes, without.stats().nodes) << "the bound cut nothing";
}

TEST(Distance, BoundsHoldAlongPathsOfKnownLayers) {
    auto o8 = optionsWithDepth(8);
    cap(o8, StepKind::Shift) = 0;
    Problem conv = convProblem(o8);
    Problem depthwise = convProblem(optionsWithDepth(5), kDepthwiseOut);
    const auto& vars = conv.ctx.vars();
    std::vector<std::pair<const Problem*, Operator>> layers = {
        {&conv, library::conv1x1(vars)},        {&conv, library::conv2d(vars)},
        {&conv, library::groupedConv2d(vars)},  {&depthwise, library::depthwiseConv2d(vars)},
    };
    for (const auto& [p, op] : layers) {
        Space space(*p);
        auto path = space.pathOf(op);
        ASSERT_TRUE(path.has_value()) << op.idHex();
        Sampled s = space.follow(*path);
        EXPECT_EQ(checkBoundsAlong(*p, *path, s.op, s.flops), stepsUsed(*path) + 1);
    }
}

// The distance only prunes what cannot finish: the space equals the same space without guidance
// (SynthesisOptions::guided = false), which is affordable at depth 4.
TEST(Distance, PruningLosesNoOperatorAtDepth4) {
    for (const char* output : {kConvOut, kDepthwiseOut}) {
        auto o = optionsWithDepth(4);
        Space guided(convProblem(o, output));
        o.guided = false;
        Space unguided(convProblem(o, output));
        auto withBound = guided.enumerate(1000000), without = unguided.enumerate(1000000);
        std::set<uint64_t> a, b;
        for (const auto& s : withBound) a.insert(s.canonical);
        for (const auto& s : without) b.insert(s.canonical);
        for (const auto& s : withBound) EXPECT_TRUE(b.count(s.canonical)) << "guided-only operator: " << describe(s);
        for (const auto& s : without) EXPECT_TRUE(a.count(s.canonical)) << "pruned by the distance: " << describe(s);
        EXPECT_EQ(a.size(), b.size()) << output;
    }
}

// BUG (src/synthesis/Distance.cpp shapeDistance, "Output-side dims ... must be expanded away"): an
// expandable dim without primaries (g, the outer half of merge(C_out, C_out/g)) is counted as a dim that
// must be expanded (+1 step), although it can join the data path by a split (split(g, C_in/g) -> C_in),
// and that split is already counted as the mismatch of the C_in group. The state after the contraction
// below, 1 step from finished, gets distance 2, so this 4-step operator (a grouped 1x1 conv whose groups
// share one [C_in/g, C_out/g] matrix) is missing from the depth-4 space.
TEST(Distance, GroupSharedConv1x1IsInTheDepth4Space) {
    auto o = optionsWithDepth(4);
    Problem p = convProblem(o);
    const auto& vars = p.ctx.vars();
    OperatorBuilder b(vars);
    auto out = b.output(kConvOut);
    Dim c = b.sum("C_in/g");
    auto [group, within] = b.merge(out[1], "C_out/g");
    b.input({out[0], b.split(group, c), out[2], out[3]});
    b.weight({c, within});
    b.expand(within);
    Operator op = b.build();

    o.guided = false;
    Space unguided(convProblem(o));
    auto path = unguided.pathOf(op);
    ASSERT_TRUE(path.has_value()) << "not even in the unguided space";
    EXPECT_EQ(stepsUsed(*path), 4);
    // Replayed without guidance; the distance is the same function either way.
    Sampled s = unguided.follow(*path);
    checkBoundsAlong(unguided.problem(), *path, s.op, s.flops);

    Space guided(p);
    EXPECT_TRUE(guided.pathOf(op).has_value()) << "pruned by the shape distance";
}

// A deeper space holds every operator of a shallower one (the bound never cuts a path that would fit).
TEST(Distance, DeeperSpacesContainShallowerOnes) {
    Space d5(convProblem(optionsWithDepth(5))), d6(convProblem(optionsWithDepth(6)));
    auto a = d5.enumerate(1000000), b = d6.enumerate(1000000);
    ASSERT_FALSE(a.empty());
    EXPECT_GT(b.size(), a.size());
    std::set<uint64_t> deeper;
    for (const auto& s : b) deeper.insert(s.canonical);
    for (const auto& s : a) EXPECT_TRUE(deeper.count(s.canonical)) << describe(s);
    // And operators sampled at depth 7 that use at most 5 steps are in the depth-5 space.
    Space d7(convProblem(optionsWithDepth(7)));
    std::set<uint64_t> shallow;
    for (const auto& s : a) shallow.insert(s.canonical);
    int shortOnes = 0;
    for (SampleMode mode : {SampleMode::Uniform, SampleMode::TypeFirst})
        for (const auto& s : d7.sample(150, 3, mode))
            if (stepsUsed(s.path) <= 5) {
                ++shortOnes;
                EXPECT_TRUE(shallow.count(s.canonical)) << describe(s);
            }
    EXPECT_GT(shortOnes, 0);
}

TEST(Distance, Expandable) {
    Problem p = convProblem(optionsWithDepth(6));
    const auto& vars = p.ctx.vars();
    OperatorBuilder b(vars);
    auto out = b.output(kConvOut);
    EXPECT_FALSE(isExpandable(out[0], p));  // N is in the input
    EXPECT_TRUE(isExpandable(out[1], p));   // C_out is not
    EXPECT_FALSE(isExpandable(out[2], p));  // H is
    auto [hi, lo] = b.merge(out[1], "g");
    EXPECT_TRUE(isExpandable(hi, p));
    EXPECT_TRUE(isExpandable(lo, p));
    EXPECT_FALSE(isExpandable(b.sum("C_in"), p));
    EXPECT_FALSE(isExpandable(b.shift(out[1]), p));
    // In the depthwise problem the output channel is the input's C_in: not expandable.
    Problem dw = convProblem(optionsWithDepth(6), kDepthwiseOut);
    OperatorBuilder b2(vars);
    EXPECT_FALSE(isExpandable(b2.output(kDepthwiseOut)[1], dw));
}

}  // namespace
}  // namespace syno
