// Text syntax of specs, sizes, shapes and bindings, and the errors malformed text must raise: one line,
// naming the text and the column.
#include <gtest/gtest.h>

#include "TestHelpers.h"
#include "sizes/Bindings.h"
#include "sizes/Parse.h"

namespace syno {
namespace {

using test::errorOf;
using test::expectContainsAll;
using test::makeContext;
using test::makeVars;

TEST(ParseSpecs, NamesValuesOccurrencesAndAnonymousConstants) {
    auto specs = parseSpecs("N=8, C_in: 2, H=28: 2, 3", VarKind::Primary);
    ASSERT_EQ(specs.size(), 4u);
    EXPECT_EQ(specs[0].name, "N");
    EXPECT_EQ(specs[0].value, 8);
    EXPECT_EQ(specs[0].maxOccurrences, 3);  // the default budget
    EXPECT_EQ(specs[0].kind, VarKind::Primary);
    EXPECT_EQ(specs[1].name, "C_in");
    EXPECT_EQ(specs[1].value, std::nullopt);
    EXPECT_EQ(specs[1].maxOccurrences, 2);
    EXPECT_EQ(specs[2].name, "H");
    EXPECT_EQ(specs[2].value, 28);
    EXPECT_EQ(specs[2].maxOccurrences, 2);
    // A bare number is an anonymous constant: always a coefficient, named by its value.
    EXPECT_EQ(specs[3].name, "3");
    EXPECT_EQ(specs[3].value, 3);
    EXPECT_EQ(specs[3].kind, VarKind::Coefficient);
}

TEST(ParseSpecs, EmptyTextDeclaresNothing) {
    EXPECT_TRUE(parseSpecs("", VarKind::Coefficient).empty());
    EXPECT_TRUE(parseSpecs("   ", VarKind::Primary).empty());
}

TEST(ParseSize, ProductsQuotientsPowersAndConstants) {
    VariableTable vars = makeVars("N, C_in, C_out, H, W", "k, g, s, 3");
    auto v = [&](const char* n) { return Size::variable(vars.require(n)); };
    EXPECT_EQ(parseSize("C_out/g", vars), v("C_out") / v("g"));
    EXPECT_EQ(parseSize("H^2*W", vars), v("H").pow(2) * v("W"));
    EXPECT_EQ(parseSize("k^-1*C_in", vars), v("C_in") / v("k"));
    EXPECT_EQ(parseSize(" C_in * k / g / s ", vars), v("C_in") * v("k") / v("g") / v("s"));
    EXPECT_EQ(parseSize("1", vars), Size::one());
    EXPECT_EQ(parseSize("1/k", vars), v("k").pow(-1));
    EXPECT_EQ(parseSize("3", vars), v("3"));
    EXPECT_EQ(parseSize("H/3", vars).toString(vars), "H/3");
}

TEST(ParseShape, DimsAndAttributes) {
    VariableTable vars = makeVars("N, C_in, H, W", "s");
    Shape shape = parseShape("[N, C_in: unordered, H, W]", vars);
    ASSERT_EQ(shape.size(), 4u);
    EXPECT_FALSE(shape[0].unordered);
    EXPECT_TRUE(shape[1].unordered);
    EXPECT_EQ(shape[1].size, Size::variable(vars.require("C_in")));
    EXPECT_EQ(shapeToString(shape, vars), "[N, C_in: unordered, H, W]");
    Shape pooled = parseShape("[N,C_in,H/s,W/s]", vars);
    EXPECT_EQ(shapeToString(pooled, vars), "[N, C_in, H/s, W/s]");
    ASSERT_EQ(shapeSizes(pooled).size(), 4u);
    EXPECT_EQ(shapeSizes(pooled)[2], parseSize("H/s", vars));
    EXPECT_EQ(parseShape(shapeToString(shape, vars), vars), shape);
}

TEST(ParseBindings, OneSetPerSemicolon) {
    auto sets = parseBindings("C_in=64, H=56; C_in=128, H=28");
    ASSERT_EQ(sets.size(), 2u);
    ASSERT_EQ(sets[0].size(), 2u);
    EXPECT_EQ(sets[0][0], (std::pair<std::string, int64_t>{"C_in", 64}));
    EXPECT_EQ(sets[0][1], (std::pair<std::string, int64_t>{"H", 56}));
    EXPECT_EQ(sets[1][0], (std::pair<std::string, int64_t>{"C_in", 128}));
    EXPECT_EQ(sets[1][1], (std::pair<std::string, int64_t>{"H", 28}));
    EXPECT_TRUE(parseBindings("").empty());
    // And they drive a context.
    SizeContext ctx = makeContext("C_in, H", "", "C_in=64, H=56; C_in=128, H=28");
    EXPECT_EQ(ctx.bindingCount(), 2);
    EXPECT_EQ(ctx.describeBinding(1), "C_in=128, H=28");
}

// Each malformed text must raise syno::Error on one line naming the text and the column.
struct Malformed {
    const char* what;   // spec, size, shape or bindings
    const char* text;
    const char* mentions;  // a fragment the message must contain
};

void parseAs(const Malformed& m) {
    VariableTable vars = makeVars("N, C_in, C_out, H, W", "k, g, s");
    std::string what = m.what;
    if (what == "spec") parseSpecs(m.text, VarKind::Primary);
    else if (what == "size") parseSize(m.text, vars);
    else if (what == "shape") parseShape(m.text, vars);
    else if (what == "bindings") parseBindings(m.text);
    else FAIL() << "bad test case";
}

TEST(ParseErrors, MalformedTextNamesTheColumn) {
    const Malformed cases[] = {
        {"spec", "N=8 C_in", "expected ','"},                          // missing comma
        {"spec", "C_in=0", "must be positive"},                        // zero value
        {"spec", "H=-3", "must be positive"},                          // negative value
        {"spec", "H=", "an integer"},                                  // missing value
        {"spec", "1", "at least 2"},                                   // 1 is not a constant
        {"spec", "H: 200", "0..100"},                                  // occurrence budget
        {"spec", "H,", "a variable name"},                             // trailing comma
        {"spec", "H=99999999999999999999", "an integer"},              // does not fit 64 bits
        {"shape", "[N, C_out H]", "expected ',' or ']'"},              // missing comma
        {"shape", "[N, X, H]", "unknown variable 'X'"},                // unknown variable
        {"shape", "[N, C_in: sorted]", "unknown attribute 'sorted'"},  // unknown attribute
        {"shape", "[]", "at least one dimension"},                     // empty shape
        {"shape", "[1/H]", "denominator"},                             // primary in a denominator
        {"shape", "[N, C_in/H]", "denominator"},
        {"shape", "[k/s]", "coefficients only"},                       // k/s is not a size
        {"shape", "N, H", "'['"},                                      // no brackets
        {"shape", "[N, H", "',' or ']'"},                              // unterminated
        {"shape", "[N, H] W", "the end"},                              // trailing text
        {"shape", "[N, 6]", "constant 6 is not declared"},
        {"size", "H^21", "out of range"},
        {"size", "H*", "a variable name or a number"},
        {"size", "H W", "'*', '/' or the end"},
        {"size", "H^x", "an integer"},
        {"bindings", "H=-3", "must be positive"},
        {"bindings", "C_in=0", "must be positive"},
        {"bindings", "C_in 64", "'='"},
        {"bindings", "C_in=64;", "a variable name"},
        {"bindings", "C_in=64 H=3", "',', ';' or the end"},
    };
    for (const auto& m : cases) {
        SCOPED_TRACE(std::string(m.what) + " " + m.text);
        std::string msg = errorOf([&] { parseAs(m); });
        expectContainsAll(msg, {"column", m.mentions, std::string("'") + m.text + "'"});
        test::expectOneLine(msg);
    }
}

// The column must point at the offending character (1-based), not at the text before it.
TEST(ParseErrors, ColumnPointsAtTheOffendingToken) {
    VariableTable vars = makeVars("N, C_in, H", "k, s");
    expectContainsAll(errorOf([] { parseSpecs("N=8 C_in", VarKind::Primary); }), {"column 5"});
    expectContainsAll(errorOf([&] { parseShape("[N, C_in H]", vars); }), {"column 10"});
    expectContainsAll(errorOf([&] { parseShape("[]", vars); }), {"column 2"});
    expectContainsAll(errorOf([] { parseSpecs("C_in=0", VarKind::Primary); }), {"column 6"});
    expectContainsAll(errorOf([] { parseBindings("H=-3"); }), {"column 3"});
    expectContainsAll(errorOf([&] { parseShape("[X]", vars); }), {"column 2"});
    // Tokens after ", " start two columns on: 'X' is column 5, 'sorted' column 11, '1/H' column 5.
    expectContainsAll(errorOf([&] { parseShape("[N, X]", vars); }), {"column 5"});
    expectContainsAll(errorOf([&] { parseShape("[N, C_in: sorted]", vars); }), {"column 11"});
    expectContainsAll(errorOf([&] { parseShape("[N, 1/H]", vars); }), {"column 5"});
}

// An empty spec for variables a shape refers to: the shape names the unknown variable and the column.
TEST(ParseErrors, EmptySpecForVariablesUsedByAShape) {
    VariableTable vars = makeVars("", "k=3");
    expectContainsAll(errorOf([&] { parseShape("[N, C_in, H, W]", vars); }), {"column", "unknown variable 'N'"});
}

// Contradictory or incomplete declarations are caught when the specs and bindings are put together.
TEST(ParseErrors, ContradictoryOrIncompleteSpecs) {
    // Declared twice across the primary and the coefficient specs.
    expectContainsAll(errorOf([] { makeVars("N=1, C_in=64, k", "k=3"); }), {"'k'", "declared twice"});
    // A binding sets a variable nobody declared.
    expectContainsAll(errorOf([] { makeContext("C_in=64, H=56", "k=3", "C_in=32; C_out=8"); }),
                      {"binding 2", "unknown variable 'C_out'"});
    // A variable without a default that some binding leaves unset.
    expectContainsAll(errorOf([] { makeContext("C_in, H=56", "k=3", "C_in=32; H=28"); }),
                      {"'C_in'", "no value", "binding 2"});
    // No bindings at all and no default.
    expectContainsAll(errorOf([] { makeContext("C_in, H=56"); }), {"'C_in'", "binding 1"});
}

// A duplicate inside one spec string is a parse error with a column. Binding errors are found after
// parsing (by SizeContext, which knows the variables): they name the variable and the binding instead.
TEST(ParseErrors, SpecAndBindingErrorsNameWhere) {
    std::string dup = errorOf([] { VariableTable(parseSpecs("H=28, N=8, H=14", VarKind::Primary)); });
    expectContainsAll(dup, {"'H'", "column 12"});
    std::string unknown = errorOf([] { makeContext("C_in=64, H=56", "k=3", "C_in=32; C_out=8"); });
    expectContainsAll(unknown, {"'C_out'", "binding 2"});
    std::string missing = errorOf([] { makeContext("C_in, H=56", "k=3", "C_in=32; H=28"); });
    expectContainsAll(missing, {"'C_in'", "binding 2"});
}

}  // namespace
}  // namespace syno
