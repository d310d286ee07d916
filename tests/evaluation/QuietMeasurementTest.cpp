#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "evaluation/QuietMeasurement.h"

namespace syno::evaluation {
namespace {

// A fake machine: each wait reports the seconds it "spent" and records the budget it was given; each
// measurement comes out good or bad from a script.
struct FakeMachine {
    FakeMachine(std::vector<double> waitCosts, std::vector<bool> measurements)
        : waitCosts(std::move(waitCosts)), measurements(std::move(measurements)) {}
    std::vector<double> waitCosts;   // seconds each successive wait takes (capped by its budget)
    std::vector<bool> measurements;  // good or bad, in order
    std::vector<double> budgetsSeen;
    size_t waits = 0, measured = 0;

    QuietOutcome run(const QuietPolicy& policy) {
        return measureWhenQuiet(
            policy,
            [&](double window, double budget) {
                EXPECT_EQ(window, policy.windowSeconds);
                budgetsSeen.push_back(budget);
                const double cost = waits < waitCosts.size() ? waitCosts[waits] : 0;
                ++waits;
                return std::min(cost, budget);
            },
            [&] { return measured < measurements.size() && measurements[measured++]; });
    }
};

TEST(QuietMeasurement, WithoutBudgetMeasuresOnceRoundAndStopsAtTheFirstGoodAttempt) {
    FakeMachine m({}, {false, true, true});
    const QuietOutcome q = m.run({.waitBudgetSeconds = 0, .attempts = 3});
    EXPECT_TRUE(q.good);
    EXPECT_EQ(q.measurements, 2);
    EXPECT_EQ(q.waitedSeconds, 0);
    EXPECT_EQ(m.waits, 1u);
}

TEST(QuietMeasurement, WithoutBudgetABadPointIsKeptAfterOneRound) {
    FakeMachine m({}, {false, false, false, true});
    const QuietOutcome q = m.run({.waitBudgetSeconds = 0, .attempts = 3});
    EXPECT_FALSE(q.good);
    EXPECT_EQ(q.measurements, 3);
    EXPECT_EQ(m.waits, 1u);
}

TEST(QuietMeasurement, ABusyRoundIsFollowedByAnotherWaitForQuiet) {
    // The first window looked quiet (3 s), but every attempt came out busy: wait again, then measure well.
    FakeMachine m({3, 40}, {false, false, false, true});
    const QuietOutcome q = m.run({.waitBudgetSeconds = 600, .attempts = 3});
    EXPECT_TRUE(q.good);
    EXPECT_EQ(q.measurements, 4);
    EXPECT_EQ(q.waitedSeconds, 43);
    ASSERT_EQ(m.budgetsSeen.size(), 2u);
    EXPECT_EQ(m.budgetsSeen[0], 600);
    EXPECT_EQ(m.budgetsSeen[1], 597);  // the budget is for the whole point, not per wait
}

TEST(QuietMeasurement, ASpentBudgetEndsTheWaitingEvenWithRoundsLeft) {
    FakeMachine m({600, 600}, {false, false, false, false});
    const QuietOutcome q = m.run({.waitBudgetSeconds = 600, .attempts = 3, .waits = 3});
    EXPECT_FALSE(q.good);
    EXPECT_EQ(q.measurements, 3);
    EXPECT_EQ(q.waitedSeconds, 600);
    EXPECT_EQ(m.waits, 1u);
}

TEST(QuietMeasurement, AQuietMachineWithAWideSpreadStopsAfterItsRounds) {
    // Quiet every time, yet never narrow: an operator whose own timing varies is flagged, not timed forever.
    FakeMachine m({3, 3, 3, 3, 3}, std::vector<bool>(20, false));
    const QuietOutcome q = m.run({.waitBudgetSeconds = 600, .attempts = 2, .waits = 3});
    EXPECT_FALSE(q.good);
    EXPECT_EQ(q.measurements, 6);
    EXPECT_EQ(m.waits, 3u);
    EXPECT_EQ(q.waitedSeconds, 9);
}

}  // namespace
}  // namespace syno::evaluation
