#include <vector>

#include <gtest/gtest.h>

#include "evaluation/LatencyEstimate.h"

namespace syno::evaluation {
namespace {

// 15 rounds: the operator takes 5 ms and the original 10 ms, each round jittered by a few percent.
TimedRounds quietRounds() {
    TimedRounds r;
    for (int i = 0; i < 15; ++i) {
        const double jitter = 1 + 0.01 * (i % 5);
        r.candidateMs.push_back(5 * jitter);
        r.baselineMs.push_back(10 * (2 - jitter));
    }
    return r;
}

TEST(LatencyEstimate, AQuietPointKeepsTheMedians) {
    const LatencyPoint p = estimateLatency(quietRounds(), LatencySettings{});
    EXPECT_FALSE(p.noisy);
    EXPECT_EQ(p.estimator, "median");
    EXPECT_DOUBLE_EQ(p.ms, 5 * 1.02);
    EXPECT_DOUBLE_EQ(p.baselineMs, 10 * 0.98);
    EXPECT_DOUBLE_EQ(p.ratio, p.baselineMs / p.ms);
    EXPECT_EQ(p.rounds, 15);
    EXPECT_LT(p.spread, 0.10);
}

TEST(LatencyEstimate, ANeighbourSlowingMostRoundsIsSeenThroughTheFastestOnes) {
    // A neighbour adds 4 ms to the operator's rounds and 2 ms to the original's in 10 of 15 rounds: the
    // medians would say 10/7 = 1.43x, the undisturbed rounds say 2x.
    TimedRounds r;
    for (int i = 0; i < 15; ++i) {
        const bool hit = i % 3 != 0;
        r.candidateMs.push_back(5 + (hit ? 4 + 0.1 * i : 0));
        r.baselineMs.push_back(10 + (hit ? 2 : 0));
    }
    r.otherCores = 0.9;
    const LatencyPoint p = estimateLatency(r, LatencySettings{});
    EXPECT_TRUE(p.noisy);
    EXPECT_EQ(p.estimator, "fastest");
    EXPECT_DOUBLE_EQ(p.ms, 5);
    EXPECT_DOUBLE_EQ(p.baselineMs, 10);
    EXPECT_DOUBLE_EQ(p.ratio, 2);
}

TEST(LatencyEstimate, ABusyMachineWithANarrowSpreadIsStillNoisy) {
    TimedRounds r = quietRounds();
    r.otherCores = 0.5;  // above the default 0.30
    const LatencyPoint p = estimateLatency(r, LatencySettings{});
    EXPECT_TRUE(p.noisy);
    EXPECT_EQ(p.estimator, "fastest");
    EXPECT_DOUBLE_EQ(p.ms, 5);
    EXPECT_DOUBLE_EQ(p.baselineMs, 10 * 0.96);
}

TEST(LatencyEstimate, AWideSpreadOnAQuietMachineIsNoisy) {
    TimedRounds r;
    for (int i = 0; i < 16; ++i) {
        r.candidateMs.push_back(i % 2 ? 5 : 8);
        r.baselineMs.push_back(10);
    }
    LatencySettings s;
    const LatencyPoint p = estimateLatency(r, s);
    EXPECT_GT(p.spread, s.maxSpread);
    EXPECT_TRUE(p.noisy);
    EXPECT_DOUBLE_EQ(p.ratio, 2);
}

TEST(LatencyEstimate, RoundsMustPair) {
    TimedRounds r;
    r.candidateMs = {1, 2};
    r.baselineMs = {1};
    EXPECT_THROW(estimateLatency(r, LatencySettings{}), std::exception);
    EXPECT_THROW(estimateLatency(TimedRounds{}, LatencySettings{}), std::exception);
}

}  // namespace
}  // namespace syno::evaluation
