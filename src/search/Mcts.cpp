#include "search/Mcts.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace syno::search {

double ucb1Tuned(const RunningStats& child, int parentVisits, double exploration) {
    const int n = child.visits();
    if (n == 0) return std::numeric_limits<double>::infinity();
    const double logN = std::log(std::max(parentVisits, 1));
    const double varianceBound = std::min(0.25, child.variance() + std::sqrt(2 * logN / n));
    return child.pessimisticMean() + exploration * std::sqrt(logN / n * varianceBound);
}

int widenLimit(int visits, double alpha) {
    return 1 + static_cast<int>(std::floor(std::pow(static_cast<double>(std::max(visits, 0)), alpha)));
}

double raveValue(const RunningStats& s) {
    return s.n ? s.mean() + std::sqrt(s.variance()) - 1.0 / s.n : 0.0;
}

Mcts::Mcts(Problem problem, uint64_t seed, MctsOptions options)
    : dag_(std::move(problem)), rng_(seed), options_(options) {}

const Mcts::TreeNode* Mcts::treeNode(int node) const {
    auto it = tree_.find(node);
    return it == tree_.end() ? nullptr : &it->second;
}

const RunningStats* Mcts::globalRave(uint64_t stepKey) const {
    auto it = globalRave_.find(stepKey);
    return it == globalRave_.end() ? nullptr : &it->second;
}

std::vector<StepRef> Mcts::pendingPath(int ticket) const {
    auto it = pending_.find(ticket);
    return it == pending_.end() ? std::vector<StepRef>{} : it->second.path;
}

bool Mcts::visited(int node) const {
    auto it = tree_.find(node);
    return it != tree_.end() && it->second.stats.visits() > 0;
}

int Mcts::chooseKind(int node) {
    TreeNode& tn = tree_[node];
    const auto& es = dag_.edges(node);
    std::array<bool, kStepKinds> live{};
    for (const auto& e : es)
        if (dag_.live(e)) live[static_cast<size_t>(e.kind)] = true;
    // An untried kind first (a random one: kinds are few, all are revealed), then UCB1-tuned.
    std::vector<int> untried;
    for (int k = 0; k < kStepKinds; ++k)
        if (live[static_cast<size_t>(k)] && tn.kinds[static_cast<size_t>(k)].stats.visits() == 0) untried.push_back(k);
    if (!untried.empty()) return untried[drawIndex(rng_, untried.size())];
    int best = -1;
    double bestScore = -std::numeric_limits<double>::infinity();
    for (int k = 0; k < kStepKinds; ++k) {
        if (!live[static_cast<size_t>(k)]) continue;
        double score = ucb1Tuned(tn.kinds[static_cast<size_t>(k)].stats, tn.stats.visits(), options_.exploration);
        if (score > bestScore) bestScore = score, best = k;
    }
    return best;
}

void Mcts::reveal(int node, KindArm& arm, StepKind kind) {
    TreeNode& tn = tree_[node];
    const auto& es = dag_.edges(node);
    std::vector<int> hidden;
    for (size_t i = 0; i < es.size(); ++i) {
        if (es[i].kind != kind || !dag_.live(es[i])) continue;
        if (std::find(arm.revealed.begin(), arm.revealed.end(), static_cast<int>(i)) == arm.revealed.end())
            hidden.push_back(static_cast<int>(i));
    }
    if (hidden.empty()) return;
    // RAVE estimates of the hidden steps; a step with none takes the mean of the others'.
    std::vector<double> value(hidden.size(), 0.0);
    std::vector<bool> known(hidden.size(), false);
    double knownSum = 0;
    int knownCount = 0;
    for (size_t h = 0; h < hidden.size(); ++h) {
        uint64_t key = es[static_cast<size_t>(hidden[h])].key;
        auto g = globalRave_.find(key);
        if (g == globalRave_.end()) continue;
        auto l = tn.rave.find(key);
        const int nLocal = l == tn.rave.end() ? 0 : l->second.n;
        const double beta = options_.raveLocalK / (options_.raveLocalK + nLocal);
        value[h] = beta * raveValue(g->second) + (1 - beta) * (nLocal ? raveValue(l->second) : 0.0);
        known[h] = true;
        knownSum += value[h];
        ++knownCount;
    }
    size_t best = 0;
    double bestScore = -std::numeric_limits<double>::infinity();
    for (size_t h = 0; h < hidden.size(); ++h) {
        double v = known[h] ? value[h] : (knownCount ? knownSum / knownCount : 0.0);
        double score = options_.raveShare * v + (1 - options_.raveShare) * drawUnit(rng_);
        if (score > bestScore) bestScore = score, best = h;
    }
    arm.revealed.push_back(hidden[best]);
}

int Mcts::chooseEdge(int node, StepKind kind) {
    TreeNode& tn = tree_[node];
    KindArm& arm = tn.kinds[static_cast<size_t>(kind)];
    const auto& es = dag_.edges(node);
    std::erase_if(arm.revealed, [&](int i) { return !dag_.live(es[static_cast<size_t>(i)]); });
    const int limit = widenLimit(arm.stats.visits(), options_.widenAlpha);
    while (static_cast<int>(arm.revealed.size()) < limit) {
        size_t before = arm.revealed.size();
        reveal(node, arm, kind);
        if (arm.revealed.size() == before) break;
    }
    for (int i : arm.revealed)
        if (tn.edges[i].visits() == 0) return i;
    int best = arm.revealed.front();
    double bestScore = -std::numeric_limits<double>::infinity();
    for (int i : arm.revealed) {
        double score = ucb1Tuned(tn.edges[i], arm.stats.visits(), options_.exploration);
        if (score > bestScore) bestScore = score, best = i;
    }
    return best;
}

std::optional<std::vector<StepRef>> Mcts::select() {
    // Each restart follows a branch found dead on the way (pruned lazily, so the next pass avoids it).
    for (int attempt = 0; attempt < 100000; ++attempt) {
        if (dag_.pruneIfEmpty(Space::root()) || dag_.budgetExhausted()) return std::nullopt;
        std::vector<StepRef> path;
        int node = Space::root();
        while (!dag_.pruneIfEmpty(node)) {
            StepKind kind = static_cast<StepKind>(chooseKind(node));
            int e = chooseEdge(node, kind);
            path.push_back({node, e});
            const auto& edge = dag_.edge(path.back());
            if (edge.kind == StepKind::Finalize) return path;
            if (!visited(edge.target)) {
                auto rollout = dag_.descend(edge.target, rng_, options_.rolloutMode);
                if (!rollout) break;  // nothing left below: the child is dead now
                path.insert(path.end(), rollout->begin(), rollout->end());
                return path;
            }
            node = edge.target;
        }
    }
    return std::nullopt;
}

ProposeStatus Mcts::propose(Proposal& out) {
    auto path = select();
    if (!path) return ProposeStatus::Exhausted;
    Pending p;
    p.path = *path;
    for (StepRef s : *path) {
        const auto& e = dag_.edge(s);
        p.keys.push_back(e.key);
        TreeNode& tn = tree_[s.node];
        ++tn.stats.virtualLoss;
        ++tn.kinds[static_cast<size_t>(e.kind)].stats.virtualLoss;
        ++tn.edges[s.edge].virtualLoss;
    }
    dag_.consume(dag_.edge(path->back()));
    out.ticket = nextTicket_++;
    out.candidate = candidateOf(dag_.build(*path));
    pending_.emplace(out.ticket, std::move(p));
    return ProposeStatus::Ready;
}

void Mcts::report(int ticket, std::optional<double> reward) {
    auto it = pending_.find(ticket);
    if (it == pending_.end()) return;
    const Pending& p = it->second;
    for (size_t i = 0; i < p.path.size(); ++i) {
        const StepRef s = p.path[i];
        const StepKind kind = dag_.edge(s).kind;
        TreeNode& tn = tree_[s.node];
        --tn.stats.virtualLoss;
        --tn.kinds[static_cast<size_t>(kind)].stats.virtualLoss;
        --tn.edges[s.edge].virtualLoss;
        if (!reward) continue;
        tn.stats.add(*reward);
        tn.kinds[static_cast<size_t>(kind)].stats.add(*reward);
        tn.edges[s.edge].add(*reward);
        // All moves as first: every step taken at or below this node counts for it here and globally.
        for (size_t j = i; j < p.keys.size(); ++j) tn.rave[p.keys[j]].add(*reward);
        globalRave_[p.keys[i]].add(*reward);
    }
    pending_.erase(it);
}

}  // namespace syno::search
