// Operators and the builder: the library layers build with the right shapes, structural mistakes are
// rejected with syno::Error, and checkSizes checks every binding.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "TestHelpers.h"
#include "ir/Builder.h"
#include "ir/Library.h"
#include "ir/TextForm.h"

namespace syno {
namespace {

using test::errorOf;
using test::expectContainsAll;
using test::makeContext;
using test::makeVars;

const char* kPrimary = "N=2, C_in=8, C_out=12, H=8, W=6";
const char* kCoef = "k=3, g=4, s=2";

std::vector<std::string> texts(const std::vector<Size>& shape, const VariableTable& vars) {
    std::vector<std::string> out;
    for (const Size& s : shape) out.push_back(s.toString(vars));
    return out;
}

using Strings = std::vector<std::string>;

class LibraryTest : public ::testing::Test {
protected:
    SizeContext ctx = makeContext(kPrimary, kCoef);
    const VariableTable& vars() const { return ctx.vars(); }
};

TEST_F(LibraryTest, Conv2dShapes) {
    Operator op = library::conv2d(vars());
    EXPECT_EQ(texts(op.inputShape(), vars()), (Strings{"N", "C_in", "H", "W"}));
    EXPECT_EQ(texts(op.outputShape(), vars()), (Strings{"N", "C_out", "H", "W"}));
    ASSERT_EQ(op.weights().size(), 1u);
    EXPECT_EQ(texts(op.weightShape(0), vars()), (Strings{"C_out", "C_in", "k", "k"}));
    EXPECT_EQ(op.reductions().size(), 3u);
    EXPECT_EQ(op.tensorCount(), 2);
    EXPECT_EQ(op.tensorDims(1), op.weights()[0]);
    EXPECT_EQ(op.tensorDims(0), op.input());
    ASSERT_EQ(op.expansions().size(), 1u);
    EXPECT_EQ(op.expansions()[0], op.outputs()[1]);
    EXPECT_NO_THROW(checkSizes(op, ctx));
}

TEST_F(LibraryTest, EveryLayerBuildsWithItsShapes) {
    struct Expect {
        Operator op;
        Strings input, output;
        std::vector<Strings> weights;
    };
    const std::vector<Expect> layers = {
        {library::conv1x1(vars()), {"N", "C_in", "H", "W"}, {"N", "C_out", "H", "W"}, {{"C_out", "C_in"}}},
        {library::groupedConv2d(vars()), {"N", "C_in", "H", "W"}, {"N", "C_out", "H", "W"}, {{"C_in", "C_out/g", "k", "k"}}},
        {library::depthwiseConv2d(vars()), {"N", "C_in", "H", "W"}, {"N", "C_in", "H", "W"}, {{"C_in", "k", "k"}}},
        {library::dilatedConv2d(vars()), {"N", "C_in", "H", "W"}, {"N", "C_out", "H", "W"}, {{"C_out", "C_in", "k", "k"}}},
        {library::avgPool2d(vars()), {"N", "C_in", "H", "W"}, {"N", "C_in", "H/s", "W/s"}, {}},
        {library::linear(makeVars("N, C_in, C_out")), {"N", "C_in"}, {"N", "C_out"}, {{"C_out", "C_in"}}},
        {library::shiftConv1x1(vars()), {"N", "C_in", "H", "W"}, {"N", "C_out", "H", "W"}, {{"C_out", "C_in"}}},
    };
    for (const auto& l : layers) {
        SCOPED_TRACE(l.op.idHex());
        EXPECT_EQ(texts(l.op.inputShape(), l.op.vars()), l.input);
        EXPECT_EQ(texts(l.op.outputShape(), l.op.vars()), l.output);
        ASSERT_EQ(l.op.weights().size(), l.weights.size());
        for (size_t w = 0; w < l.weights.size(); ++w)
            EXPECT_EQ(texts(l.op.weightShape(static_cast<int>(w)), l.op.vars()), l.weights[w]);
        if (l.op.vars() == vars()) {
            EXPECT_NO_THROW(checkSizes(l.op, ctx));
        }
    }
    // avg-pool averages: its reductions are means.
    Operator pool = library::avgPool2d(vars()), conv = library::conv2d(vars());
    for (Dim r : pool.reductions()) EXPECT_EQ(r->reduce, ReduceKind::Mean);
    for (Dim r : conv.reductions()) EXPECT_EQ(r->reduce, ReduceKind::Sum);
}

TEST_F(LibraryTest, IdsAreDistinctAndReproducible) {
    std::vector<Operator> ops = {library::conv2d(vars()),        library::conv1x1(vars()),
                                 library::groupedConv2d(vars()), library::depthwiseConv2d(vars()),
                                 library::dilatedConv2d(vars()), library::avgPool2d(vars()),
                                 library::shiftConv1x1(vars(), 1), library::shiftConv1x1(vars(), -1),
                                 library::conv2d(vars(), "g")};
    std::set<uint64_t> ids;
    for (const auto& op : ops) ids.insert(op.id());
    EXPECT_EQ(ids.size(), ops.size());
    // Same operator, new store, other declaration order (and values): same id.
    VariableTable other = makeVars("W, H, C_out, C_in, N", "s, g, k=5");
    EXPECT_EQ(library::conv2d(other).id(), library::conv2d(vars()).id());
    EXPECT_EQ(library::groupedConv2d(other).id(), library::groupedConv2d(vars()).id());
    EXPECT_EQ(library::conv2d(vars()).idHex().size(), 16u);
    EXPECT_EQ(library::conv2d(vars()).idHex(), library::conv2d(vars()).idHex());
}

TEST_F(LibraryTest, NodesBottomUpListChildrenFirst) {
    Operator op = library::groupedConv2d(vars());
    auto nodes = op.nodesBottomUp();
    std::set<Dim> seen;
    for (Dim d : nodes) {
        if (d->lhs) {
            EXPECT_TRUE(seen.count(d->lhs)) << dimKindName(d->kind);
        }
        if (d->rhs) {
            EXPECT_TRUE(seen.count(d->rhs)) << dimKindName(d->kind);
        }
        EXPECT_TRUE(seen.insert(d).second) << "listed twice";
    }
    for (Dim d : op.input()) EXPECT_TRUE(seen.count(d));
    // sizesToCheck holds the group sizes that must divide.
    auto sizes = op.sizesToCheck();
    for (const char* s : {"C_in/g", "C_out/g", "g", "k", "C_in", "C_out"})
        EXPECT_NE(std::find(sizes.begin(), sizes.end(), parseSize(s, vars())), sizes.end()) << s;
    EXPECT_TRUE(std::is_sorted(sizes.begin(), sizes.end()));
    EXPECT_EQ(std::adjacent_find(sizes.begin(), sizes.end()), sizes.end());
}

TEST_F(LibraryTest, WindowSpanOfADilatedWindow) {
    Operator op = library::dilatedConv2d(vars());
    int unfolds = 0;
    for (Dim d : op.nodesBottomUp()) {
        if (d->kind != DimKind::Unfold) continue;
        ++unfolds;
        EXPECT_EQ(windowSpan(d->rhs, ctx, 0), 5);  // (k-1)*s+1 with k=3, s=2
    }
    EXPECT_EQ(unfolds, 2);
    Operator conv = library::conv2d(vars());
    for (Dim d : conv.nodesBottomUp()) {
        if (d->kind == DimKind::Unfold) {
            EXPECT_EQ(windowSpan(d->rhs, ctx, 0), 3);
        }
    }
}

// Structural mistakes: each must be rejected by build() with a message that says what is wrong.
class StructureTest : public ::testing::Test {
protected:
    VariableTable vars = makeVars(kPrimary, kCoef);
};

TEST_F(StructureTest, ReductionThatDoesNotReachTheInput) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    b.sum("C_in");
    b.input({o[0], o[2], o[3]});
    b.expand(o[1]);
    expectContainsAll(errorOf([&] { b.build(); }), {"reduction r0", "does not reach the input"});
}

TEST_F(StructureTest, ReductionOnlyInAWeight) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in");
    b.input({o[0], o[2], o[3]});
    b.weight({o[1], c});
    b.expand(o[1]);
    expectContainsAll(errorOf([&] { b.build(); }), {"r0"});
}

TEST_F(StructureTest, OutputIteratorNeverUsed) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in");
    b.input({o[0], c, o[2], o[3]});
    b.weight({c});
    expectContainsAll(errorOf([&] { b.build(); }), {"output i1"});
}

TEST_F(StructureTest, DimUsedTwiceByTheDataPath) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, H, W]");
    b.input({o[0], o[1], o[1], o[2]});
    expectContainsAll(errorOf([&] { b.build(); }), {"used twice"});
    // Also through a primitive: H read directly and through a shift.
    OperatorBuilder b2(vars);
    auto o2 = b2.output("[N, H]");
    b2.input({o2[0], o2[1], b2.shift(o2[1], 1)});
    expectContainsAll(errorOf([&] { b2.build(); }), {"used twice"});
    // And expanded while also read.
    OperatorBuilder b3(vars);
    auto o3 = b3.output("[N, H]");
    b3.input({o3[0], o3[1]});
    b3.expand(o3[1]);
    expectContainsAll(errorOf([&] { b3.build(); }), {"used twice"});
}

TEST_F(StructureTest, MergeWithOnlyOneHalfUsed) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    auto [outer, inner] = b.merge(o[1], "g");
    (void)inner;
    b.input({o[0], outer, o[2], o[3]});
    expectContainsAll(errorOf([&] { b.build(); }), {"only one of its two halves"});
}

// Halves of two different merges of one dim do not make a merge: C_out/g (outer of block g) and s
// (inner of block s) together are not a bijection onto C_out.
TEST_F(StructureTest, HalvesOfTwoDifferentMergesAreNotAMerge) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    auto [outerG, innerG] = b.merge(o[1], "g");
    auto [outerS, innerS] = b.merge(o[1], "s");
    (void)innerG;
    (void)outerS;
    ASSERT_NE(outerG->factor, innerS->factor);
    b.input({o[0], outerG, innerS, o[2], o[3]});
    try {
        Operator op = b.build();
        // Accepted: show what goes wrong next. The text form writes one merge for the pair, so the
        // operator does not even survive a print/parse round trip.
        std::string consequence;
        try {
            Operator back = parseOperator(printOperator(op));
            consequence = back.id() == op.id() ? "it round-trips" : "print/parse gives another operator";
        } catch (const Error& e) {
            consequence = std::string("its printed text does not parse: ") + e.what();
        }
        ADD_FAILURE() << "Operator::make accepted outer(C_out, g) with inner(C_out, s) as one merge; "
                      << consequence << ":\n"
                      << printOperator(op);
    } catch (const Error& e) {
        expectContainsAll(e.what(), {"merge"});
    }
}

TEST_F(StructureTest, WeightDimNotSharedWithTheDataPath) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in");
    Dim shifted = b.shift(o[2], 1);  // made but never read by the input
    b.input({o[0], c, o[2], o[3]});
    b.weight({o[1], c, shifted});
    b.expand(o[1]);
    expectContainsAll(errorOf([&] { b.build(); }), {"weight 1", "not shared with the data path"});
}

TEST_F(StructureTest, WeightListingADimTwice) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H, W]");
    Dim c = b.sum("C_in");
    b.input({o[0], c, o[2], o[3]});
    b.weight({o[1], c, c});
    b.expand(o[1]);
    expectContainsAll(errorOf([&] { b.build(); }), {"weight 1", "twice"});
}

TEST_F(StructureTest, OnlyLeavesAndMergeHalvesCanBeExpanded) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_out, H]");
    b.input({o[0], o[2]});
    b.expand(b.shift(o[1], 1));
    expectContainsAll(errorOf([&] { b.build(); }), {"expanded", "shift"});
}

TEST_F(StructureTest, BuilderRejectsMeaninglessSteps) {
    OperatorBuilder b(vars);
    auto o = b.output("[N, C_in, H, W]");
    EXPECT_THROW(b.output("[N]"), Error);              // output twice
    EXPECT_THROW(b.shift(o[2], 0), Error);             // identity shift
    EXPECT_THROW(b.stride(o[2], "H"), Error);          // stride by a primary
    EXPECT_THROW(b.stride(o[2], "k/s"), Error);        // stride by an illegal coefficient
    EXPECT_THROW(b.split(o[2], o[2]), Error);
    EXPECT_THROW(b.unfold(o[2], o[2]), Error);
    EXPECT_THROW(b.merge(o[2], "H*W"), Error);         // outer part 1/W is not a size
    EXPECT_THROW(b.merge(o[2], "k/s"), Error);         // block is not a size
    EXPECT_THROW(b.sum("k/s"), Error);
    EXPECT_THROW(b.sum("X"), Error);
    EXPECT_THROW(b.split(nullptr, o[2]), Error);
    b.input({o[0], o[1], o[2], o[3]});
    EXPECT_THROW(b.input({o[0]}), Error);              // input twice
    EXPECT_NO_THROW(b.build());
    OperatorBuilder noOutput(vars);
    EXPECT_THROW(noOutput.build(), Error);
    OperatorBuilder noInput(vars);
    noInput.output("[N]");
    EXPECT_THROW(noInput.build(), Error);
    EXPECT_THROW(OperatorBuilder(std::shared_ptr<DimStore>()), Error);
    EXPECT_THROW(Operator::make(nullptr, {}), Error);
}

TEST_F(StructureTest, MakeChecksOutputsAndReductionsAreNumbered) {
    auto store = std::make_shared<DimStore>(vars);
    Size n = parseSize("N", vars), h = parseSize("H", vars);
    Dim i0 = store->iterator(0, n), i1wrong = store->iterator(2, h);
    OperatorParts parts;
    parts.outputs = {i0, i1wrong};
    parts.input = {i0, i1wrong};
    expectContainsAll(errorOf([&] { Operator::make(store, parts); }), {"output 1"});
    OperatorParts ok;
    ok.outputs = {i0, store->iterator(1, h)};
    ok.input = ok.outputs;
    ok.reductions = {store->reduce(1, n, ReduceKind::Sum)};
    expectContainsAll(errorOf([&] { Operator::make(store, ok); }), {"reduction 0"});
    ok.reductions.clear();
    EXPECT_NO_THROW(Operator::make(store, ok));
}

// Every iterator and reduction the data path reaches must be one the operator lists: a reduction that
// is not in `reductions` would never be looped over (its index stuck at 0), and the text form cannot
// name it.
TEST_F(StructureTest, LeavesReachedMustBeListed) {
    auto store = std::make_shared<DimStore>(vars);
    Dim i0 = store->iterator(0, parseSize("N", vars));
    Dim i1 = store->iterator(1, parseSize("H", vars));
    Dim stray = store->reduce(0, parseSize("C_in", vars), ReduceKind::Sum);
    OperatorParts parts;
    parts.outputs = {i0, i1};
    parts.input = {i0, stray, i1};  // r0 is read but not listed as a reduction
    std::string problem;
    try {
        Operator op = Operator::make(store, parts);
        problem = "accepted";
        try {
            printOperator(op);
        } catch (const Error& e) {
            problem += std::string(", and printOperator then throws: ") + e.what();
        }
    } catch (const Error&) {
    }
    EXPECT_TRUE(problem.empty()) << "Operator::make with an unlisted reduction in the input: " << problem;

    OperatorParts iter;
    Dim i5 = store->iterator(5, parseSize("W", vars));
    iter.outputs = {i0, i1};
    iter.input = {i0, i1, i5};  // an iterator that is not one of the outputs
    EXPECT_THROW(Operator::make(store, iter), Error) << "unlisted iterator i5 accepted";
}

// Dims of a size that is not a valid dimension (a primary in a denominator) are rejected by make.
TEST_F(StructureTest, InvalidSizesAreRejected) {
    auto store = std::make_shared<DimStore>(vars);
    Dim i0 = store->iterator(0, parseSize("H/s", vars));
    Dim r0 = store->reduce(0, parseSize("s", vars), ReduceKind::Sum);
    OperatorParts parts;
    parts.outputs = {i0};
    parts.reductions = {r0};
    parts.input = {store->split(i0, r0)};
    EXPECT_NO_THROW(Operator::make(store, parts));
    OperatorParts bad;
    Dim j0 = store->iterator(0, parseSize("s/k", vars));
    bad.outputs = {j0};
    bad.input = {j0};
    expectContainsAll(errorOf([&] { Operator::make(store, bad); }), {"invalid size", "s/k"});
}

// checkSizes runs every size through every binding.
TEST(CheckSizes, EvenUnfoldWindowIsRejected) {
    SizeContext ctx = makeContext(kPrimary, "k=2");
    Operator op = library::conv2d(ctx.vars());
    std::string msg = errorOf([&] { checkSizes(op, ctx); });
    expectContainsAll(msg, {"unfold window k", "odd", "binding 1", "spans 2"});
    test::expectOneLine(msg);
}

TEST(CheckSizes, GroupsThatDoNotDivideNameTheBinding) {
    SizeContext ctx = makeContext(kPrimary, kCoef, "C_in=8; C_in=6");
    Operator op = library::groupedConv2d(ctx.vars());
    std::string msg = errorOf([&] { checkSizes(op, ctx); });
    expectContainsAll(msg, {"C_in/g", "3/2", "binding 2", "C_in=6"});
    test::expectOneLine(msg);
    SizeContext fine = makeContext(kPrimary, kCoef, "C_in=8; C_in=16, C_out=4");
    EXPECT_NO_THROW(checkSizes(op, fine));
}

TEST(CheckSizes, PoolThatDoesNotDivide) {
    SizeContext ctx = makeContext("N=1, C_in=2, H=28, W=28", "s=3");
    expectContainsAll(errorOf([&] { checkSizes(library::avgPool2d(ctx.vars()), ctx); }), {"/s = 28/3", "binding 1"});
}

TEST(CheckSizes, WindowWiderThanTwiceTheDimension) {
    SizeContext ctx = makeContext("N=1, C_in=2, C_out=2, H=3, W=5", "k=9");
    expectContainsAll(errorOf([&] { checkSizes(library::conv2d(ctx.vars()), ctx); }), {"wider", "binding 1"});
    SizeContext ok = makeContext("N=1, C_in=2, C_out=2, H=4, W=5", "k=9");
    EXPECT_NO_THROW(checkSizes(library::conv2d(ok.vars()), ok));
}

TEST(CheckSizes, OtherDeclarationsAreRejected) {
    SizeContext ctx = makeContext(kPrimary, kCoef);
    SizeContext other = makeContext(kPrimary, "k=3, g=4, s=2, t=5");
    expectContainsAll(errorOf([&] { checkSizes(library::conv2d(ctx.vars()), other); }), {"different variable"});
}

}  // namespace
}  // namespace syno
