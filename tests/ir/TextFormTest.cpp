// Text and JSON forms: exact round trips for every library operator, canonical naming, and errors that
// say where the text is wrong.
#include <gtest/gtest.h>

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <fstream>
#include <nlohmann/json.hpp>

#include "TestHelpers.h"
#include "base/Error.h"
#include "ir/Library.h"
#include "ir/TextForm.h"

namespace syno {
namespace {

using test::errorOf;
using test::expectContainsAll;
using test::makeVars;

struct Named {
    std::string name;
    Operator op;
};

std::vector<Named> libraryOperators() {
    VariableTable vars = makeVars("N=2, C_in=8, C_out=12, H=8, W=7: 2", "k=3, g=4, s=2, 5");
    VariableTable lin = makeVars("N, C_in, C_out");
    return {{"conv2d", library::conv2d(vars)},
            {"conv2d k=5", library::conv2d(vars, "5")},
            {"conv1x1", library::conv1x1(vars)},
            {"grouped", library::groupedConv2d(vars)},
            {"depthwise", library::depthwiseConv2d(vars)},
            {"dilated", library::dilatedConv2d(vars)},
            {"avgpool", library::avgPool2d(vars)},
            {"linear", library::linear(lin)},
            {"shiftconv +1", library::shiftConv1x1(vars, 1)},
            {"shiftconv -2", library::shiftConv1x1(vars, -2)},
            {"operator1", library::operator1(vars)},
            {"operator2", library::operator2(vars)}};
}

TEST(TextForm, RoundTripsEveryLibraryOperator) {
    for (const auto& [name, op] : libraryOperators()) {
        SCOPED_TRACE(name);
        std::string text = printOperator(op);
        Operator back = parseOperator(text);
        EXPECT_EQ(back.id(), op.id());
        EXPECT_EQ(printOperator(back), text);
        EXPECT_EQ(back.vars(), op.vars());  // values and occurrence budgets survive too
        EXPECT_EQ(toListing(back), toListing(op));
    }
}

TEST(JsonForm, RoundTripsEveryLibraryOperator) {
    for (const auto& [name, op] : libraryOperators()) {
        SCOPED_TRACE(name);
        std::string json = operatorToJson(op);
        Operator back = operatorFromJson(json);
        EXPECT_EQ(back.id(), op.id());
        EXPECT_EQ(operatorToJson(back), json);
        EXPECT_EQ(back.vars(), op.vars());
        EXPECT_EQ(printOperator(back), printOperator(op));  // the two forms say the same thing
        auto j = nlohmann::json::parse(json);
        EXPECT_EQ(j["format"], "syno-operator");
        EXPECT_EQ(j["version"], 1);
        EXPECT_EQ(j["id"], op.idHex());
        EXPECT_EQ(operatorFromJson(operatorToJson(op, -1)).id(), op.id());  // compact form too
    }
}

// Numbers a JSON form may hold that no integer field can (fractions, 1e22, negative or huge counts) are
// refused with a syno::Error, not converted (the fuzzer found 3e22 reaching an int64 conversion).
TEST(JsonForm, NumbersOutsideTheirFieldAreRefused) {
    const auto base = nlohmann::json::parse(operatorToJson(libraryOperators()[0].op));
    auto refused = [&](const std::function<void(nlohmann::json&)>& change, const std::string& mentions) {
        nlohmann::json j = base;
        change(j);
        try {
            operatorFromJson(j.dump());
            ADD_FAILURE() << "accepted: " << mentions;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(mentions), std::string::npos) << e.what();
        }
    };
    refused([](auto& j) { j["variables"][0]["value"] = 3e22; }, "\"value\" must be a whole number");
    refused([](auto& j) { j["variables"][0]["value"] = 2.5; }, "\"value\" must be a whole number");
    refused([](auto& j) { j["variables"][0]["value"] = -4; }, "\"value\" must be a whole number");
    refused([](auto& j) { j["variables"][0]["value"] = 18446744073709551615ULL; }, "\"value\" must be a whole number");
    refused([](auto& j) { j["variables"][0]["max_occurrences"] = 1e300; }, "\"max_occurrences\"");
    refused([](auto& j) { j["version"] = 1.5; }, "\"version\"");
    refused([](auto& j) { j["version"] = "1"; }, "\"version\"");
}

// The canonical text of conv2d is the one documented in TextForm.h.
TEST(TextForm, Conv2dPrintsAsDocumented) {
    Operator conv = library::conv2d(makeVars("N, C_in, C_out, H, W", "k=3"));
    EXPECT_EQ(printOperator(conv),
              "syno-operator 1\n"
              "primary C_in, C_out, H, N, W\n"
              "coefficients k=3\n"
              "output [N, C_out, H, W]\n"
              "r0 = sum(C_in)\n"
              "r1 = sum(k)\n"
              "r2 = sum(k)\n"
              "d0 = unfold(i2, r1)\n"
              "d1 = unfold(i3, r2)\n"
              "input [i0, r0, d0, d1]\n"
              "weight [i1, r0, r1, r2]\n"
              "expand [i1]\n");
}

// Names are labels and statements may come in any order that defines before use: the same operator.
TEST(TextForm, HandWrittenTextParsesToTheCanonicalOperator) {
    Operator conv = library::conv2d(makeVars("N, C_in, C_out, H, W", "k=3"));
    const std::string hand = R"(
# conv2d written by hand
   syno-operator 1
coefficients k=3
primary W, H, N, C_out, C_in

output [N, C_out, H, W]
cin = sum(C_in)
kh = sum(k)
rows = unfold(i2, kh)     # window over H
kw=sum(k)
cols = unfold( i3 , kw )
weight [i1, cin, kh, kw]
input [ i0, cin, rows, cols ]
expand [i1]
)";
    Operator parsed = parseOperator(hand);
    EXPECT_EQ(parsed.id(), conv.id());
    EXPECT_EQ(printOperator(parsed), printOperator(conv));
}

TEST(TextForm, GroupedConvHandWritten) {
    Operator grouped = library::groupedConv2d(makeVars("N, C_in, C_out, H, W", "k=3, g=4"));
    const std::string hand = "syno-operator 1\n"
                             "primary N, C_in, C_out, H, W\n"
                             "coefficients g=4, k=3\n"
                             "output [N, C_out, H, W]\n"
                             "c = sum(C_in/g)\n"
                             "a = sum(k)\n"
                             "b = sum(k)\n"
                             "group, within = merge(i1, C_out/g)\n"
                             "y = unfold(i2, a)\n"
                             "x = unfold(i3, b)\n"
                             "channel = split(group, c)\n"
                             "input [i0, channel, y, x]\n"
                             "weight [channel, within, a, b]\n"
                             "expand [within]\n";
    EXPECT_EQ(parseOperator(hand).id(), grouped.id());
}

TEST(TextForm, VariablesMayComeFromAFallback) {
    VariableTable vars = makeVars("N, C_in, C_out", "");
    const std::string text = "syno-operator 1\noutput [N, C_out]\nr0 = sum(C_in)\ninput [i0, r0]\nweight [i1, r0]\n"
                             "expand [i1]\n";
    EXPECT_EQ(parseOperator(text, &vars).id(), library::linear(vars).id());
    expectContainsAll(errorOf([&] { parseOperator(text); }), {"no variables declared"});
}

TEST(TextForm, ParsesIntoASharedStore) {
    VariableTable vars = makeVars("N, C_in, C_out, H, W", "k=3");
    auto store = std::make_shared<DimStore>(vars);
    std::string text = printOperator(library::conv2d(vars));
    Operator a = parseOperator(text, nullptr, store);
    size_t nodes = store->nodeCount();
    Operator b = parseOperator(text, nullptr, store);
    EXPECT_EQ(store->nodeCount(), nodes);  // hash-consed: nothing new
    EXPECT_EQ(a.input(), b.input());
    auto otherStore = std::make_shared<DimStore>(makeVars("N, C_in, C_out, H, W", "k=3, s=2"));
    expectContainsAll(errorOf([&] { parseOperator(text, nullptr, otherStore); }), {"other variables"});
}

// Syntax errors say which line of the text is wrong.
TEST(TextFormErrors, SyntaxErrorsNameTheLine) {
    const std::string good = printOperator(library::conv1x1(makeVars("N, C_in, C_out, H, W")));
    struct Case {
        std::string text;
        std::string mentions;
    };
    const Case cases[] = {
        {"syno-operator 1\nprimary N H\noutput [N, H]\ninput [i0, i1]\n", "line 2"},
        {"syno-operator 1\nprimary N, H\noutput [N, H]\nd0 = shift i1, 1\ninput [i0, d0]\n", "line 4"},
        {"syno-operator 1\nprimary N, H\n\n# comment\noutput [N, H]\ninput i0, i1\n", "line 6"},
        {"syno-operator 1\nprimary N, H\noutput [N, H]\ninput [i0, i1]\ninput [i0, i1]\n", "line 5"},
        {"syno-operator 1\nprimary N, H\noutput [N, H]\noutput [N, H]\n", "line 4"},
        {"syno-operator 1\nprimary N, H\noutput [N, H]\nprimary C\ninput [i0, i1]\n", "line 4"},
        {"syno-operator 1\nprimary N, H\noutput [N, H]\ninput [i0, , i1]\n", "line 4"},
        {"syno-operator 1\nprimary N, H\noutput [N, H]\nd 0 = shift(i1, 1)\ninput [i0, d0]\n", "line 4"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        std::string msg = errorOf([&] { parseOperator(c.text); });
        expectContainsAll(msg, {"operator text", c.mentions});
        test::expectOneLine(msg);
    }
    EXPECT_NO_THROW(parseOperator(good));
}

// Errors found in a statement's meaning (unknown primitive, unknown dimension, bad size) are parse
// errors of a line too, and must name it.
TEST(TextFormErrors, StatementErrorsNameTheLine) {
    const std::string head = "syno-operator 1\nprimary N, H\ncoefficients s=2\noutput [N, H]\n";
    const std::pair<std::string, std::string> cases[] = {
        {head + "d0 = twist(i1)\ninput [i0, d0]\n", "unknown primitive 'twist'"},
        {head + "d0 = shift(i7, 1)\ninput [i0, d0]\n", "unknown dimension 'i7'"},
        {head + "r0 = sum(X)\ninput [i0, i1, r0]\n", "unknown variable 'X'"},
        {head + "d0 = shift(i1)\ninput [i0, d0]\n", "argument"},
        {head + "d0 = shift(i1, one)\ninput [i0, d0]\n", "not an integer"},
    };
    for (const auto& [text, mentions] : cases) {
        SCOPED_TRACE(text);
        std::string msg = errorOf([&] { parseOperator(text); });
        expectContainsAll(msg, {mentions, "line 5"});
    }
    std::string msg = errorOf([&] { parseOperator("syno-operator 1\nprimary N, H\noutput [N, X]\ninput [i0]\n"); });
    expectContainsAll(msg, {"unknown variable 'X'", "line 3"});
}

// Structural errors are still caught when the operator comes from text.
TEST(TextFormErrors, StructuralErrorsFromText) {
    const std::string head = "syno-operator 1\nprimary N, H, C\noutput [N, H]\n";
    expectContainsAll(errorOf([&] { parseOperator(head + "input [i0]\n"); }), {"output i1"});
    expectContainsAll(errorOf([&] { parseOperator(head + "r0 = sum(C)\ninput [i0, i1]\n"); }), {"r0"});
    expectContainsAll(errorOf([&] { parseOperator(head + "input [i0, i1, i1]\n"); }), {"used twice"});
    expectContainsAll(errorOf([&] { parseOperator(head + "input [i0, i1]\nweight [i1, i1]\n"); }), {"twice"});
    expectContainsAll(errorOf([&] { parseOperator(head + "r0 = sum(C)\nr0 = sum(C)\ninput [i0, i1, r0]\n"); }),
                      {"defined twice"});
    expectContainsAll(errorOf([&] { parseOperator(head + "input [i0, i1]\nweight [i1, q]\n"); }), {"unknown dimension 'q'"});
    expectContainsAll(errorOf([&] { parseOperator(head); }), {"no 'input' line"});
    expectContainsAll(errorOf([&] { parseOperator("syno-operator 1\nprimary N\ninput [i0]\n"); }), {"no 'output' line"});
}

TEST(TextFormErrors, TextWithoutTheHeaderIsNotAnOperator) {
    std::string body = printOperator(library::conv1x1(makeVars("N, C_in, C_out, H, W")));
    std::string noHeader = body.substr(body.find('\n') + 1);
    expectContainsAll(errorOf([&] { parseOperator(noHeader); }), {"not a syno operator", "line 1"});
    expectContainsAll(errorOf([&] { parseOperator("hello world\n"); }), {"not a syno operator"});
    expectContainsAll(errorOf([&] { parseOperator("syno-operator 2\n" + noHeader); }), {"version '2'", "not supported"});
    expectContainsAll(errorOf([&] { parseOperator(""); }), {"empty"});
    expectContainsAll(errorOf([&] { parseOperator("# nothing but a comment\n\n"); }), {"empty"});
}

TEST(JsonFormErrors, IdMustMatchTheContents) {
    VariableTable vars = makeVars("N, C_in, C_out, H, W");
    Operator op = library::shiftConv1x1(vars, 1);
    auto j = nlohmann::json::parse(operatorToJson(op));
    auto wrongId = j;
    wrongId["id"] = "0123456789abcdef";
    expectContainsAll(errorOf([&] { operatorFromJson(wrongId.dump()); }), {"0123456789abcdef", op.idHex()});
    // Change the contents (shift +1 -> -1) but keep the id: rejected too.
    auto edited = j;
    bool changed = false;
    for (auto& st : edited["statements"])
        if (st["op"] == "shift") {
            st["args"][1] = "-1";
            changed = true;
        }
    ASSERT_TRUE(changed);
    std::string msg = errorOf([&] { operatorFromJson(edited.dump()); });
    expectContainsAll(msg, {"id", op.idHex()});
    // Without an id the contents are trusted.
    auto noId = edited;
    noId.erase("id");
    EXPECT_EQ(operatorFromJson(noId.dump()).id(), library::shiftConv1x1(vars, -1).id());
}

TEST(JsonFormErrors, MalformedJsonIsASynoError) {
    std::string json = operatorToJson(library::conv1x1(makeVars("N, C_in, C_out, H, W")));
    auto j = nlohmann::json::parse(json);
    std::vector<std::pair<std::string, std::string>> cases = {
        {json.substr(0, json.size() / 2), "operator JSON"},        // truncated
        {"[1, 2, 3]", "not a syno operator"},
        {R"({"format": "something-else", "version": 1})", "not a syno operator"},
        {R"({"format": 7})", "operator JSON"},
    };
    auto wrongVersion = j;
    wrongVersion["version"] = 9;
    cases.push_back({wrongVersion.dump(), "version 9"});
    auto missing = j;
    missing.erase("statements");
    cases.push_back({missing.dump(), "operator JSON"});
    auto badKind = j;
    badKind["variables"][0]["kind"] = "huge";
    cases.push_back({badKind.dump(), "kind 'huge'"});
    auto idNumber = j;
    idNumber["id"] = 42;
    cases.push_back({idNumber.dump(), "operator JSON"});
    auto zero = j;
    zero["variables"][0]["value"] = 0;
    cases.push_back({zero.dump(), "positive"});
    for (const auto& [text, mentions] : cases) {
        SCOPED_TRACE(text.substr(0, 80));
        std::string msg = errorOf([&] { operatorFromJson(text); });
        expectContainsAll(msg, {mentions});
        test::expectOneLine(msg);
    }
}

class OperatorFiles : public ::testing::Test {
protected:
    std::filesystem::path dir;
    void SetUp() override {
        std::string tmpl = (std::filesystem::temp_directory_path() / "syno_textform_XXXXXX").string();
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
        dir = tmpl;
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    std::string write(const std::string& name, const std::string& content) {
        auto p = dir / name;
        std::ofstream(p, std::ios::binary) << content;
        return p.string();
    }
};

TEST_F(OperatorFiles, LoadsTextAndJson) {
    Operator op = library::groupedConv2d(makeVars("N, C_in, C_out, H, W", "k=3, g=4"));
    EXPECT_EQ(loadOperatorFile(write("g.syno", printOperator(op))).id(), op.id());
    EXPECT_EQ(loadOperatorFile(write("g.json", "\n  " + operatorToJson(op))).id(), op.id());
}

TEST_F(OperatorFiles, MissingFileIsNamed) {
    std::string path = (dir / "no-such-operator.syno").string();
    std::string msg = errorOf([&] { loadOperatorFile(path); });
    expectContainsAll(msg, {path});
}

TEST_F(OperatorFiles, FileThatIsNotAnOperatorIsNamed) {
    std::string path = write("notes.txt", "shopping list\neggs\n");
    expectContainsAll(errorOf([&] { loadOperatorFile(path); }), {path, "not a syno operator"});
    std::string corrupt = write("bad.json", "{\"format\": \"syno-operator\", \"version\": 1, \"variables\": [");
    std::string msg = errorOf([&] { loadOperatorFile(corrupt); });
    expectContainsAll(msg, {corrupt, "JSON"});
    test::expectOneLine(msg);
    std::string empty = write("empty.syno", "");
    expectContainsAll(errorOf([&] { loadOperatorFile(empty); }), {empty});
}

}  // namespace
}  // namespace syno
