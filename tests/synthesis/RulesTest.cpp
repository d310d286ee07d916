// Requirement 5: every canonicalization rule of src/synthesis/Rules.h. Each test is named after its rule
// and shows (a) that the rule fires while enumerating a space and (b) the redundancy it removes: the
// forbidden form, built by hand, is a valid operator that computes the same function as the canonical
// form (with suitably mapped weights), has a different canonical hash (so the final dedup would not
// catch it), is not in the space (pathOf returns nullopt), while the canonical form is.
#include "SynthesisFixtures.h"

#include <functional>

namespace syno {
namespace {

using namespace test;

// Stats of an exhaustive enumeration of the standard conv space at depth 5 (where all 15 rules that
// apply to it fire).
const SynthesisStats& standardStats() {
    static const SynthesisStats stats = [] {
        Space space(convProblem(optionsWithDepth(5)));
        space.enumerate(1000000);
        return space.stats();
    }();
    return stats;
}

void expectFiresInStandardSpace(Rule r) {
    EXPECT_GT(ruleCount(standardStats(), r), 0u) << ruleName(r) << " never fired at depth 5";
}

// The forbidden form is valid and distinct, not in the space; the canonical form is.
void expectRemoved(Space& space, const Operator& forbidden, const Operator& canonical) {
    EXPECT_NO_THROW(checkSizes(forbidden, space.problem().ctx));
    EXPECT_NE(canonicalHash(forbidden), canonicalHash(canonical)) << "dedup by canonical form would catch it";
    EXPECT_EQ(forbidden.inputShape(), canonical.inputShape());
    EXPECT_EQ(forbidden.outputShape(), canonical.outputShape());
    EXPECT_FALSE(space.pathOf(forbidden).has_value()) << "the forbidden form is generated";
    auto path = space.pathOf(canonical);
    ASSERT_TRUE(path.has_value()) << "the canonical form is not generated";
    EXPECT_EQ(space.follow(*path).canonical, canonicalHash(canonical));
}

std::vector<Tensor> randomWeights(const Operator& op, const SizeContext& ctx, uint64_t seed) {
    std::vector<Tensor> ws;
    for (size_t w = 0; w < op.weights().size(); ++w)
        ws.push_back(Tensor::random(weightShapeOf(op, ctx, static_cast<int>(w)), seed + w));
    return ws;
}

// forbidden(x, wf) == canonical(x, wc) on a random x (same data, both input shapes are the same).
void expectSameFunction(const Operator& forbidden, const std::vector<Tensor>& wf, const Operator& canonical,
                        const std::vector<Tensor>& wc, const SizeContext& ctx) {
    Tensor x = Tensor::random(inputShapeOf(canonical, ctx), 99);
    ASSERT_EQ(inputShapeOf(forbidden, ctx), x.shape);
    Tensor a = forward(forbidden, ctx, x, wf), b = forward(canonical, ctx, x, wc);
    expectTensorsNear(a, b);
    double norm = 0;
    for (double v : b.data) norm = std::max(norm, std::abs(v));
    EXPECT_GT(norm, 1e-3) << "degenerate comparison: outputs are zero";
}

SizeContext smallContext(const std::string& coef = kCoef) { return makeContext(kPrimary, coef, kSmallBinding); }

// [N, C_in, H, W] -> [N, C_out, H, W] with weight [C_out, C_in] and the H input dim made by `h` from i2.
Operator conv1x1With(const VariableTable& vars, const std::function<Dim(OperatorBuilder&, Dim)>& h) {
    OperatorBuilder b(vars);
    auto o = b.output(kConvOut);
    Dim c = b.sum("C_in");
    b.input({o[0], c, h(b, o[2]), o[3]});
    b.weight({o[1], c});
    b.expand(o[1]);
    return b.build();
}

bool sizesNonDecreasing(const Operator& op) {
    const auto& r = op.reductions();
    for (size_t i = 1; i < r.size(); ++i)
        if (r[i]->size < r[i - 1]->size) return false;
    return true;
}

TEST(Rules, ReduceOrder) {
    expectFiresInStandardSpace(Rule::ReduceOrder);
    // Every operator generated numbers its reductions in size order.
    {
        Space space(convProblem(optionsWithDepth(5)));
        auto all = space.enumerate(1000000);
        ASSERT_FALSE(all.empty());
        for (const auto& s : all) EXPECT_TRUE(sizesNonDecreasing(s.op)) << describe(s);
    }
    // library::conv2d numbers C_in before k, k (not size order: k < C_in); the same conv with the other
    // numbering is the same function and the same canonical form, and the space holds it once, in order.
    Space space(convProblem(optionsWithDepth(6)));
    const auto& vars = space.problem().ctx.vars();
    Operator lib = library::conv2d(vars);
    ASSERT_FALSE(sizesNonDecreasing(lib));
    OperatorBuilder b(vars);
    auto o = b.output(kConvOut);
    Dim kh = b.sum("k"), kw = b.sum("k"), c = b.sum("C_in");
    b.input({o[0], c, b.unfold(o[2], kh), b.unfold(o[3], kw)});
    b.weight({o[1], c, kh, kw});
    b.expand(o[1]);
    Operator ordered = b.build();
    EXPECT_NE(lib.id(), ordered.id());
    EXPECT_EQ(canonicalHash(lib), canonicalHash(ordered));
    SizeContext ctx = smallContext();
    auto w = randomWeights(lib, ctx, 5);
    expectSameFunction(lib, w, ordered, w, ctx);
    auto p1 = space.pathOf(lib), p2 = space.pathOf(ordered);
    ASSERT_TRUE(p1.has_value());
    ASSERT_TRUE(p2.has_value());
    EXPECT_EQ(*p1, *p2);
    EXPECT_TRUE(sizesNonDecreasing(space.follow(*p1).op));
}

TEST(Rules, SplitOfMergeHalves) {
    expectFiresInStandardSpace(Rule::SplitOfMergeHalves);
    Space space(convProblem(optionsWithDepth(4)));
    const auto& vars = space.problem().ctx.vars();
    Operator forbidden = conv1x1With(vars, [](OperatorBuilder& b, Dim h) {
        auto [outer, inner] = b.merge(h, "g");
        return b.split(outer, inner);  // = h
    });
    Operator canonical = library::conv1x1(vars);
    expectRemoved(space, forbidden, canonical);
    SizeContext ctx = smallContext();
    auto w = randomWeights(canonical, ctx, 7);
    expectSameFunction(forbidden, w, canonical, w, ctx);
    // The halves split the other way round are a transpose of H, not the identity: generated.
    Operator transposed = conv1x1With(vars, [](OperatorBuilder& b, Dim h) {
        auto [outer, inner] = b.merge(h, "g");
        return b.split(inner, outer);
    });
    EXPECT_TRUE(space.pathOf(transposed).has_value());
}

TEST(Rules, SplitChainsRight) {
    expectFiresInStandardSpace(Rule::SplitChainsRight);
    auto opts = optionsWithDepth(4);
    opts.maxVariablesInSize = 3;
    Space space(convProblem(opts, kConvOut, kCoef, "[N, C_in*H*W]"));
    const auto& vars = space.problem().ctx.vars();
    auto flatten = [&](bool rightNested) {
        OperatorBuilder b(vars);
        auto o = b.output(kConvOut);
        Dim c = b.sum("C_in");
        Dim flat = rightNested ? b.split(c, b.split(o[2], o[3])) : b.split(b.split(c, o[2]), o[3]);
        b.input({o[0], flat});
        b.weight({o[1], c});
        b.expand(o[1]);
        return b.build();
    };
    Operator forbidden = flatten(false), canonical = flatten(true);
    expectRemoved(space, forbidden, canonical);
    SizeContext ctx = smallContext();
    auto w = randomWeights(canonical, ctx, 9);
    expectSameFunction(forbidden, w, canonical, w, ctx);
}

TEST(Rules, SplitOfPlainSums) {
    expectFiresInStandardSpace(Rule::SplitOfPlainSums);
    auto opts = optionsWithDepth(3);
    opts.maxPoolingFactor = 1e9;  // a channel sum of 32 is plain pooling
    Space space(convProblem(opts, "[N, H, W]"));
    const auto& vars = space.problem().ctx.vars();
    OperatorBuilder fb(vars);
    auto fo = fb.output("[N, H, W]");
    Dim a = fb.sum("g"), c = fb.sum("C_in/g");
    fb.input({fo[0], fb.split(a, c), fo[1], fo[2]});
    Operator forbidden = fb.build();
    OperatorBuilder cb(vars);
    auto co = cb.output("[N, H, W]");
    cb.input({co[0], cb.sum("C_in"), co[1], co[2]});
    Operator canonical = cb.build();
    expectRemoved(space, forbidden, canonical);
    expectSameFunction(forbidden, {}, canonical, {}, smallContext());
}

TEST(Rules, SplitWithinWeight) {
    expectFiresInStandardSpace(Rule::SplitWithinWeight);
    Space space(convProblem(optionsWithDepth(4)));
    const auto& vars = space.problem().ctx.vars();
    OperatorBuilder b(vars);
    auto o = b.output(kConvOut);
    Dim a = b.sum("g"), c = b.sum("C_in/g");
    b.input({o[0], b.split(a, c), o[2], o[3]});
    b.weight({o[1], a, c});  // [C_out, g, C_in/g]: the conv1x1 weight reshaped
    b.expand(o[1]);
    Operator forbidden = b.build();
    Operator canonical = library::conv1x1(vars);
    expectRemoved(space, forbidden, canonical);
    SizeContext ctx = smallContext();
    auto w = randomWeights(canonical, ctx, 11);
    expectSameFunction(forbidden, {reshaped(w[0], weightShapeOf(forbidden, ctx, 0))}, canonical, w, ctx);
}

TEST(Rules, MergeOfReduction) {
    expectFiresInStandardSpace(Rule::MergeOfReduction);
    const char* input = "[N, C_in/g, g, H, W]";
    Space space(convProblem(optionsWithDepth(3), kConvOut, kCoef, input));
    const auto& vars = space.problem().ctx.vars();
    OperatorBuilder fb(vars);
    auto fo = fb.output(kConvOut);
    Dim r = fb.sum("C_in");
    auto [hi, lo] = fb.merge(r, "g");
    fb.input({fo[0], hi, lo, fo[2], fo[3]});
    fb.weight({fo[1], r});
    fb.expand(fo[1]);
    Operator forbidden = fb.build();
    OperatorBuilder cb(vars);
    auto co = cb.output(kConvOut);
    Dim a = cb.sum("C_in/g"), c = cb.sum("g");
    cb.input({co[0], a, c, co[2], co[3]});
    cb.weight({co[1], a, c});
    cb.expand(co[1]);
    Operator canonical = cb.build();
    expectRemoved(space, forbidden, canonical);
    SizeContext ctx = smallContext();
    auto w = randomWeights(forbidden, ctx, 13);  // [C_out, C_in] = [C_out, C_in/g, g] row-major
    expectSameFunction(forbidden, w, canonical, {reshaped(w[0], weightShapeOf(canonical, ctx, 0))}, ctx);
}

TEST(Rules, MergeChainsInner) {
    expectFiresInStandardSpace(Rule::MergeChainsInner);
    // C_out/(g*s) has 3 variables: allow such sizes, so only the rule tells the two forms apart.
    auto opts = optionsWithDepth(4);
    opts.maxVariablesInSize = 3;
    Space space(convProblem(opts, kConvOut, kCoefWithS));
    const auto& vars = space.problem().ctx.vars();
    // C_out split three ways, [C_out/(g*s), g, s], all three in the weight (a reshaped conv1x1 weight).
    auto build = [&](bool innerChain) {
        OperatorBuilder b(vars);
        auto o = b.output(kConvOut);
        Dim r = b.sum("C_in");
        Dim top, mid, low;
        if (innerChain) {
            auto [a, rest] = b.merge(o[1], "g*s");
            auto [m, l] = b.merge(rest, "s");
            top = a, mid = m, low = l;
        } else {
            auto [a, l] = b.merge(o[1], "s");
            auto [t, m] = b.merge(a, "g");  // merging an outer half
            top = t, mid = m, low = l;
        }
        b.input({o[0], r, o[2], o[3]});
        b.weight({top, mid, low, r});
        b.expand(top);
        b.expand(mid);
        b.expand(low);
        return b.build();
    };
    Operator forbidden = build(false), canonical = build(true);
    expectRemoved(space, forbidden, canonical);
    SizeContext ctx = smallContext(kCoefWithS);
    auto w = randomWeights(canonical, ctx, 15);
    expectSameFunction(forbidden, w, canonical, w, ctx);
}

TEST(Rules, MergeOfSplitIdentity) {
    expectFiresInStandardSpace(Rule::MergeOfSplitIdentity);
    Space space(convProblem(optionsWithDepth(4)));
    const auto& vars = space.problem().ctx.vars();
    auto build = [&](const char* block) {
        OperatorBuilder b(vars);
        auto o = b.output(kConvOut);
        Dim c = b.sum("C_in");
        auto [hi, lo] = b.merge(b.split(o[3], o[2]), block);  // split(W, H) = w*|H| + h
        if (std::string(block) == "H") b.input({o[0], c, lo, hi});  // hi = w, lo = h
        else b.input({o[0], c, hi, lo});                             // sizes H, W; not the identity
        b.weight({o[1], c});
        b.expand(o[1]);
        return b.build();
    };
    Operator forbidden = build("H"), canonical = library::conv1x1(vars);
    expectRemoved(space, forbidden, canonical);
    SizeContext ctx = smallContext();
    auto w = randomWeights(canonical, ctx, 17);
    expectSameFunction(forbidden, w, canonical, w, ctx);
    // Merging by the other block is a different (symbolic) reshaping: generated.
    EXPECT_TRUE(space.pathOf(build("W")).has_value());
}

TEST(Rules, MergeOfShared) {
    expectFiresInStandardSpace(Rule::MergeOfShared);
    const char* input = "[N, C_in/g, g, H, W]";
    Space space(convProblem(optionsWithDepth(4), kDepthwiseOut, kCoef, input));
    const auto& vars = space.problem().ctx.vars();
    auto build = [&](bool shareHalves) {
        OperatorBuilder b(vars);
        auto o = b.output(kDepthwiseOut);
        Dim k = b.sum("k");
        auto [hi, lo] = b.merge(o[1], "g");
        b.input({o[0], hi, lo, b.unfold(o[2], k), o[3]});
        if (shareHalves) b.weight({hi, lo, k});
        else b.weight({o[1], k});  // shares the merged channel itself
        return b.build();
    };
    Operator forbidden = build(false), canonical = build(true);
    expectRemoved(space, forbidden, canonical);
    SizeContext ctx = smallContext();
    auto w = randomWeights(forbidden, ctx, 19);  // [C_in, k] = [C_in/g, g, k] row-major
    expectSameFunction(forbidden, w, canonical, {reshaped(w[0], weightShapeOf(canonical, ctx, 0))}, ctx);
}

TEST(Rules, ShiftOfReduction) {
    expectFiresInStandardSpace(Rule::ShiftOfReduction);
    Space space(convProblem(optionsWithDepth(4)));
    const auto& vars = space.problem().ctx.vars();
    OperatorBuilder b(vars);
    auto o = b.output(kConvOut);
    Dim c = b.sum("C_in");
    b.input({o[0], b.shift(c), o[2], o[3]});  // x[(c+1) mod C_in]
    b.weight({o[1], c});
    b.expand(o[1]);
    Operator forbidden = b.build();
    Operator canonical = library::conv1x1(vars);
    expectRemoved(space, forbidden, canonical);
    // The sum absorbs the roll when the weight is rolled the other way: W'[o, c] = W[o, c-1].
    SizeContext ctx = smallContext();
    auto w = randomWeights(forbidden, ctx, 21);
    Tensor rolled = w[0];
    const int64_t co = w[0].shape[0], ci = w[0].shape[1];
    for (int64_t i = 0; i < co; ++i)
        for (int64_t j = 0; j < ci; ++j) at(rolled, {i, j}) = at(w[0], {i, (j - 1 + ci) % ci});
    expectSameFunction(forbidden, w, canonical, {rolled}, ctx);
    // Rolls of output dims are generated.
    EXPECT_TRUE(space.pathOf(library::shiftConv1x1(vars, 1)).has_value());
}

TEST(Rules, ShiftOfShift) {
    expectFiresInStandardSpace(Rule::ShiftOfShift);
    Space space(convProblem(optionsWithDepth(4)));
    const auto& vars = space.problem().ctx.vars();
    Operator forbidden = conv1x1With(vars, [](OperatorBuilder& b, Dim h) { return b.shift(b.shift(h)); });
    Operator byTwo = library::shiftConv1x1(vars, 2);
    EXPECT_NE(canonicalHash(forbidden), canonicalHash(byTwo));
    EXPECT_FALSE(space.pathOf(forbidden).has_value());
    EXPECT_FALSE(space.pathOf(byTwo).has_value()) << "only unit rolls are generated";
    EXPECT_TRUE(space.pathOf(library::shiftConv1x1(vars, 1)).has_value());
    SizeContext ctx = smallContext();
    auto w = randomWeights(byTwo, ctx, 23);
    expectSameFunction(forbidden, w, byTwo, w, ctx);
}

TEST(Rules, UnfoldWindowWeighted) {
    expectFiresInStandardSpace(Rule::UnfoldWindowWeighted);
    Space space(convProblem(optionsWithDepth(4)));
    const auto& vars = space.problem().ctx.vars();
    auto build = [&](bool weighted) {
        OperatorBuilder b(vars);
        auto o = b.output(kConvOut);
        Dim c = b.sum("C_in"), k = b.sum("k");
        b.input({o[0], c, b.unfold(o[2], k), o[3]});
        if (weighted) b.weight({o[1], c, k});
        else b.weight({o[1], c});  // a box filter over k rows
        b.expand(o[1]);
        return b.build();
    };
    Operator forbidden = build(false), canonical = build(true);
    expectRemoved(space, forbidden, canonical);
    // The box filter is the weighted window with a weight constant along the window.
    SizeContext ctx = smallContext();
    auto w = randomWeights(forbidden, ctx, 25);
    Tensor wide = Tensor::zeros(weightShapeOf(canonical, ctx, 0));
    for (int64_t i = 0; i < wide.shape[0]; ++i)
        for (int64_t j = 0; j < wide.shape[1]; ++j)
            for (int64_t t = 0; t < wide.shape[2]; ++t) at(wide, {i, j, t}) = at(w[0], {i, j});
    expectSameFunction(forbidden, w, canonical, {wide}, ctx);
}

TEST(Rules, UnfoldMainNotSum) {
    expectFiresInStandardSpace(Rule::UnfoldMainNotSum);
    Space space(convProblem(optionsWithDepth(4)));
    const auto& vars = space.problem().ctx.vars();
    OperatorBuilder b(vars);
    auto o = b.output(kConvOut);
    Dim c = b.sum("C_in"), k = b.sum("k");
    b.input({o[0], b.unfold(c, k), o[2], o[3]});  // x[c + j - 1], zero outside
    b.weight({o[1], c, k});
    b.expand(o[1]);
    Operator forbidden = b.build();
    Operator canonical = library::conv1x1(vars);
    expectRemoved(space, forbidden, canonical);
    // Σ_c Σ_j x[c+j-1] W[o,c,j] = Σ_c' x[c'] W'[o,c'] with W'[o,c'] = Σ_j W[o, c'-j+1, j].
    SizeContext ctx = smallContext();
    auto w = randomWeights(forbidden, ctx, 27);
    const int64_t co = w[0].shape[0], ci = w[0].shape[1], kk = w[0].shape[2];
    Tensor folded = Tensor::zeros({co, ci});
    for (int64_t i = 0; i < co; ++i)
        for (int64_t cp = 0; cp < ci; ++cp)
            for (int64_t j = 0; j < kk; ++j) {
                int64_t cc = cp - j + (kk - 1) / 2;
                if (cc >= 0 && cc < ci) at(folded, {i, cp}) += at(w[0], {i, cc, j});
            }
    expectSameFunction(forbidden, w, canonical, {folded}, ctx);
}

TEST(Rules, StrideOnlyWindows) {
    // Strides are off by default (maxOfKind[Stride] = 0): the rule fires once they are allowed.
    EXPECT_EQ(ruleCount(standardStats(), Rule::StrideOnlyWindows), 0u);
    auto opts = optionsWithDepth(5);
    cap(opts, StepKind::Stride) = -1;
    Space space(convProblem(opts, kConvOut, kCoefWithS));
    {
        auto o4 = optionsWithDepth(4);
        cap(o4, StepKind::Stride) = -1;
        Space small(convProblem(o4, kConvOut, kCoefWithS));
        auto all = small.enumerate(1000000);
        EXPECT_FALSE(all.empty());
        EXPECT_GT(ruleCount(small.stats(), Rule::StrideOnlyWindows), 0u);
    }
    const auto& vars = space.problem().ctx.vars();
    auto build = [&](bool weighted) {
        OperatorBuilder b(vars);
        auto o = b.output(kConvOut);
        Dim c = b.sum("C_in"), k = b.sum("k");
        b.input({o[0], c, b.unfold(o[2], b.stride(k, "s")), o[3]});
        if (weighted) b.weight({o[1], c, k});
        else b.weight({o[1], c});  // a dilated box filter: the stride is not on a weighted sum
        b.expand(o[1]);
        return b.build();
    };
    Operator forbidden = build(false), canonical = build(true);
    expectRemoved(space, forbidden, canonical);
    SizeContext ctx = smallContext(kCoefWithS);
    auto w = randomWeights(forbidden, ctx, 29);
    Tensor wide = Tensor::zeros(weightShapeOf(canonical, ctx, 0));
    for (int64_t i = 0; i < wide.shape[0]; ++i)
        for (int64_t j = 0; j < wide.shape[1]; ++j)
            for (int64_t t = 0; t < wide.shape[2]; ++t) at(wide, {i, j, t}) = at(w[0], {i, j});
    expectSameFunction(forbidden, w, canonical, {wide}, ctx);
}

TEST(Rules, WeightInnerAndOuter) {
    expectFiresInStandardSpace(Rule::WeightInnerAndOuter);
    Space space(convProblem(optionsWithDepth(7)));
    const auto& vars = space.problem().ctx.vars();
    // conv2d with a separable weight: [C_out, C_in] and [k, k], the second sharing sums only.
    OperatorBuilder b(vars);
    auto o = b.output(kConvOut);
    Dim c = b.sum("C_in"), kh = b.sum("k"), kw = b.sum("k");
    b.input({o[0], c, b.unfold(o[2], kh), b.unfold(o[3], kw)});
    b.weight({o[1], c});
    b.weight({kh, kw});
    b.expand(o[1]);
    Operator forbidden = b.build();
    Operator canonical = library::conv2d(vars);
    expectRemoved(space, forbidden, canonical);
    // It is conv2d with the weight W[o,c,i,j] = W1[o,c] * W2[i,j].
    SizeContext ctx = smallContext();
    auto w = randomWeights(forbidden, ctx, 31);
    Tensor full = Tensor::zeros(weightShapeOf(canonical, ctx, 0));
    for (int64_t i = 0; i < full.shape[0]; ++i)
        for (int64_t j = 0; j < full.shape[1]; ++j)
            for (int64_t p = 0; p < full.shape[2]; ++p)
                for (int64_t q = 0; q < full.shape[3]; ++q) at(full, {i, j, p, q}) = at(w[0], {i, j}) * at(w[1], {p, q});
    expectSameFunction(forbidden, w, canonical, {full}, ctx);
}

TEST(Rules, WeightNested) {
    expectFiresInStandardSpace(Rule::WeightNested);
    Space space(convProblem(optionsWithDepth(6), kDepthwiseOut));
    const auto& vars = space.problem().ctx.vars();
    // depthwise conv with a second weight [C_in, k] whose dims are a subset of the first's.
    OperatorBuilder b(vars);
    auto o = b.output(kDepthwiseOut);
    Dim kh = b.sum("k"), kw = b.sum("k");
    b.input({o[0], o[1], b.unfold(o[2], kh), b.unfold(o[3], kw)});
    b.weight({o[1], kh, kw});
    b.weight({o[1], kh});
    Operator forbidden = b.build();
    Operator canonical = library::depthwiseConv2d(vars);
    expectRemoved(space, forbidden, canonical);
    SizeContext ctx = smallContext();
    auto w = randomWeights(forbidden, ctx, 33);
    Tensor merged = w[0];
    for (int64_t c = 0; c < merged.shape[0]; ++c)
        for (int64_t p = 0; p < merged.shape[1]; ++p)
            for (int64_t q = 0; q < merged.shape[2]; ++q) at(merged, {c, p, q}) *= at(w[1], {c, p});
    expectSameFunction(forbidden, w, canonical, {merged}, ctx);
}

TEST(Rules, ExpandOutputSideOnly) {
    // Standalone expands are off by default (maxOfKind[Expand] = 0): the rule fires once they are allowed.
    EXPECT_EQ(ruleCount(standardStats(), Rule::ExpandOutputSideOnly), 0u);
    auto opts = optionsWithDepth(4);
    cap(opts, StepKind::Expand) = -1;
    Space space(convProblem(opts));
    {
        auto o3 = optionsWithDepth(3);
        cap(o3, StepKind::Expand) = -1;
        Space small(convProblem(o3));
        auto all = small.enumerate(1000000);
        EXPECT_FALSE(all.empty());
        EXPECT_GT(ruleCount(small.stats(), Rule::ExpandOutputSideOnly), 0u);
    }
    const auto& vars = space.problem().ctx.vars();
    // conv1x1 with a sum of k expanded: the sum adds k equal terms, i.e. only scales the output by k.
    // Such an operator is not even valid: a sum that reaches no input must tie two weights.
    OperatorBuilder b(vars);
    auto o = b.output(kConvOut);
    Dim c = b.sum("C_in"), k = b.sum("k");
    b.input({o[0], c, o[2], o[3]});
    b.weight({o[1], c});
    b.expand(o[1]);
    b.expand(k);
    test::expectContainsAll(test::errorOf([&] { b.build(); }), {"tie two weights"});
    // With standalone expands the output channel can also be expanded by its own step; the space
    // still holds conv1x1 once.
    auto all = space.enumerate(1000000);
    int conv = 0;
    for (const auto& s : all) conv += s.canonical == canonicalHash(library::conv1x1(vars));
    EXPECT_EQ(conv, 1);
}

// Every rule has a name and a doc line (the CLI prints both); the counters cover all of them.
TEST(Rules, NamesAndDocs) {
    std::set<std::string> names;
    for (int r = 0; r < kRuleCount; ++r) {
        std::string n = ruleName(static_cast<Rule>(r));
        EXPECT_NE(n, "?");
        EXPECT_STRNE(ruleDoc(static_cast<Rule>(r)), "?");
        names.insert(n);
    }
    EXPECT_EQ(static_cast<int>(names.size()), kRuleCount);
    int fired = 0;
    for (int r = 0; r < kRuleCount; ++r) fired += standardStats().rules[static_cast<size_t>(r)] > 0;
    // All but StrideOnlyWindows and ExpandOutputSideOnly (need strides / expands) and EqualSumsInOrder
    // (needs two equal sums used apart, depth 6: tested below).
    EXPECT_GE(fired, kRuleCount - 3);
}

// Two 3-tap sums shared by one weight are interchangeable: unfolding H with the second and W with the
// first is conv2d again, with the sums renamed. Only the in-order form is generated, the enumeration
// holds no duplicate of conv2d, and conv2d keeps its path.
TEST(Rules, EqualSumsInOrder) {
    Space space(convProblem(optionsWithDepth(6)));
    auto all = space.enumerate(1000000);
    EXPECT_GT(ruleCount(space.stats(), Rule::EqualSumsInOrder), 0u);
    VariableTable vars = space.problem().ctx.vars();
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim kh = b.sum("k"), kw = b.sum("k"), c = b.sum("C_in");
    b.input({o[0], c, b.unfold(o[2], kw), b.unfold(o[3], kh)});  // H uses the second sum
    b.weight({o[1], c, kh, kw});
    b.expand(o[1]);
    Operator swapped = b.build();
    Operator conv = library::conv2d(vars);
    EXPECT_EQ(canonicalHash(swapped), canonicalHash(conv));
    EXPECT_TRUE(space.pathOf(conv).has_value());
    int convs = 0;
    for (const auto& s : all) convs += s.canonical == canonicalHash(conv);
    EXPECT_EQ(convs, 1);
    // The rule leaves few duplicates for the final dedup: under 1% here.
    double rate = static_cast<double>(space.stats().duplicates) / static_cast<double>(all.size() + space.stats().duplicates);
    EXPECT_LT(rate, 0.01) << space.stats().duplicates << " duplicates among " << all.size();
}

}  // namespace
}  // namespace syno
