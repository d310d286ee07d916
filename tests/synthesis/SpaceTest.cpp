// Requirements 3, 4, 7 and 8: no duplicates among enumerated operators, deterministic sampling,
// impossible requests detected quickly, and the path text format.
#include "SynthesisFixtures.h"

#include <set>

#include "synthesis/ParallelSample.h"

namespace syno {
namespace {

using namespace test;

// ---- 3. No duplicates ----

double duplicateRate(const Space& space, size_t returned) {
    const auto d = static_cast<double>(space.stats().duplicates);
    return d / (d + static_cast<double>(returned));
}

void expectNoDuplicates(Space& space, const char* what, double maxRate) {
    auto all = space.enumerate(1000000);
    ASSERT_FALSE(all.empty());
    std::set<uint64_t> canon, ids;
    std::set<std::string> paths;
    for (const auto& s : all) {
        EXPECT_TRUE(canon.insert(s.canonical).second) << "canonical form twice: " << describe(s);
        EXPECT_TRUE(ids.insert(s.op.id()).second) << "operator twice: " << describe(s);
        EXPECT_TRUE(paths.insert(s.path.serialize()).second) << describe(s);
        EXPECT_EQ(s.canonical, canonicalHash(s.op));
    }
    // Every finished operator built is either returned or counted as a duplicate.
    EXPECT_LE(all.size() + space.stats().duplicates, space.stats().finals);
    const double rate = duplicateRate(space, all.size());
    std::printf("%s: %zu operators, %llu duplicates by canonical form (%.2f%%)\n", what, all.size(),
                static_cast<unsigned long long>(space.stats().duplicates), 100 * rate);
    ::testing::Test::RecordProperty(std::string(what) + "_duplicate_rate", std::to_string(rate));
    EXPECT_LT(rate, maxRate) << what;
}

TEST(Space, NoDuplicatesInTheStandardSpaceAtDepth6) {
    Space space(convProblem(optionsWithDepth(6)));
    expectNoDuplicates(space, "standard_depth6", 0.05);
}

TEST(Space, NoDuplicatesInTheDepthwiseSpaceAtDepth5) {
    Space space(convProblem(optionsWithDepth(5), kDepthwiseOut));
    expectNoDuplicates(space, "depthwise_depth5", 0.05);
}

TEST(Space, NoDuplicatesWithTwoBindingsAtDepth5) {
    Space space(Problem::make(makeContext(kPrimary, kCoef, "C_in=32, C_out=32, H=16, W=16; C_in=64, C_out=64, H=8, W=8"),
                              kConvIn, kConvOut, optionsWithDepth(5)));
    expectNoDuplicates(space, "two_bindings_depth5", 0.05);
}

// Reductions of equal size are interchangeable: conv2d with its two windows assigned either way round
// is one operator (the canonical hash sees it, the operator id does not).
TEST(Space, CanonicalHashIgnoresTheNumberingOfEqualReductions) {
    const VariableTable vars = makeVars(kPrimary, kCoef);
    auto conv = [&](bool swap) {
        OperatorBuilder b(vars);
        auto o = b.output(kConvOut);
        Dim c = b.sum("C_in"), k1 = b.sum("k"), k2 = b.sum("k");
        if (swap) std::swap(k1, k2);
        b.input({o[0], c, b.unfold(o[2], k1), b.unfold(o[3], k2)});
        b.weight({o[1], c, k1, k2});
        b.expand(o[1]);
        return b.build();
    };
    EXPECT_NE(conv(false).id(), conv(true).id());
    EXPECT_EQ(canonicalHash(conv(false)), canonicalHash(conv(true)));
    // Different operators keep different hashes.
    EXPECT_NE(canonicalHash(conv(false)), canonicalHash(library::conv1x1(vars)));
    EXPECT_NE(canonicalHash(library::conv2d(vars)), canonicalHash(library::depthwiseConv2d(vars)));
}

// Sampling on threads: one thread is Space::sample exactly; two give n distinct operators of the space,
// the same ones on every run (timing decides nothing), and not merely the one-thread set.
TEST(Space, SamplingOnThreadsIsDeterministicAndDistinct) {
    const Problem p = convProblem(optionsWithDepth(7));
    Space single(p);
    const auto reference = single.sample(25, 3, SampleMode::Uniform);
    const auto one = sampleOnThreads(p, 25, 3, SampleMode::Uniform, 1, 2'000'000);
    ASSERT_EQ(one.found.size(), reference.size());
    for (size_t i = 0; i < reference.size(); ++i) EXPECT_EQ(one.found[i].op.id(), reference[i].op.id());
    auto ids = [](const ParallelSample& r) {
        std::vector<uint64_t> v;
        for (const auto& s : r.found) v.push_back(s.canonical);
        return v;
    };
    const auto a = sampleOnThreads(p, 25, 3, SampleMode::Uniform, 2, 2'000'000);
    const auto b = sampleOnThreads(p, 25, 3, SampleMode::Uniform, 2, 2'000'000);
    EXPECT_EQ(ids(a), ids(b));
    ASSERT_EQ(a.found.size(), 25u);
    const auto fromTwo = ids(a);
    EXPECT_EQ(std::set<uint64_t>(fromTwo.begin(), fromTwo.end()).size(), 25u);
    EXPECT_NE(ids(a), ids(one));
    EXPECT_GT(a.stats.nodes, 0u);
    Space check(p);  // every operator is in the space: its path replays to it
    for (const auto& s : a.found) EXPECT_EQ(check.follow(s.path).op.id(), s.op.id()) << s.path.serialize();
}

std::vector<std::string> fingerprint(const std::vector<Sampled>& v);  // below, with the determinism tests

// The threads' finds overlap most in a small space: the descents they did not use stay in the shared
// budget, so two threads still return n distinct operators when the space has them.
TEST(Space, SamplingOnThreadsReturnsNWhenTheThreadsFindTheSameOperators) {
    const Problem p = convProblem(optionsWithDepth(5));
    const size_t size = Space(p).enumerate(1000000).size();
    ASSERT_GE(size, 40u);
    const int n = static_cast<int>(size * 3 / 4);
    const auto two = sampleOnThreads(p, n, 1, SampleMode::Uniform, 2, 2'000'000);
    EXPECT_GT(two.stats.duplicates, 0u) << "the threads never found the same operator: the case is not exercised";
    ASSERT_EQ(two.found.size(), static_cast<size_t>(n));
    std::set<uint64_t> canon;
    for (const auto& s : two.found) canon.insert(s.canonical);
    EXPECT_EQ(canon.size(), static_cast<size_t>(n));
}

// In a FLOPs window most branches hold no operator. A descent that has met descentRestartAfter dead ends
// begins again from the top; dead nodes stay dead, so it still ends, and every operator it returns lies in
// the window and replays from its path. Backtracking to exhaustion instead expands far more nodes.
TEST(Space, DescentsBeginAgainAfterDeadEndsInAFlopsWindow) {
    const Problem plain = convProblem(optionsWithDepth(7));
    const double conv = denseConvFlops(plain);
    ASSERT_GT(conv, 0);
    auto windowed = [&](int restartAfter) {
        SynthesisOptions o = withFlopsWindow(optionsWithDepth(7), conv, 0.15, 0.9);
        o.descentRestartAfter = restartAfter;
        return convProblem(o);
    };
    Space restarting(windowed(16)), again(windowed(16)), exhaustive(windowed(0));
    const auto found = restarting.sample(20, 5, SampleMode::Uniform);
    ASSERT_EQ(found.size(), 20u);
    EXPECT_GT(restarting.stats().restarts, 0u);
    EXPECT_EQ(fingerprint(again.sample(20, 5, SampleMode::Uniform)), fingerprint(found));
    Space check(windowed(16));
    for (const auto& s : found) {
        EXPECT_GE(s.flops, 0.15 * conv * (1 - 1e-12));
        EXPECT_LE(s.flops, 0.9 * conv * (1 + 1e-12));
        EXPECT_EQ(check.follow(s.path).op.id(), s.op.id());
    }
    ASSERT_EQ(exhaustive.sample(20, 5, SampleMode::Uniform).size(), 20u);
    EXPECT_EQ(exhaustive.stats().restarts, 0u);
    std::printf("20 operators in a window: %llu nodes expanded with restarts, %llu backtracking\n",
                static_cast<unsigned long long>(restarting.stats().nodes), static_cast<unsigned long long>(exhaustive.stats().nodes));
    EXPECT_LT(restarting.stats().nodes * 2, exhaustive.stats().nodes)
        << "restarts: " << restarting.stats().nodes << " nodes expanded, backtracking: " << exhaustive.stats().nodes;
}

TEST(Space, EnumerateStopsAtTheLimit) {
    Space space(convProblem(optionsWithDepth(6)));
    auto some = space.enumerate(10);
    EXPECT_EQ(some.size(), 10u);
    Space fresh(convProblem(optionsWithDepth(6)));
    auto more = fresh.enumerate(25);
    ASSERT_EQ(more.size(), 25u);
    for (size_t i = 0; i < some.size(); ++i) EXPECT_EQ(some[i].op.id(), more[i].op.id()) << i;
}

// ---- 4. Determinism ----

std::vector<std::string> fingerprint(const std::vector<Sampled>& v) {
    std::vector<std::string> out;
    for (const auto& s : v) out.push_back(s.op.idHex() + " " + s.path.serialize());
    return out;
}

TEST(Space, SameSeedSameOperatorsInBothModes) {
    for (SampleMode mode : {SampleMode::Uniform, SampleMode::TypeFirst})
        for (uint64_t seed : {1u, 42u}) {
            Space a(convProblem(optionsWithDepth(7))), b(convProblem(optionsWithDepth(7)));
            auto x = a.sample(40, seed, mode), y = b.sample(40, seed, mode);
            ASSERT_EQ(x.size(), 40u);
            EXPECT_EQ(fingerprint(x), fingerprint(y)) << "seed " << seed;
            for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
                EXPECT_EQ(x[i].canonical, y[i].canonical);
                EXPECT_EQ(x[i].stepTexts, y[i].stepTexts);
                EXPECT_DOUBLE_EQ(x[i].flops, y[i].flops);
            }
        }
}

TEST(Space, SameSeedSameOperatorsWithTwoBindings) {
    auto make = [] {
        return Problem::make(makeContext(kPrimary, kCoef, "C_in=32, C_out=32, H=16, W=16; C_in=64, C_out=64, H=8, W=8"),
                             kConvIn, kConvOut, optionsWithDepth(7));
    };
    Space a(make()), b(make());
    EXPECT_EQ(fingerprint(a.sample(30, 9, SampleMode::TypeFirst)), fingerprint(b.sample(30, 9, SampleMode::TypeFirst)));
}

TEST(Space, DifferentSeedsOrModesGiveDifferentSequences) {
    Space a(convProblem(optionsWithDepth(7))), b(convProblem(optionsWithDepth(7))), c(convProblem(optionsWithDepth(7)));
    auto x = fingerprint(a.sample(20, 1, SampleMode::Uniform));
    auto y = fingerprint(b.sample(20, 2, SampleMode::Uniform));
    auto z = fingerprint(c.sample(20, 1, SampleMode::TypeFirst));
    ASSERT_EQ(x.size(), 20u);
    EXPECT_NE(x, y);
    EXPECT_NE(x, z);
    // Not just reordered: the sets differ too.
    EXPECT_NE(std::set<std::string>(x.begin(), x.end()), std::set<std::string>(y.begin(), y.end()));
}

TEST(Space, EnumerationIsDeterministic) {
    Space a(convProblem(optionsWithDepth(5))), b(convProblem(optionsWithDepth(5)));
    EXPECT_EQ(fingerprint(a.enumerate(1000000)), fingerprint(b.enumerate(1000000)));
}

// A path found in one Space object replays in another (keys are portable).
TEST(Space, PathsArePortableAcrossSpaces) {
    Space a(convProblem(optionsWithDepth(7)));
    auto got = a.sample(20, 5, SampleMode::Uniform);
    ASSERT_FALSE(got.empty());
    Space b(convProblem(optionsWithDepth(7)));
    for (const auto& s : got) {
        Sampled t = b.follow(Path::parse(s.path.serialize()));
        EXPECT_EQ(t.op.id(), s.op.id());
        EXPECT_EQ(t.canonical, s.canonical);
    }
}

// ---- 7. Impossible requests ----

// Detected without exploring: the root is dead (speed itself is a benchmark matter, not a test's).
void expectImpossible(Space& space) {
    auto got = space.sample(5, 1, SampleMode::Uniform);
    auto uniform = space.sample(5, 2, SampleMode::TypeFirst);
    EXPECT_TRUE(got.empty());
    EXPECT_TRUE(uniform.empty());
    EXPECT_TRUE(space.enumerate(10).empty());
    EXPECT_TRUE(space.rootDead() || space.rootDistance() > space.problem().options.depth);
    EXPECT_FALSE(space.budgetExhausted());
    EXPECT_TRUE(space.rootDead());
    EXPECT_EQ(space.nodeCount(), 1u) << "explored instead of refusing at the root";
}

TEST(Space, ConvWithinDepth1IsImpossible) {
    Space space(convProblem(optionsWithDepth(1)));
    EXPECT_TRUE(space.rootDead()) << "detected at construction: the root is 2 steps away";
    EXPECT_GT(space.rootDistance(), 1);
    expectImpossible(space);
    EXPECT_EQ(space.nodeCount(), 1u);
}

TEST(Space, DroppingAnInputPrimaryIsImpossible) {
    // W of the input cannot be summed away (W: 0 allows no reduction over it).
    Space space(Problem::make(makeContext(kPrimary, kCoef), kConvIn, "[N, C_out, H]", optionsWithDepth(10)));
    expectImpossible(space);
}

TEST(Space, NoReductionsAllowedIsImpossible) {
    auto o = optionsWithDepth(10);
    o.maxReductions = 0;
    Space space(convProblem(o));
    EXPECT_TRUE(space.rootDead());
    expectImpossible(space);
}

// BUG (src/synthesis/Distance.cpp shapeDistance): W of the output is counted as removable by a
// contraction expanding it (isExpandable), but W: 0 forbids W in any weight, and standalone expands
// are off, so nothing can remove it: the request is impossible. The root distance is 2, the root is
// not dead, and sampling explores the whole space: 0.2 s at depth 6, 1 s at 7, 7 s at 8, and at the
// default depth 10 it hits the node limit (2M nodes, minutes) instead of answering.
TEST(Space, OutputPrimaryWithNoAllowanceIsDetectedAtTheRoot) {
    Problem p = Problem::make(makeContext(kPrimary, kCoef), "[N, C_in, H]", kConvOut, optionsWithDepth(10));
    Space space(p);
    const bool detected = space.rootDead() || space.rootDistance() > p.options.depth;
    EXPECT_TRUE(detected) << "root distance " << space.rootDistance() << ", root not dead";
    if (detected) expectImpossible(space);
}

TEST(Space, OutputPrimaryWithNoAllowanceIsImpossibleAtDepth6) {
    // The same request, small enough to explore: sampling finds nothing and marks the root dead.
    Problem p = Problem::make(makeContext(kPrimary, kCoef), "[N, C_in, H]", kConvOut, optionsWithDepth(6));
    Space space(p);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(space.sample(5, 1, SampleMode::Uniform).empty());
    EXPECT_TRUE(space.rootDead());
    RecordProperty("seconds", std::to_string(secondsSince(t0)));
    // With one occurrence of W allowed, a weight [W, ...] expanding W makes it possible.
    Problem q = Problem::make(makeContext("N=1: 0, C_in=32: 2, C_out=32: 4, H=16: 0, W=16: 1", kCoef), "[N, C_in, H]",
                              kConvOut, optionsWithDepth(6));
    Space possible(q);
    EXPECT_FALSE(possible.sample(1, 1, SampleMode::Uniform).empty());
}

TEST(Space, UnknownVariableOrBadShapeIsRejected) {
    const std::string msg = errorOf([] { Problem::make(makeContext(kPrimary, kCoef), "[N, C_in, Q]", kConvOut, optionsWithDepth(4)); });
    EXPECT_NE(msg.find("Q"), std::string::npos) << msg;
    expectOneLine(msg);
    errorOf([] { Problem::make(makeContext(kPrimary, kCoef), kConvIn, kConvOut, optionsWithDepth(0)); });
    // H/k is not an integer when H = 16, k = 3.
    errorOf([] { Problem::make(makeContext(kPrimary, kCoef), kConvIn, "[N, C_out, H/k, W]", optionsWithDepth(4)); });
}

// ---- 8. Paths ----

TEST(Path, SerializeParseRoundTrips) {
    Space space(convProblem(optionsWithDepth(7)));
    auto got = space.sample(50, 11, SampleMode::TypeFirst);
    ASSERT_FALSE(got.empty());
    for (const auto& s : got) {
        const std::string text = s.path.serialize();
        Path back = Path::parse(text);
        EXPECT_EQ(back, s.path) << text;
        EXPECT_EQ(back.serialize(), text);
        EXPECT_EQ(std::count(text.begin(), text.end(), '/') + 1, static_cast<long>(s.path.steps.size()));
    }
    // Every kind, and keys with leading zeros and the extremes.
    Path p;
    for (int k = 0; k < kStepKinds; ++k) p.steps.push_back({static_cast<StepKind>(k), static_cast<uint64_t>(k) * 0x0123456789abcdefULL});
    p.steps.push_back({StepKind::Reduce, 0});
    p.steps.push_back({StepKind::Finalize, ~0ULL});
    EXPECT_EQ(Path::parse(p.serialize()), p);
    EXPECT_EQ(Path::parse("reduce:0000000000000001").steps.at(0).key, 1u);
    EXPECT_TRUE(Path::parse("").steps.empty());
    EXPECT_EQ(Path().serialize(), "");
}

TEST(Path, MalformedTextThrows) {
    for (const char* bad : {"reduce", "reduce:", ":12", "bogus:12", "Reduce:12", "reduce:xyz", "reduce:12g",
                            "reduce:ABC", "reduce: 12", "reduce:-1", "reduce:0x12", "reduce:00000000000000001",
                            "reduce:1//finalize:2", "/reduce:1", "reduce:1/finalize", "reduce=1", "reduce:1:2"}) {
        SCOPED_TRACE(bad);
        expectOneLine(errorOf([&] { Path::parse(bad); }));
    }
}

// The grammar is KIND:KEY joined by '/', and an empty step is rejected everywhere else ('a//b', '/a'),
// but a trailing '/' is silently accepted (src/synthesis/Space.cpp Path::parse stops when pos reaches
// the end), so "reduce:1/" parses and serializes back as "reduce:1".
TEST(Path, TrailingSlashIsMalformed) {
    errorOf([] { Path::parse("reduce:1/"); });
    errorOf([] { Path::parse("reduce:1/finalize:2/"); });
}

TEST(Path, FollowRejectsPathsNotInTheSpace) {
    Space space(convProblem(optionsWithDepth(6)));
    auto got = space.sample(3, 1, SampleMode::Uniform);
    ASSERT_FALSE(got.empty());
    Path good = got[0].path;
    ASSERT_GE(good.steps.size(), 2u);
    // A step whose key does not exist.
    Path wrongKey = good;
    wrongKey.steps[0].key ^= 1;
    expectOneLine(errorOf([&] { space.follow(wrongKey); }));
    // A kind that does not match the key.
    Path wrongKind = good;
    wrongKind.steps[0].kind = StepKind::Unfold;
    errorOf([&] { space.follow(wrongKind); });
    // Stopping before finalize, or going on after it.
    Path prefix = good;
    prefix.steps.pop_back();
    errorOf([&] { space.follow(prefix); });
    Path longer = good;
    longer.steps.push_back(good.steps.front());
    errorOf([&] { space.follow(longer); });
    errorOf([&] { space.follow(Path{}); });
    // A path from a deeper space does not fit a shallower one.
    Space deep(convProblem(optionsWithDepth(8)));
    auto grouped = deep.pathOf(library::groupedConv2d(deep.problem().ctx.vars()));
    ASSERT_TRUE(grouped.has_value());
    errorOf([&] { space.follow(*grouped); });
    // The good path still works afterwards.
    EXPECT_EQ(space.follow(good).op.id(), got[0].op.id());
}

TEST(Path, PathOfRejectsOtherVariables) {
    Space space(convProblem(optionsWithDepth(4)));
    const VariableTable other = makeVars("N=1, C_in=32, C_out=32, H=16, W=16", kCoef);  // other allowances
    expectOneLine(errorOf([&] { space.pathOf(library::conv1x1(other)); }));
}

}  // namespace
}  // namespace syno
