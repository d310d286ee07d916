#pragma once
// Monte Carlo tree search over the synthesis DAG (statistics are per DAG node, so orderings of the same
// steps share them). Each step is a two-level choice: a primitive kind, then a concrete step of that
// kind, both by UCB1-tuned. Progressive widening reveals a kind's steps one at a time as its visits grow,
// best RAVE estimate first (all-moves-as-first values, local to the node and global to the step, mixed
// with a little noise). Selection stops at a finished operator or at a node never visited, from which a
// random descent (backtracking out of dead ends, so it cannot fail on a live node) reaches one. In-flight
// proposals carry a virtual loss along their path so parallel selections spread out. A failed evaluation
// updates no value: its operator is consumed and branches left without live steps are removed.
#include <array>
#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

#include "search/Proposer.h"
#include "search/RunningStats.h"
#include "base/Draw.h"
#include "search/CandidateOf.h"
#include "synthesis/Space.h"

namespace syno::search {

struct MctsOptions {
    // c in UCB1-tuned. Rewards lie in [0, 1] but differ by a few hundredths between operators; larger c
    // spreads evaluations almost evenly (search_bench: c = 1 is no better than random, c = 0.1 is ~8x).
    double exploration = 0.1;
    double widenAlpha = 0.6;    // a kind with T visits shows 1 + floor(T^alpha) of its steps
    double raveShare = 0.7;     // reveal order: raveShare * RAVE value + (1 - raveShare) * uniform noise
    double raveLocalK = 3;      // beta = k / (k + local RAVE count): trust global RAVE until local fills in
    SampleMode rolloutMode = SampleMode::TypeFirst;
};

// UCB1-tuned score of a child with `child` stats under a parent with `parentVisits` effective visits.
// Unvisited children score +infinity; in-flight evaluations count as visits with reward 0.
double ucb1Tuned(const RunningStats& child, int parentVisits, double exploration);
// How many of a kind's steps are revealed after `visits` effective visits.
int widenLimit(int visits, double alpha);
// A RAVE estimate as in Syno: mean + standard deviation - 1/n (optimistic, shrinking with samples).
double raveValue(const RunningStats& s);

class Mcts : public Proposer {
public:
    struct KindArm {
        RunningStats stats;
        std::vector<int> revealed;  // edge indices, in reveal order
    };
    struct TreeNode {
        RunningStats stats;
        std::array<KindArm, kStepKinds> kinds;
        std::unordered_map<int, RunningStats> edges;     // by edge index
        std::unordered_map<uint64_t, RunningStats> rave;  // local RAVE: by step key, over this node's subtree
    };

    Mcts(Problem problem, uint64_t seed, MctsOptions options = {});

    ProposeStatus propose(Proposal& out) override;
    void report(int ticket, std::optional<double> reward) override;
    std::string name() const override { return "mcts"; }

    // Inspection (tests, statistics).
    Space& dag() { return dag_; }
    const TreeNode* treeNode(int node) const;
    const RunningStats* globalRave(uint64_t stepKey) const;
    std::vector<StepRef> pendingPath(int ticket) const;

private:
    struct Pending {
        std::vector<StepRef> path;
        std::vector<uint64_t> keys;  // step keys along the path
    };
    std::optional<std::vector<StepRef>> select();
    int chooseKind(int node);
    int chooseEdge(int node, StepKind kind);
    void reveal(int node, KindArm& arm, StepKind kind);
    bool visited(int node) const;

    Space dag_;
    std::mt19937_64 rng_;
    MctsOptions options_;
    std::unordered_map<int, TreeNode> tree_;
    std::unordered_map<uint64_t, RunningStats> globalRave_;
    std::unordered_map<int, Pending> pending_;
    int nextTicket_ = 0;
};

}  // namespace syno::search
