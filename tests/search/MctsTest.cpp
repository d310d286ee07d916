// MCTS internals: the UCB1-tuned score, virtual loss, progressive widening and RAVE updates.
#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <set>

#include "SearchFixtures.h"
#include "search/Mcts.h"

namespace syno::search {
namespace {

RunningStats stats(std::initializer_list<double> rewards) {
    RunningStats s;
    for (double r : rewards) s.add(r);
    return s;
}

TEST(Ucb, UnvisitedFirstThenMeanPlusExploration) {
    EXPECT_TRUE(std::isinf(ucb1Tuned(RunningStats{}, 10, 1.0)));
    RunningStats good = stats({0.8, 0.8, 0.8}), bad = stats({0.2, 0.2, 0.2});
    EXPECT_GT(ucb1Tuned(good, 10, 1.0), ucb1Tuned(bad, 10, 1.0));
    // With no exploration the score is the mean; with exploration it is above it.
    EXPECT_DOUBLE_EQ(ucb1Tuned(good, 10, 0.0), 0.8);
    EXPECT_GT(ucb1Tuned(good, 10, 1.0), 0.8);
    // Fewer visits, same mean: more exploration bonus.
    EXPECT_GT(ucb1Tuned(stats({0.5}), 10, 1.0), ucb1Tuned(stats({0.5, 0.5, 0.5, 0.5}), 10, 1.0));
    // The variance term is capped at 1/4: exact value for one sample, ln 10 / 1 * 0.25.
    EXPECT_NEAR(ucb1Tuned(stats({0.5}), 10, 1.0), 0.5 + std::sqrt(std::log(10.0) * 0.25), 1e-12);
}

TEST(Ucb, VirtualLossCountsAsZeroReward) {
    RunningStats s = stats({0.6, 0.6});
    const double before = ucb1Tuned(s, 10, 1.0);
    s.virtualLoss = 2;
    EXPECT_DOUBLE_EQ(s.pessimisticMean(), 0.3);
    EXPECT_LT(ucb1Tuned(s, 10, 1.0), before);
    // An in-flight child is no longer "unvisited": parallel selections do not all pile onto it.
    RunningStats pending;
    pending.virtualLoss = 1;
    EXPECT_FALSE(std::isinf(ucb1Tuned(pending, 10, 1.0)));
}

TEST(Widening, RevealsMoreChildrenAsVisitsGrow) {
    EXPECT_EQ(widenLimit(0, 0.6), 1);
    EXPECT_EQ(widenLimit(1, 0.6), 2);
    EXPECT_EQ(widenLimit(10, 0.6), 1 + static_cast<int>(std::floor(std::pow(10.0, 0.6))));
    EXPECT_LT(widenLimit(100, 0.5), widenLimit(100, 0.8));
    for (int v = 0; v < 200; ++v) EXPECT_LE(widenLimit(v, 0.6), widenLimit(v + 1, 0.6));
}

TEST(Rave, ValueIsMeanPlusSpreadMinusInverseCount) {
    EXPECT_DOUBLE_EQ(raveValue(RunningStats{}), 0.0);
    EXPECT_NEAR(raveValue(stats({0.2, 0.6})), 0.4 + 0.2 - 0.5, 1e-12);
}

TEST(Mcts, VirtualLossSpreadsInFlightProposalsAndIsReleased) {
    Mcts mcts(test::convProblem(), 1);
    Proposal a, b;
    ASSERT_EQ(mcts.propose(a), ProposeStatus::Ready);
    ASSERT_EQ(mcts.propose(b), ProposeStatus::Ready);
    EXPECT_NE(a.candidate.canonicalId, b.candidate.canonicalId);
    const auto* root = mcts.treeNode(Space::root());
    ASSERT_NE(root, nullptr);
    EXPECT_EQ(root->stats.virtualLoss, 2);
    EXPECT_EQ(root->stats.n, 0);
    // The first steps differ: the in-flight one's virtual loss sent the second elsewhere.
    EXPECT_NE(mcts.pendingPath(a.ticket).front(), mcts.pendingPath(b.ticket).front());
    mcts.report(a.ticket, 0.5);
    mcts.report(b.ticket, std::nullopt);  // failed: no value learned
    EXPECT_EQ(root->stats.virtualLoss, 0);
    EXPECT_EQ(root->stats.n, 1);
    EXPECT_DOUBLE_EQ(root->stats.mean(), 0.5);
}

TEST(Mcts, RaveUpdatesEveryStepOfTheOperator) {
    Mcts mcts(test::convProblem(), 2);
    Proposal p;
    ASSERT_EQ(mcts.propose(p), ProposeStatus::Ready);
    auto path = mcts.pendingPath(p.ticket);
    ASSERT_GE(path.size(), 2u);
    mcts.report(p.ticket, 0.75);
    const auto* root = mcts.treeNode(Space::root());
    for (size_t i = 0; i < path.size(); ++i) {
        const uint64_t key = mcts.dag().edge(path[i]).key;
        const RunningStats* g = mcts.globalRave(key);
        ASSERT_NE(g, nullptr) << "step " << i;
        EXPECT_EQ(g->n, 1);
        EXPECT_DOUBLE_EQ(g->mean(), 0.75);
        // All moves as first: the root's local RAVE holds every step below it.
        ASSERT_TRUE(root->rave.count(key)) << "step " << i;
        // The node where a step was taken sees it, nodes below it do not.
        const auto* last = mcts.treeNode(path.back().node);
        EXPECT_EQ(last->rave.count(key) > 0, i + 1 == path.size() || key == mcts.dag().edge(path.back()).key);
    }
    // A failure updates nothing.
    Proposal q;
    ASSERT_EQ(mcts.propose(q), ProposeStatus::Ready);
    auto qpath = mcts.pendingPath(q.ticket);
    const int before = mcts.globalRave(mcts.dag().edge(qpath.front()).key)
                           ? mcts.globalRave(mcts.dag().edge(qpath.front()).key)->n
                           : 0;
    mcts.report(q.ticket, std::nullopt);
    const auto* after = mcts.globalRave(mcts.dag().edge(qpath.front()).key);
    EXPECT_EQ(after ? after->n : 0, before);
}

TEST(Mcts, WideningBoundsRevealedSteps) {
    Mcts mcts(test::convProblem(), 3);
    for (int i = 0; i < 60; ++i) {
        Proposal p;
        ASSERT_EQ(mcts.propose(p), ProposeStatus::Ready);
        mcts.report(p.ticket, 0.01 * (i % 7));
    }
    const auto* root = mcts.treeNode(Space::root());
    ASSERT_NE(root, nullptr);
    int revealedTotal = 0;
    for (int k = 0; k < kStepKinds; ++k) {
        const auto& arm = root->kinds[static_cast<size_t>(k)];
        EXPECT_LE(static_cast<int>(arm.revealed.size()), widenLimit(arm.stats.visits(), MctsOptions{}.widenAlpha));
        revealedTotal += static_cast<int>(arm.revealed.size());
        // Only revealed steps have been selected from the root by the tree policy.
        for (const auto& [edge, s] : root->edges)
            if (mcts.dag().edges(Space::root())[static_cast<size_t>(edge)].kind == static_cast<StepKind>(k) && s.n > 0) {
                EXPECT_NE(std::find(arm.revealed.begin(), arm.revealed.end(), edge), arm.revealed.end());
            }
    }
    EXPECT_GT(revealedTotal, 1);
    EXPECT_EQ(root->stats.n, 60);
}

TEST(Mcts, PrefersTheRewardedBranch) {
    // Reward only operators whose first step is the first proposal's: most later proposals take it.
    Mcts mcts(test::convProblem(), 4);
    std::optional<StepRef> favoured;
    int hits = 0;
    for (int i = 0; i < 150; ++i) {
        Proposal p;
        ASSERT_EQ(mcts.propose(p), ProposeStatus::Ready);
        StepRef first = mcts.pendingPath(p.ticket).front();
        if (!favoured) favoured = first;
        if (i >= 100) hits += first == *favoured;
        mcts.report(p.ticket, first == *favoured ? 0.9 : 0.1);
    }
    EXPECT_GE(hits, 35) << "of the last 50 proposals";
}

TEST(Mcts, ExhaustsATinySpace) {
    Mcts mcts(test::convProblem(3), 5);
    std::set<std::string> seen;
    int proposals = 0;
    Proposal p;
    while (mcts.propose(p) == ProposeStatus::Ready) {
        seen.insert(p.candidate.canonicalId);
        mcts.report(p.ticket, 0.5);
        ASSERT_LT(++proposals, 100000);
    }
    EXPECT_GT(proposals, 0);
    // Every finished operator at most once (distinct ids can share a canonical form).
    EXPECT_LE(seen.size(), static_cast<size_t>(proposals));
}

}  // namespace
}  // namespace syno::search
