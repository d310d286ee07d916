// The hypervolume of the progress plot: the area of the union of the results' boxes.
#include <gtest/gtest.h>

#include <cmath>

#include "report/Hypervolume.h"

namespace syno::report {
namespace {

TEST(Hypervolume, IsTheAreaOfTheUnionOfBoxes) {
    EXPECT_DOUBLE_EQ(hypervolume({}), 0);
    EXPECT_DOUBLE_EQ(hypervolume({{0.5, 2}}), 1);
    // 2 + 1.5 - their overlap of 1.
    EXPECT_DOUBLE_EQ(hypervolume({{1, 2}, {0.5, 3}}), 2.5);
    EXPECT_DOUBLE_EQ(hypervolume({{1, 2}, {0.5, 3}, {0.4, 1}, {NAN, 9}}), 2.5);  // dominated and unmeasured add nothing
}

TEST(Hypervolume, IncrementalFrontAgreesAndNeverShrinks) {
    IncrementalFront f;
    double last = 0;
    for (auto p : std::vector<search::ParetoPoint>{{0.6, 1}, {0.7, 1.5}, {0.5, 3}, {0.65, 2}, {0.9, 0.5}}) {
        f.add(p);
        EXPECT_GE(f.hypervolume(), last);
        last = f.hypervolume();
    }
    EXPECT_DOUBLE_EQ(last, hypervolume({{0.6, 1}, {0.7, 1.5}, {0.5, 3}, {0.65, 2}, {0.9, 0.5}}));
}

}  // namespace
}  // namespace syno::report
