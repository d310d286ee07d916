// The plan executor's own kernels against libtorch's: the small-tensor roll (RollCopy.h).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <vector>

#include "plans/RollCopy.h"

namespace syno::plans {
namespace {

struct RollCase {
    std::vector<int64_t> shape, axes, start;
    bool nhwc = false;
};

TEST(RollCopyTest, MatchesTorchRollAndKeepsTheLayout) {
    const std::vector<RollCase> cases = {
        {{1, 16, 28, 28}, {2}, {1}},          {{1, 16, 28, 28}, {3}, {27}},         {{1, 16, 28, 28}, {2, 3}, {1, 1}},
        {{1, 2, 8, 28, 28}, {3, 4}, {1, 27}}, {{2, 3, 5, 7}, {0, 1, 3}, {1, 2, 6}}, {{2, 3, 5, 7}, {1}, {0}},
        {{4, 6, 5, 5}, {2, 3}, {4, 2}, true}, {{4, 6, 5, 5}, {1}, {5}, true},      {{3, 1, 9}, {2}, {4}},
    };
    for (const RollCase& c : cases) {
        at::Tensor x = at::randn(c.shape, at::kFloat);
        if (c.nhwc) x = x.contiguous(at::MemoryFormat::ChannelsLast);
        std::vector<int64_t> shifts;
        for (int64_t s : c.start) shifts.push_back(-s);
        const at::Tensor out = rollCopy(x, c.axes, c.start);
        EXPECT_TRUE(at::equal(out, at::roll(x, shifts, c.axes))) << x.sizes() << " along " << at::IntArrayRef(c.axes);
        EXPECT_EQ(out.strides(), x.strides()) << x.sizes();
    }
    const at::Tensor d = at::randn({2, 4, 6}, at::kDouble);  // any element size
    EXPECT_TRUE(at::equal(rollCopy(d, {1, 2}, {3, 1}), at::roll(d, {-3, -1}, {1, 2})));
    EXPECT_EQ(rollCopy(at::randn({2, 0, 3}), {2}, {1}).sizes(), at::IntArrayRef({2, 0, 3}));  // nothing to copy
}

}  // namespace
}  // namespace syno::plans
