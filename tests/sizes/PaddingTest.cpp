// padToDivide: primaries are rounded up, per binding, to the smallest multiples that make every size
// integral; coefficients never change.
#include <gtest/gtest.h>

#include <cstdlib>

#include "TestHelpers.h"
#include "sizes/Padding.h"

namespace syno {
namespace {

using test::errorOf;
using test::expectContainsAll;
using test::makeContext;

int64_t valueOf(const SizeContext& ctx, const std::string& name, int binding = 0) {
    return ctx.bindings()[static_cast<size_t>(binding)][ctx.vars().require(name)];
}

Size sizeOf(const SizeContext& ctx, const std::string& text) { return parseSize(text, ctx.vars()); }

TEST(Padding, PadsHToAMultipleOfTheStride) {
    SizeContext ctx = makeContext("N=1, H=28, W=28", "s=3");
    SizeContext padded = padToDivide(ctx, {sizeOf(ctx, "H/s")});
    EXPECT_EQ(valueOf(padded, "H"), 30);
    EXPECT_EQ(valueOf(padded, "W"), 28);  // not asked for
    EXPECT_EQ(valueOf(padded, "N"), 1);
    EXPECT_EQ(valueOf(padded, "s"), 3);   // coefficients are never changed
    EXPECT_EQ(padded.evalInteger(sizeOf(ctx, "H/s"), 0), 10);
    EXPECT_EQ(padded.vars(), ctx.vars());
}

TEST(Padding, SizesSharingAPrimaryTakeTheLcm) {
    SizeContext ctx = makeContext("H=28", "s=3, t=4");
    // H/t alone already divides (28 = 7*4); H/s needs 3 | H: together 12 | H, so H = 36.
    SizeContext padded = padToDivide(ctx, {sizeOf(ctx, "H/s"), sizeOf(ctx, "H/t")});
    EXPECT_EQ(valueOf(padded, "H"), 36);
    EXPECT_EQ(padded.evalInteger(sizeOf(ctx, "H/s"), 0), 12);
    EXPECT_EQ(padded.evalInteger(sizeOf(ctx, "H/t"), 0), 9);
}

TEST(Padding, EachBindingIsPaddedOnItsOwn) {
    SizeContext ctx = makeContext("C=8, H=28", "s=3", "H=28; H=27; H=29, s=2");
    SizeContext padded = padToDivide(ctx, {sizeOf(ctx, "H/s")});
    EXPECT_EQ(valueOf(padded, "H", 0), 30);
    EXPECT_EQ(valueOf(padded, "H", 1), 27);
    EXPECT_EQ(valueOf(padded, "H", 2), 30);
    EXPECT_EQ(valueOf(padded, "s", 2), 2);
    EXPECT_EQ(valueOf(padded, "C", 2), 8);
}

// The missing factor goes to the first primary (lowest id), so the result is deterministic.
TEST(Padding, MissingFactorIsChargedToTheFirstPrimary) {
    SizeContext ctx = makeContext("H=28, W=28", "s=3");
    SizeContext padded = padToDivide(ctx, {sizeOf(ctx, "H*W/s")});
    EXPECT_EQ(valueOf(padded, "H"), 30);
    EXPECT_EQ(valueOf(padded, "W"), 28);
}

// A coefficient in the numerator supplies part of the factor: g*H/s with g=3, s=6 needs only 2 | H.
TEST(Padding, CoefficientNumeratorReducesTheMissingFactor) {
    SizeContext ctx = makeContext("H=27", "g=3, s=6");
    SizeContext padded = padToDivide(ctx, {sizeOf(ctx, "g*H/s")});
    EXPECT_EQ(valueOf(padded, "H"), 28);
}

TEST(Padding, CoefficientOnlySizeThatDoesNotDivideThrows) {
    SizeContext ctx = makeContext("H=28", "k=3, s=2", "H=28; H=14, k=5");
    std::string msg = errorOf([&] { padToDivide(ctx, {sizeOf(ctx, "k/s")}); });
    expectContainsAll(msg, {"k/s", "binding 1", "no primary"});
    test::expectOneLine(msg);
    // A coefficient size that does divide is fine.
    SizeContext even = makeContext("H=28", "k=4, s=2");
    EXPECT_NO_THROW(padToDivide(even, {sizeOf(even, "k/s")}));
}

TEST(Padding, IntegralSizesLeaveTheBindingsUnchanged) {
    SizeContext ctx = makeContext("C_in=64, H=30, W=30", "s=3, g=32", "H=30; H=60, C_in=96");
    std::vector<Size> sizes = {sizeOf(ctx, "H/s"), sizeOf(ctx, "W/s"), sizeOf(ctx, "C_in/g"), sizeOf(ctx, "H*W")};
    SizeContext padded = padToDivide(ctx, sizes);
    EXPECT_EQ(padded.bindings(), ctx.bindings());
    EXPECT_EQ(padToDivide(ctx, {}).bindings(), ctx.bindings());
}

// A size that is already an integer because of its primaries must not be padded either: H*W/s with
// H=2, W=6, s=4 is 3, and H^2/s with H=6, s=4 is 9.
TEST(Padding, IntegralProductOfPrimariesIsNotPadded) {
    SizeContext ctx = makeContext("H=2, W=6", "s=4");
    ASSERT_TRUE(ctx.isIntegralEverywhere(sizeOf(ctx, "H*W/s")));
    EXPECT_EQ(padToDivide(ctx, {sizeOf(ctx, "H*W/s")}).bindings(), ctx.bindings())
        << "H padded to " << valueOf(padToDivide(ctx, {sizeOf(ctx, "H*W/s")}), "H");
    SizeContext square = makeContext("H=6", "s=4");
    ASSERT_TRUE(square.isIntegralEverywhere(sizeOf(square, "H^2/s")));
    EXPECT_EQ(valueOf(padToDivide(square, {sizeOf(square, "H^2/s")}), "H"), 6);
}

}  // namespace
}  // namespace syno

namespace syno {
namespace {

// Products of coefficients can overflow 64 bits (s^2 with s = 2^32): that must be a syno::Error, as it
// is in SizeContext::eval, not a wrapped value or a crash. Run in a child process so that a crash
// (e.g. a division by zero) fails this test instead of ending the test binary.
TEST(PaddingDeathTest, CoefficientOverflowIsAnErrorNotACrash) {
    SizeContext ctx = makeContext("H=8", "s=4294967296");
    Size size = sizeOf(ctx, "H/s^2");
    EXPECT_THROW(ctx.eval(size, 0), Error);  // the evaluator reports the overflow...
    EXPECT_EXIT(
        {
            try {
                padToDivide(ctx, {size});
            } catch (const Error&) {
                std::exit(0);  // ...and so must padding
            }
            std::exit(3);  // returned a context: impossible, H would have to be a multiple of 2^64
        },
        ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace syno
