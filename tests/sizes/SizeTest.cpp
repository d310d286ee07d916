// Sizes: monomial arithmetic, traits, canonical text, portable hashes, and evaluation over bindings.
#include <gtest/gtest.h>

#include <limits>

#include "TestHelpers.h"
#include "sizes/Bindings.h"
#include "sizes/Parse.h"
#include "sizes/Size.h"
#include "sizes/Variables.h"

namespace syno {
namespace {

using test::errorOf;
using test::expectContainsAll;
using test::makeContext;
using test::makeVars;

Variable var(const std::string& name, VarKind kind, std::optional<int64_t> value = std::nullopt) {
    Variable v;
    v.name = name;
    v.kind = kind;
    v.value = value;
    return v;
}

class SizeTest : public ::testing::Test {
protected:
    VariableTable vars = makeVars("N, C_in, C_out, H, W", "k, g, s");
    Size v(const std::string& name) const { return Size::variable(vars.require(name)); }
};

// Ids come from sorting (primaries, then coefficients, each alphabetically), not from declaration order.
TEST(VariableTableTest, SortsPrimariesThenCoefficientsAlphabetically) {
    VariableTable t({var("k", VarKind::Coefficient), var("W", VarKind::Primary), var("g", VarKind::Coefficient),
                     var("C_in", VarKind::Primary), var("N", VarKind::Primary)});
    ASSERT_EQ(t.size(), 5);
    EXPECT_EQ(t[0].name, "C_in");
    EXPECT_EQ(t[1].name, "N");
    EXPECT_EQ(t[2].name, "W");
    EXPECT_EQ(t[3].name, "g");
    EXPECT_EQ(t[4].name, "k");
    EXPECT_TRUE(t.isPrimary(2));
    EXPECT_FALSE(t.isPrimary(3));
    EXPECT_EQ(t.find("W"), 2);
    EXPECT_EQ(t.find("missing"), std::nullopt);
}

TEST(VariableTableTest, SameDeclarationsInAnyOrderGiveTheSameTable) {
    VariableTable a({var("H", VarKind::Primary), var("s", VarKind::Coefficient), var("C", VarKind::Primary)});
    VariableTable b({var("s", VarKind::Coefficient), var("C", VarKind::Primary), var("H", VarKind::Primary)});
    EXPECT_EQ(a, b);
}

TEST(VariableTableTest, RejectsBadDeclarations) {
    expectContainsAll(errorOf([] { VariableTable({var("H", VarKind::Primary), var("H", VarKind::Coefficient)}); }),
                      {"'H'", "twice"});
    expectContainsAll(errorOf([] { VariableTable({var("H", VarKind::Primary, 0)}); }), {"'H'", "positive"});
    expectContainsAll(errorOf([] { VariableTable({var("", VarKind::Primary)}); }), {"empty"});
    std::vector<Variable> many;
    for (int i = 0; i <= kMaxVariables; ++i) many.push_back(var("v" + std::to_string(i), VarKind::Primary));
    expectContainsAll(errorOf([&] { VariableTable{many}; }), {"at most 16"});
    VariableTable t({var("H", VarKind::Primary)});
    expectContainsAll(errorOf([&] { t.require("W"); }), {"unknown variable 'W'"});
}

TEST(VariableTableTest, WithAddsAVariableAndKeepsTheOrder) {
    VariableTable t({var("k", VarKind::Coefficient), var("H", VarKind::Primary)});
    VariableTable u = t.with(var("3", VarKind::Coefficient, 3));
    ASSERT_EQ(u.size(), 3);
    EXPECT_EQ(u[0].name, "H");
    EXPECT_EQ(u[1].name, "3");  // digits sort before letters
    EXPECT_EQ(u[2].name, "k");
    EXPECT_THROW(u.with(var("k", VarKind::Coefficient)), Error);
}

TEST_F(SizeTest, MonomialArithmetic) {
    Size cout = v("C_out"), g = v("g"), h = v("H"), w = v("W");
    Size q = cout / g;
    EXPECT_EQ(q.power(vars.require("C_out")), 1);
    EXPECT_EQ(q.power(vars.require("g")), -1);
    EXPECT_EQ(q * g, cout);
    EXPECT_EQ(h * h, h.pow(2));
    EXPECT_EQ((h * w).pow(2) / w, h.pow(2) * w);
    EXPECT_TRUE((h / h).isOne());
    EXPECT_TRUE(Size::one().isOne());
    EXPECT_TRUE(h.pow(0).isOne());
    EXPECT_FALSE(h.isOne());
    EXPECT_EQ((h.pow(2) * w / g).totalPower(), 4);
    EXPECT_EQ((h.pow(2) * w / g).variableCount(), 3);
    EXPECT_NE(h, w);
    EXPECT_NE(h * g, h / g);
}

TEST_F(SizeTest, ExponentsAndIdsAreRangeChecked) {
    EXPECT_THROW(Size::variable(kMaxVariables), Error);
    EXPECT_THROW(Size::variable(-1), Error);
    EXPECT_THROW(Size::variable(0, 101), Error);
    EXPECT_THROW(v("H").pow(101), Error);
    EXPECT_THROW(v("H").pow(60) * v("H").pow(60), Error);
    EXPECT_NO_THROW(v("H").pow(100));
}

TEST_F(SizeTest, Traits) {
    EXPECT_EQ(Size::one().trait(vars), SizeTrait::One);
    EXPECT_EQ(v("k").trait(vars), SizeTrait::Coefficient);
    EXPECT_EQ(v("k").pow(2).trait(vars), SizeTrait::Coefficient);
    EXPECT_EQ((v("g") * v("s")).trait(vars), SizeTrait::Coefficient);
    EXPECT_EQ((v("k") / v("s")).trait(vars), SizeTrait::IllegalCoefficient);
    EXPECT_EQ(v("k").pow(-1).trait(vars), SizeTrait::IllegalCoefficient);
    EXPECT_EQ((v("C_out") / v("g")).trait(vars), SizeTrait::General);
    EXPECT_EQ((v("H") * v("W")).trait(vars), SizeTrait::General);
    EXPECT_EQ((v("C_in") * v("k") / v("s")).trait(vars), SizeTrait::General);
    EXPECT_EQ(v("H").pow(-1).trait(vars), SizeTrait::NegativePrimary);
    EXPECT_EQ((v("k") / v("H")).trait(vars), SizeTrait::NegativePrimary);
    EXPECT_EQ((v("H") / v("W")).trait(vars), SizeTrait::NegativePrimary);

    EXPECT_TRUE(v("k").isValidDimension(vars));
    EXPECT_TRUE((v("C_out") / v("g")).isValidDimension(vars));
    EXPECT_FALSE(Size::one().isValidDimension(vars));
    EXPECT_FALSE((v("k") / v("s")).isValidDimension(vars));
    EXPECT_FALSE((v("H") / v("W")).isValidDimension(vars));
}

TEST_F(SizeTest, CanonicalText) {
    EXPECT_EQ((v("C_out") / v("g")).toString(vars), "C_out/g");
    EXPECT_EQ((v("W") * v("H").pow(2)).toString(vars), "H^2*W");
    EXPECT_EQ(Size::one().toString(vars), "1");
    EXPECT_EQ((v("k") * v("C_in") / (v("g") * v("s"))).toString(vars), "C_in*k/g/s");
    EXPECT_EQ((v("H").pow(2) / v("s").pow(3)).toString(vars), "H^2/s^3");
}

// Whatever toString prints must parse back to the same size (the text forms depend on it).
TEST_F(SizeTest, CanonicalTextParsesBack) {
    const std::vector<Size> sizes = {v("C_out") / v("g"),          v("H").pow(2) * v("W"), Size::one(),
                                     v("k").pow(-1),                v("k") / v("s"),        v("C_in") * v("k") / (v("g") * v("s")),
                                     v("H").pow(3) / v("s").pow(2), v("N") * v("C_in") * v("H") * v("W")};
    for (const Size& s : sizes) {
        SCOPED_TRACE(s.toString(vars));
        EXPECT_EQ(parseSize(s.toString(vars), vars), s);
    }
}

// The hash goes over names, so tables declaring the same names in another order, or more names, agree.
TEST(SizeHashTest, StableHashIgnoresDeclarationOrderAndOtherVariables) {
    VariableTable a = makeVars("H, N", "s, k");
    VariableTable b = makeVars("W, N, C_in, H", "k, g, s");
    auto hs = [](const VariableTable& t) {
        return (Size::variable(t.require("H")) / Size::variable(t.require("s"))).stableHash(t);
    };
    EXPECT_NE(a.require("H"), b.require("H"));  // the ids differ...
    EXPECT_EQ(hs(a), hs(b));                      // ...the hash does not
    Size hw = Size::variable(b.require("H")) * Size::variable(b.require("W"));
    Size hs2 = Size::variable(b.require("H")) * Size::variable(b.require("s"));
    EXPECT_NE(hw.stableHash(b), hs2.stableHash(b));
    Size hOverS = Size::variable(b.require("H")) / Size::variable(b.require("s"));
    Size hTimesS = Size::variable(b.require("H")) * Size::variable(b.require("s"));
    EXPECT_NE(hOverS.stableHash(b), hTimesS.stableHash(b));
    EXPECT_NE(Size::one().stableHash(b), Size::variable(b.require("H")).stableHash(b));
    // Same id, different name: different hash.
    VariableTable onlyH = makeVars("H"), onlyW = makeVars("W");
    EXPECT_NE(Size::variable(0).stableHash(onlyH), Size::variable(0).stableHash(onlyW));
}

class SizeContextTest : public ::testing::Test {
protected:
    SizeContext ctx = makeContext("C_in, H=56", "k=3, s=2", "C_in=64; C_in=128, H=28; C_in=256, H=14, s=4");
    Size v(const std::string& name) const { return Size::variable(ctx.vars().require(name)); }
};

TEST_F(SizeContextTest, FillsDefaultsIntoEveryBinding) {
    ASSERT_EQ(ctx.bindingCount(), 3);
    EXPECT_EQ(ctx.describeBinding(0), "C_in=64, H=56, k=3, s=2");
    EXPECT_EQ(ctx.describeBinding(1), "C_in=128, H=28, k=3, s=2");
    EXPECT_EQ(ctx.describeBinding(2), "C_in=256, H=14, k=3, s=4");
}

TEST_F(SizeContextTest, EvaluatesOverEveryBinding) {
    Size hs = v("H") / v("s");
    EXPECT_EQ(ctx.evalInteger(hs, 0), 28);
    EXPECT_EQ(ctx.evalInteger(hs, 1), 14);
    Ratio r = ctx.eval(hs, 2);  // 14/4 in lowest terms
    EXPECT_EQ(r.num, 7);
    EXPECT_EQ(r.den, 2);
    EXPECT_FALSE(r.isInteger());
    EXPECT_EQ(r.toString(), "7/2");
    EXPECT_DOUBLE_EQ(r.toDouble(), 3.5);
    EXPECT_EQ(ctx.evalInteger(Size::one(), 2), 1);
    EXPECT_EQ(ctx.evalInteger(v("C_in") * v("k").pow(2), 1), 128 * 9);
    EXPECT_EQ(ctx.eval(v("k") / v("s"), 0).toString(), "3/2");
    EXPECT_FALSE(ctx.isIntegralEverywhere(hs));
    EXPECT_TRUE(ctx.isIntegralEverywhere(v("H") * v("C_in")));
}

TEST_F(SizeContextTest, EvalIntegerNamesTheBinding) {
    std::string msg = errorOf([&] { ctx.evalInteger(v("H") / v("s"), 2); });
    expectContainsAll(msg, {"H/s", "7/2", "binding 3", "C_in=256, H=14, k=3, s=4"});
    test::expectOneLine(msg);
    expectContainsAll(errorOf([&] { ctx.evalInteger(v("C_in") / v("k"), 0); }), {"64/3", "binding 1"});
}

TEST_F(SizeContextTest, BoundsAndSums) {
    Size hs = v("H") / v("s");
    EXPECT_DOUBLE_EQ(ctx.lowerBound(hs), 3.5);
    EXPECT_DOUBLE_EQ(ctx.upperBound(hs), 28.0);
    EXPECT_DOUBLE_EQ(ctx.sumOverBindings(hs), 28.0 + 14.0 + 3.5);
    EXPECT_DOUBLE_EQ(ctx.sumOverBindings(v("C_in") * v("H")), 64.0 * 56 + 128.0 * 28 + 256.0 * 14);
    EXPECT_DOUBLE_EQ(ctx.lowerBound(v("C_in")), 64.0);
    EXPECT_DOUBLE_EQ(ctx.upperBound(v("C_in")), 256.0);
}

TEST(SizeContextErrors, OverflowIsAnErrorNotWrapAround) {
    SizeContext ctx = makeContext("H=56");
    Size big = Size::variable(0, 20);  // 56^20 > 2^63
    expectContainsAll(errorOf([&] { ctx.eval(big, 0); }), {"overflows", "binding 1"});
    Size big2 = Size::variable(0, -20);
    EXPECT_THROW(ctx.eval(big2, 0), Error);
}

TEST(SizeContextErrors, BadBindingsAreNamed) {
    VariableTable vars = makeVars("C_in, H=56", "k=3");
    expectContainsAll(errorOf([&] { SizeContext(vars, parseBindings("C_in=64; C_in=8, X=3")); }),
                      {"binding 2", "unknown variable 'X'"});
    expectContainsAll(errorOf([&] { SizeContext(vars, parseBindings("C_in=64, C_in=8")); }), {"'C_in'", "twice"});
    // C_in has no default: a binding that does not set it is incomplete.
    expectContainsAll(errorOf([&] { SizeContext(vars, parseBindings("C_in=64; H=28")); }),
                      {"'C_in'", "no value", "binding 2"});
    expectContainsAll(errorOf([&] { SizeContext(vars, parseBindings("")); }), {"'C_in'", "binding 1"});
    std::vector<std::vector<std::pair<std::string, int64_t>>> zero = {{std::make_pair(std::string("C_in"), int64_t{0})}};
    expectContainsAll(errorOf([&] { SizeContext(vars, zero); }), {"C_in=0", "positive"});
}

TEST(SizeContextErrors, WithBindingsValidates) {
    SizeContext ctx = makeContext("H=4", "s=2");
    SizeContext other = ctx.withBindings({Binding{{6, 3}}, Binding{{8, 2}}});
    EXPECT_EQ(other.bindingCount(), 2);
    EXPECT_EQ(other.evalInteger(Size::variable(0) / Size::variable(1), 0), 2);
    EXPECT_EQ(other.vars(), ctx.vars());
    EXPECT_THROW(ctx.withBindings({Binding{{6}}}), Error);
    EXPECT_THROW(ctx.withBindings({Binding{{6, 0}}}), Error);
}

}  // namespace
}  // namespace syno
