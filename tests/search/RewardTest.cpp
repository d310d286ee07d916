// Rewards and the Pareto front.
#include <gtest/gtest.h>

#include <cmath>

#include "base/Error.h"
#include "search/Pareto.h"
#include "search/Reward.h"

namespace syno::search {
namespace {

Outcome ok(double acc, double latencyRatio = kNotMeasured, double flopsRatio = kNotMeasured) {
    Outcome o;
    o.ok = true;
    o.metrics.accuracy = acc;
    o.metrics.baselineAccuracy = 0.9;
    o.metrics.latencyRatio = latencyRatio;
    o.metrics.flopsRatio = flopsRatio;
    return o;
}

TEST(Reward, AccuracyBoundsAndPower) {
    RewardOptions o;
    o.lowerBound = 0.4, o.upperBound = 0.8, o.power = 2;
    EXPECT_DOUBLE_EQ(*reward(ok(0.3), o), 0.0);
    EXPECT_DOUBLE_EQ(*reward(ok(0.6), o), 0.25);
    EXPECT_DOUBLE_EQ(*reward(ok(0.95), o), 1.0);
    Outcome failed;
    failed.failure = "NaN loss";
    EXPECT_FALSE(reward(failed, o));
    EXPECT_FALSE(reward(ok(kNotMeasured), o));
}

TEST(Reward, SpeedRewardsFasterAtBoundedLoss) {
    RewardOptions o;
    o.kind = "speed";
    o.maxAccuracyLoss = 0.02;
    o.targetSpeedup = 2;
    o.latencyWeight = 1;
    EXPECT_DOUBLE_EQ(*reward(ok(0.89, 1.0), o), 0.5);
    EXPECT_DOUBLE_EQ(*reward(ok(0.89, std::sqrt(2.0)), o), 0.75);
    EXPECT_DOUBLE_EQ(*reward(ok(0.89, 4.0), o), 1.0);
    // Too inaccurate: below every accurate operator, however fast.
    EXPECT_LT(*reward(ok(0.85, 8.0), o), 0.5);
    // FLOPs ratio stands in when latency was not measured; both combine geometrically.
    EXPECT_DOUBLE_EQ(combinedSpeedup(ok(0.9, kNotMeasured, 2.0).metrics, o), 2.0);
    o.latencyWeight = 0.5;
    EXPECT_DOUBLE_EQ(combinedSpeedup(ok(0.9, 4.0, 1.0).metrics, o), 2.0);
}

TEST(Reward, FailuresTeachTheSpeedSearchButNotTheAccuracySearch) {
    Outcome failed;
    failed.failure = "too slow to train: 0.90x";
    RewardOptions o;
    EXPECT_FALSE(feedback(failed, o).has_value());
    o.kind = "speed";
    ASSERT_TRUE(feedback(failed, o).has_value());
    EXPECT_EQ(*feedback(failed, o), 0.0);
    EXPECT_FALSE(reward(failed, o).has_value());  // still a failure for the record
    const Outcome good = ok(0.9, 4.0, 1.0);
    EXPECT_EQ(feedback(good, o), reward(good, o));
}

TEST(Reward, BadOptionsAreRefused) {
    RewardOptions o;
    o.kind = "loss";
    EXPECT_THROW(checkRewardOptions(o), Error);
    o = {};
    o.lowerBound = 0.9, o.upperBound = 0.5;
    EXPECT_THROW(checkRewardOptions(o), Error);
}

TEST(Pareto, KeepsOnlyTheNonDominated) {
    std::vector<ParetoPoint> p{{0.9, 1.0}, {0.8, 2.0}, {0.85, 0.9}, {0.7, 1.5}, {0.9, 0.5}, {NAN, 9.0}, {0.6, 3.0}};
    auto front = paretoFront(p);
    EXPECT_EQ(front, (std::vector<size_t>{0, 1, 6}));
}

}  // namespace
}  // namespace syno::search
