// The reference interpreter (no libtorch): known values, the adjoint identity for every library
// operator, finite differences, padding, and shape errors.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "TestHelpers.h"
#include "ir/Builder.h"
#include "ir/Library.h"
#include "semantics/Cost.h"
#include "semantics/Interpreter.h"
#include "semantics/Realize.h"

namespace syno {
namespace {

using test::errorOf;
using test::expectContainsAll;
using test::makeContext;

double dot(const Tensor& a, const Tensor& b) {
    EXPECT_EQ(a.shape, b.shape);
    double s = 0;
    for (size_t i = 0; i < a.data.size() && i < b.data.size(); ++i) s += a.data[i] * b.data[i];
    return s;
}

Tensor iota(std::vector<int64_t> shape) {
    Tensor t = Tensor::zeros(std::move(shape));
    std::iota(t.data.begin(), t.data.end(), 0.0);
    return t;
}

double at(const Tensor& t, std::vector<int64_t> idx) {
    auto st = t.strides();
    int64_t off = 0;
    for (size_t i = 0; i < idx.size(); ++i) off += idx[i] * st[i];
    return t.data.at(static_cast<size_t>(off));
}

Tensor runForward(const Operator& op, const SizeContext& ctx, const Tensor& x, const std::vector<Tensor>& w,
                  PaddingPolicy policy = PaddingPolicy::Exact) {
    return interpretForward(realize(op, ctx, 0, policy), x, w);
}

TEST(Interpreter, Conv1x1IsAMatrixProduct) {
    SizeContext ctx = makeContext("N=2, C_in=3, C_out=2, H=2, W=3");
    Operator op = library::conv1x1(ctx.vars());
    Tensor x = Tensor::random({2, 3, 2, 3}, 7);
    Tensor w = Tensor::random({2, 3}, 8);
    Tensor out = runForward(op, ctx, x, {w});
    ASSERT_EQ(out.shape, (std::vector<int64_t>{2, 2, 2, 3}));
    for (int64_t n = 0; n < 2; ++n)
        for (int64_t o = 0; o < 2; ++o)
            for (int64_t h = 0; h < 2; ++h)
                for (int64_t ww = 0; ww < 3; ++ww) {
                    double expected = 0;
                    for (int64_t c = 0; c < 3; ++c) expected += at(x, {n, c, h, ww}) * at(w, {o, c});
                    EXPECT_NEAR(at(out, {n, o, h, ww}), expected, 1e-14);
                }
}

TEST(Interpreter, LinearByHand) {
    SizeContext ctx = makeContext("N=2, C_in=2, C_out=1");
    Tensor x{{2, 2}, {1, 2, 3, 4}};
    Tensor w{{1, 2}, {10, 100}};
    Tensor out = runForward(library::linear(ctx.vars()), ctx, x, {w});
    EXPECT_EQ(out.shape, (std::vector<int64_t>{2, 1}));
    EXPECT_EQ(out.data, (std::vector<double>{210, 430}));
}

TEST(Interpreter, AvgPool2x2OnAKnownTensor) {
    SizeContext ctx = makeContext("N=1, C_in=1, H=4, W=4", "s=2");
    Tensor x = iota({1, 1, 4, 4});  // rows 0..3, 4..7, 8..11, 12..15
    Tensor out = runForward(library::avgPool2d(ctx.vars()), ctx, x, {});
    ASSERT_EQ(out.shape, (std::vector<int64_t>{1, 1, 2, 2}));
    EXPECT_EQ(out.data, (std::vector<double>{2.5, 4.5, 10.5, 12.5}));
}

// shift(+1) reads index h+1, wrapping around at the end.
TEST(Interpreter, ShiftReadsTheNextIndexWithWrapAround) {
    SizeContext ctx = makeContext("N=1, C_in=1, C_out=1, H=4, W=1");
    Tensor x{{1, 1, 4, 1}, {10, 20, 30, 40}};
    Tensor one{{1, 1}, {1}};
    EXPECT_EQ(runForward(library::shiftConv1x1(ctx.vars(), 1), ctx, x, {one}).data,
              (std::vector<double>{20, 30, 40, 10}));
    EXPECT_EQ(runForward(library::shiftConv1x1(ctx.vars(), -1), ctx, x, {one}).data,
              (std::vector<double>{40, 10, 20, 30}));
    EXPECT_EQ(runForward(library::shiftConv1x1(ctx.vars(), 6), ctx, x, {one}).data,
              (std::vector<double>{30, 40, 10, 20}));
}

// Same padding: a 3x3 window of ones sums the 3x3 neighbourhood, reading zeros outside.
TEST(Interpreter, Conv2dSamePaddingAtTheBorder) {
    SizeContext ctx = makeContext("N=1, C_in=1, C_out=1, H=3, W=3", "k=3");
    Tensor x = iota({1, 1, 3, 3});
    Tensor w{{1, 1, 3, 3}, std::vector<double>(9, 1.0)};
    Tensor out = runForward(library::conv2d(ctx.vars()), ctx, x, {w});
    // Corner (0,0): 0+1+3+4; centre: all of 0..8.
    EXPECT_EQ(out.data, (std::vector<double>{8, 15, 12, 21, 36, 27, 20, 33, 24}));
    // A kernel with a single 1 at (r, c) reads x[h + r - 1, w + c - 1].
    Tensor tap = Tensor::zeros({1, 1, 3, 3});
    tap.data[2 * 3 + 1] = 1;  // r = 2, c = 1: reads the row below
    EXPECT_EQ(runForward(library::conv2d(ctx.vars()), ctx, x, {tap}).data,
              (std::vector<double>{3, 4, 5, 6, 7, 8, 0, 0, 0}));
}

struct Case {
    std::string name;
    Operator op;
    SizeContext ctx;
    PaddingPolicy policy = PaddingPolicy::Exact;
};

std::vector<Case> libraryCases() {
    SizeContext ctx = makeContext("N=2, C_in=4, C_out=6, H=6, W=4", "k=3, g=2, s=2", "H=6; C_in=2, C_out=2, H=4, W=6");
    SizeContext lin = makeContext("N=3, C_in=5, C_out=4");
    SizeContext pad = makeContext("N=1, C_in=2, H=28, W=28", "s=3");
    SizeContext paper = makeContext("N=2, C_in=4, C_out=8, H=5, W=4", "k=3, g=2, s=2");
    const auto& v = ctx.vars();
    return {{"conv2d", library::conv2d(v), ctx},
            {"conv1x1", library::conv1x1(v), ctx},
            {"grouped", library::groupedConv2d(v), ctx},
            {"depthwise", library::depthwiseConv2d(v), ctx},
            {"dilated", library::dilatedConv2d(v), ctx},
            {"avgpool", library::avgPool2d(v), ctx},
            {"linear", library::linear(lin.vars()), lin},
            {"shiftconv", library::shiftConv1x1(v, 1), ctx},
            {"shiftconv -2", library::shiftConv1x1(v, -2), ctx},
            {"avgpool padded", library::avgPool2d(pad.vars()), pad, PaddingPolicy::Pad},
            {"operator1", library::operator1(paper.vars()), paper},
            {"operator2", library::operator2(paper.vars()), paper}};
}

// Backward is the adjoint of forward: <F(x, w), g> = <x, dx> = <w, dw> for a multilinear F.
TEST(Interpreter, BackwardIsTheAdjointForEveryLibraryOperator) {
    for (const auto& c : libraryCases()) {
        for (int b = 0; b < c.ctx.bindingCount(); ++b) {
            SCOPED_TRACE(c.name + " binding " + std::to_string(b + 1));
            Realization r = realize(c.op, c.ctx, b, c.policy);
            Tensor x = Tensor::random(r.inputShape, 11 + b);
            std::vector<Tensor> w;
            for (size_t i = 0; i < r.weightShapes.size(); ++i) w.push_back(Tensor::random(r.weightShapes[i], 20 + i));
            Tensor g = Tensor::random(r.outputShape, 31);
            Tensor out = interpretForward(r, x, w);
            ASSERT_EQ(out.shape, r.outputShape);
            Gradients grads = interpretBackward(r, x, w, g);
            ASSERT_EQ(grads.input.shape, x.shape);
            ASSERT_EQ(grads.weights.size(), w.size());
            double lhs = dot(out, g);
            ASSERT_GT(std::abs(lhs), 1e-6);  // a zero would make the check vacuous
            EXPECT_NEAR(dot(x, grads.input), lhs, 1e-12 * std::abs(lhs));
            for (size_t i = 0; i < w.size(); ++i) {
                ASSERT_EQ(grads.weights[i].shape, w[i].shape);
                EXPECT_NEAR(dot(w[i], grads.weights[i]), lhs, 1e-12 * std::abs(lhs));
            }
        }
    }
}

// Finite differences of L = <F(x, w), g> on a few entries of x and w (central, in double).
TEST(Interpreter, FiniteDifferencesMatchTheGradient) {
    SizeContext ctx = makeContext("N=1, C_in=2, C_out=3, H=5, W=4", "k=3, s=2");
    Operator op = library::dilatedConv2d(ctx.vars());
    Realization r = realize(op, ctx, 0, PaddingPolicy::Exact);
    Tensor x = Tensor::random(r.inputShape, 1);
    Tensor w = Tensor::random(r.weightShapes[0], 2);
    Tensor g = Tensor::random(r.outputShape, 3);
    Gradients grads = interpretBackward(r, x, {w}, g);
    auto loss = [&](const Tensor& xx, const Tensor& ww) { return dot(interpretForward(r, xx, {ww}), g); };
    const double h = 1e-4;
    for (size_t i : {size_t{0}, size_t{7}, size_t{19}, x.data.size() - 1}) {
        Tensor plus = x, minus = x;
        plus.data[i] += h;
        minus.data[i] -= h;
        double fd = (loss(plus, w) - loss(minus, w)) / (2 * h);
        EXPECT_NEAR(fd, grads.input.data[i], 1e-8) << "x[" << i << "]";
    }
    for (size_t i : {size_t{0}, size_t{4}, size_t{13}, w.data.size() - 1}) {
        Tensor plus = w, minus = w;
        plus.data[i] += h;
        minus.data[i] -= h;
        double fd = (loss(x, plus) - loss(x, minus)) / (2 * h);
        EXPECT_NEAR(fd, grads.weights[0].data[i], 1e-8) << "w[" << i << "]";
    }
    // The gradient is not trivially zero.
    EXPECT_GT(std::abs(grads.input.data[7]) + std::abs(grads.weights[0].data[4]), 1e-6);
}

// avg-pool 3x3 at H=28 pads to 30 (one zero row/column each side) and gives 10x10 outputs.
TEST(Interpreter, PaddedAvgPool) {
    SizeContext ctx = makeContext("N=1, C_in=1, H=28, W=28", "s=3");
    Operator op = library::avgPool2d(ctx.vars());
    Realization r = realize(op, ctx, 0, PaddingPolicy::Pad);
    EXPECT_TRUE(r.padded);
    EXPECT_EQ(r.inputShape, (std::vector<int64_t>{1, 1, 28, 28}));
    EXPECT_EQ(r.paddedInputShape, (std::vector<int64_t>{1, 1, 30, 30}));
    EXPECT_EQ(r.outputShape, (std::vector<int64_t>{1, 1, 10, 10}));
    EXPECT_DOUBLE_EQ(r.scale, 1.0 / 9);

    Tensor x = Tensor::random(r.inputShape, 5);
    Tensor out = interpretForward(r, x, {});
    ASSERT_EQ(out.shape, (std::vector<int64_t>{1, 1, 10, 10}));
    // Window (0, 0) covers padded rows/cols 0..2, i.e. input rows/cols 0..1 plus zeros.
    double corner = (at(x, {0, 0, 0, 0}) + at(x, {0, 0, 0, 1}) + at(x, {0, 0, 1, 0}) + at(x, {0, 0, 1, 1})) / 9;
    EXPECT_NEAR(at(out, {0, 0, 0, 0}), corner, 1e-15);
    double inner = 0;
    for (int64_t i = 2; i < 5; ++i)
        for (int64_t j = 2; j < 5; ++j) inner += at(x, {0, 0, i, j});
    EXPECT_NEAR(at(out, {0, 0, 1, 1}), inner / 9, 1e-15);

    // Every input pixel lies in exactly one window: its gradient is g of that window / 9.
    Tensor g = Tensor::random(r.outputShape, 6);
    Gradients grads = interpretBackward(r, x, {}, g);
    ASSERT_EQ(grads.input.shape, x.shape);
    for (int64_t i = 0; i < 28; ++i)
        for (int64_t j = 0; j < 28; ++j)
            ASSERT_NEAR(at(grads.input, {0, 0, i, j}), at(g, {0, 0, (i + 1) / 3, (j + 1) / 3}) / 9, 1e-15)
                << i << "," << j;
}

TEST(Interpreter, ExactPolicyRefusesSizesThatDoNotDivide) {
    SizeContext ctx = makeContext("N=1, C_in=1, H=28, W=28", "s=3");
    Operator op = library::avgPool2d(ctx.vars());
    expectContainsAll(errorOf([&] { realize(op, ctx, 0, PaddingPolicy::Exact); }), {"/s = 28/3", "binding 1"});
    // Nothing to pad: Pad and Exact agree.
    SizeContext even = makeContext("N=1, C_in=1, H=6, W=6", "s=3");
    Operator evenOp = library::avgPool2d(even.vars());
    Realization r = realize(evenOp, even, 0, PaddingPolicy::Pad);
    EXPECT_FALSE(r.padded);
    EXPECT_EQ(r.outputShape, r.paddedOutputShape);
    EXPECT_EQ(paddedContext(evenOp, even, PaddingPolicy::Pad).bindings(), even.bindings());
    EXPECT_EQ(paddedContext(op, ctx, PaddingPolicy::Pad).describeBinding(0), "C_in=1, H=30, N=1, W=30, s=3");
}

TEST(Interpreter, WrongShapesAreErrors) {
    SizeContext ctx = makeContext("N=1, C_in=2, C_out=3, H=4, W=4", "k=3");
    Realization r = realize(library::conv2d(ctx.vars()), ctx, 0, PaddingPolicy::Exact);
    Tensor x = Tensor::random(r.inputShape, 1), w = Tensor::random(r.weightShapes[0], 2);
    Tensor g = Tensor::random(r.outputShape, 3);
    expectContainsAll(errorOf([&] { interpretForward(r, Tensor::random({1, 2, 4, 5}, 1), {w}); }),
                      {"the input", "[1, 2, 4, 5]", "[1, 2, 4, 4]"});
    expectContainsAll(errorOf([&] { interpretForward(r, x, {}); }), {"1 weight"});
    expectContainsAll(errorOf([&] { interpretForward(r, x, {Tensor::random({3, 2, 3}, 1)}); }), {"weight 1"});
    expectContainsAll(errorOf([&] { interpretBackward(r, x, {w}, Tensor::random({1, 3, 4}, 1)); }),
                      {"output gradient"});
    Tensor lying = x;
    lying.data.pop_back();  // shape says 32 values, 31 given
    expectContainsAll(errorOf([&] { interpretForward(r, lying, {w}); }), {"values"});
    expectContainsAll(errorOf([&] { realize(library::conv2d(ctx.vars()), ctx, 1, PaddingPolicy::Exact); }),
                      {"binding 2"});
    EXPECT_NO_THROW(interpretBackward(r, x, {w}, g));
}

TEST(Interpreter, RealizationOfConv2d) {
    SizeContext ctx = makeContext("N=1, C_in=2, C_out=3, H=5, W=4", "k=3", "H=5; H=7, C_in=4");
    Realization r = realize(library::conv2d(ctx.vars()), ctx, 1, PaddingPolicy::Exact);
    EXPECT_EQ(r.binding, 1);
    EXPECT_FALSE(r.padded);
    EXPECT_EQ(r.inputShape, (std::vector<int64_t>{1, 4, 7, 4}));
    EXPECT_EQ(r.outputShape, (std::vector<int64_t>{1, 3, 7, 4}));
    ASSERT_EQ(r.weightShapes.size(), 1u);
    EXPECT_EQ(r.weightShapes[0], (std::vector<int64_t>{3, 4, 3, 3}));
    EXPECT_EQ(r.reductionDims.size(), 3u);
    EXPECT_DOUBLE_EQ(r.scale, 1.0);
    int unfolds = 0;
    for (const auto& d : r.dims)
        if (d.kind == DimKind::Unfold) {
            EXPECT_EQ(d.offset, 1);  // (3-1)/2
            ++unfolds;
        }
    EXPECT_EQ(unfolds, 2);
}

TEST(Tensors, Helpers) {
    Tensor a = Tensor::random({2, 3}, 42), b = Tensor::random({2, 3}, 42), c = Tensor::random({2, 3}, 43);
    EXPECT_EQ(a.data, b.data);  // deterministic
    EXPECT_NE(a.data, c.data);
    for (double v : a.data) {
        EXPECT_GE(v, -1.0);
        EXPECT_LT(v, 1.0);
    }
    EXPECT_EQ(a.strides(), (std::vector<int64_t>{3, 1}));
    Tensor p = a.padded({4, 5}, {1, 1});
    EXPECT_EQ(p.shape, (std::vector<int64_t>{4, 5}));
    EXPECT_EQ(at(p, {1, 1}), at(a, {0, 0}));
    EXPECT_EQ(at(p, {0, 0}), 0.0);
    EXPECT_EQ(p.cropped({2, 3}, {1, 1}).data, a.data);
    EXPECT_THROW(a.padded({2, 3}, {1, 0}), Error);
    EXPECT_THROW(a.cropped({2, 3}, {0, 1}), Error);
    EXPECT_TRUE(a.allFinite());
    Tensor nan = a;
    nan.data[0] = std::nan("");
    EXPECT_FALSE(nan.allFinite());
    Tensor d = a;
    d.data[1] += 0.5;
    double maxAbs = 0;
    for (double v : a.data) maxAbs = std::max(maxAbs, std::abs(v));
    EXPECT_NEAR(maxRelativeError(d, a), 0.5 / maxAbs, 1e-15);
    EXPECT_EQ(maxRelativeError(a, a), 0.0);
    EXPECT_THROW(maxRelativeError(a, p), Error);
    EXPECT_EQ(shapeString({2, 3}), "[2, 3]");
    EXPECT_EQ(numelOf({2, 3, 4}), 24);
}

// FLOPs of the literal loop nest: outputs x reductions points, one product per extra tensor and an add.
TEST(Cost, Conv2dOverTwoBindings) {
    SizeContext ctx = makeContext("N=1, C_in=4, C_out=8, H=6, W=6", "k=3", "H=6; C_in=8, H=3, W=3");
    Cost c = naiveCost(library::conv2d(ctx.vars()), ctx);
    double points1 = 1.0 * 8 * 6 * 6 * 4 * 9, points2 = 1.0 * 8 * 3 * 3 * 8 * 9;
    EXPECT_DOUBLE_EQ(c.flops, 2 * (points1 + points2));
    EXPECT_DOUBLE_EQ(c.params, 8.0 * 4 * 9 + 8.0 * 8 * 9);
    SizeContext pool = makeContext("N=1, C_in=1, H=28, W=28", "s=3");
    Operator op = library::avgPool2d(pool.vars());
    EXPECT_THROW(naiveCost(op, pool), Error);
    EXPECT_DOUBLE_EQ(naiveCost(op, pool, PaddingPolicy::Pad).flops, 10.0 * 10 * 9);
    EXPECT_DOUBLE_EQ(naiveCost(op, pool, PaddingPolicy::Pad).params, 0.0);
}

}  // namespace
}  // namespace syno
