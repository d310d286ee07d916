// DimStore: hash-consing of dimension nodes, their derived sizes and heights, and portable hashes.
#include <gtest/gtest.h>

#include "TestHelpers.h"
#include "ir/DimStore.h"

namespace syno {
namespace {

using test::makeVars;

class DimStoreTest : public ::testing::Test {
protected:
    DimStore store{makeVars("N, C, H, W", "k, s, g")};
    Size v(const std::string& text) const { return parseSize(text, store.vars()); }
};

TEST_F(DimStoreTest, SamePrimitiveOnSameDimsIsTheSameNode) {
    Dim h = store.iterator(2, v("H"));
    Dim r = store.reduce(0, v("k"), ReduceKind::Sum);
    size_t before = store.nodeCount();
    EXPECT_EQ(store.iterator(2, v("H")), h);
    EXPECT_EQ(store.reduce(0, v("k"), ReduceKind::Sum), r);
    Dim u = store.unfold(h, r);
    EXPECT_EQ(store.unfold(h, r), u);
    EXPECT_EQ(store.shift(h, 1), store.shift(h, 1));
    EXPECT_EQ(store.split(h, r), store.split(h, r));
    EXPECT_EQ(store.mergeOuter(h, v("s")), store.mergeOuter(h, v("s")));
    EXPECT_EQ(store.mergeInner(h, v("s")), store.mergeInner(h, v("s")));
    EXPECT_EQ(store.stride(r, v("s")), store.stride(r, v("s")));
    // unfold, shift, split, mergeOuter, mergeInner, stride: six new nodes, however often asked for.
    EXPECT_EQ(store.nodeCount(), before + 6);
}

TEST_F(DimStoreTest, DifferentParametersAreDifferentNodes) {
    Dim h = store.iterator(2, v("H"));
    Dim w = store.iterator(3, v("W"));
    Dim r = store.reduce(0, v("k"), ReduceKind::Sum);
    EXPECT_NE(store.iterator(3, v("H")), h);  // index
    EXPECT_NE(store.iterator(2, v("W")), h);  // size
    EXPECT_NE(store.reduce(0, v("k"), ReduceKind::Mean), r);
    EXPECT_NE(store.reduce(1, v("k"), ReduceKind::Sum), r);
    EXPECT_NE(store.shift(h, 1), store.shift(h, 2));
    EXPECT_NE(store.shift(h, 1), store.shift(h, -1));
    EXPECT_NE(store.shift(h, 1), store.shift(w, 1));
    EXPECT_NE(store.split(h, w), store.split(w, h));
    EXPECT_NE(store.mergeOuter(h, v("s")), store.mergeInner(h, v("s")));
    EXPECT_NE(store.mergeOuter(h, v("s")), store.mergeOuter(h, v("g")));
    EXPECT_NE(store.stride(r, v("s")), store.stride(r, v("g")));
    EXPECT_NE(store.unfold(h, r), store.unfold(w, r));
    EXPECT_NE(store.shift(h, 1)->hash, store.shift(h, 2)->hash);
    EXPECT_NE(h->hash, store.iterator(3, v("H"))->hash);
}

TEST_F(DimStoreTest, DerivedSizes) {
    Dim h = store.iterator(2, v("H"));
    Dim r = store.reduce(0, v("k"), ReduceKind::Sum);
    EXPECT_EQ(store.split(h, r)->size, v("H*k"));
    EXPECT_EQ(store.mergeOuter(h, v("s"))->size, v("H/s"));
    EXPECT_EQ(store.mergeInner(h, v("s"))->size, v("s"));
    EXPECT_EQ(store.shift(h, 1)->size, v("H"));
    EXPECT_EQ(store.stride(r, v("s"))->size, v("k*s"));
    EXPECT_EQ(store.unfold(h, r)->size, v("H"));
    EXPECT_EQ(store.mergeOuter(h, v("s"))->factor, v("s"));
    EXPECT_EQ(store.shift(h, -2)->shift, -2);
    EXPECT_EQ(store.unfold(h, r)->lhs, h);
    EXPECT_EQ(store.unfold(h, r)->rhs, r);
}

TEST_F(DimStoreTest, HeightIsTheLongestChainBelow) {
    Dim h = store.iterator(2, v("H"));
    Dim r = store.reduce(0, v("k"), ReduceKind::Sum);
    EXPECT_EQ(h->height, 0);
    EXPECT_EQ(r->height, 0);
    EXPECT_TRUE(h->isLeaf());
    Dim shifted = store.shift(h, 1);
    EXPECT_EQ(shifted->height, 1);
    EXPECT_FALSE(shifted->isLeaf());
    Dim u = store.unfold(shifted, r);  // max(1, 0) + 1
    EXPECT_EQ(u->height, 2);
    Dim s = store.split(u, store.stride(r, v("s")));
    EXPECT_EQ(s->height, 3);
    EXPECT_EQ(store.split(r, u)->height, 3);
}

TEST_F(DimStoreTest, NullDimsAreErrors) {
    Dim h = store.iterator(0, v("H"));
    EXPECT_THROW(store.split(nullptr, h), Error);
    EXPECT_THROW(store.split(h, nullptr), Error);
    EXPECT_THROW(store.unfold(h, nullptr), Error);
    EXPECT_THROW(store.shift(nullptr, 1), Error);
    EXPECT_THROW(store.stride(nullptr, v("s")), Error);
    EXPECT_THROW(store.mergeOuter(nullptr, v("s")), Error);
    EXPECT_THROW(store.mergeInner(nullptr, v("s")), Error);
}

TEST(DimKindNames, AreStable) {
    EXPECT_STREQ(dimKindName(DimKind::Iterator), "iterator");
    EXPECT_STREQ(dimKindName(DimKind::Reduce), "reduce");
    EXPECT_STREQ(dimKindName(DimKind::Split), "split");
    EXPECT_STREQ(dimKindName(DimKind::MergeOuter), "merge_outer");
    EXPECT_STREQ(dimKindName(DimKind::MergeInner), "merge_inner");
    EXPECT_STREQ(dimKindName(DimKind::Shift), "shift");
    EXPECT_STREQ(dimKindName(DimKind::Stride), "stride");
    EXPECT_STREQ(dimKindName(DimKind::Unfold), "unfold");
}

// Hashes name variables, not ids: other declarations, in another order, give the same hash.
TEST(DimHash, IndependentOfDeclarationsAndStores) {
    DimStore a(makeVars("H", "k"));
    DimStore b(makeVars("W, N, H, C_in", "s, k, g"));
    auto build = [](DimStore& st) {
        Dim h = st.iterator(2, parseSize("H", st.vars()));
        Dim r = st.reduce(1, parseSize("k", st.vars()), ReduceKind::Sum);
        return st.unfold(st.shift(h, -1), r);
    };
    EXPECT_EQ(build(a)->hash, build(b)->hash);
    EXPECT_NE(a.iterator(0, Size::variable(0))->hash, DimStore(makeVars("W")).iterator(0, Size::variable(0))->hash);
}

// The hash is a portable constant (no std::hash, no pointers): pinned so a change of hashing or of a
// platform's behaviour shows up here. If hashing is changed on purpose, operator ids change too.
TEST(DimHash, PinnedValues) {
    DimStore st(makeVars("H", "k"));
    Dim h = st.iterator(0, parseSize("H", st.vars()));
    EXPECT_EQ(h->hash, 0x7b721c2d99698b02ULL) << std::hex << "0x" << h->hash;
    Dim r = st.reduce(0, parseSize("k", st.vars()), ReduceKind::Sum);
    EXPECT_EQ(st.unfold(h, r)->hash, 0x68c2d84c2fa9426fULL) << std::hex << "0x" << st.unfold(h, r)->hash;
}

}  // namespace
}  // namespace syno
