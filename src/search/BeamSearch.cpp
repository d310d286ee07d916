#include "search/BeamSearch.h"

#include <algorithm>
#include <numeric>

namespace syno::search {

BeamSearch::BeamSearch(Problem problem, uint64_t seed, BeamOptions options)
    : dag_(std::move(problem)), rng_(seed), options_(options) {
    beam_.push_back({});
}

bool BeamSearch::nextLevel() {
    // The best children of the finished level become the beam (stable: ties keep generation order).
    if (!levelChildren_.empty()) {
        std::vector<size_t> order(levelChildren_.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return levelScore_[a] > levelScore_[b]; });
        beam_.clear();
        for (size_t i = 0; i < order.size() && static_cast<int>(beam_.size()) < options_.width; ++i)
            beam_.push_back(levelChildren_[order[i]]);
    }
    levelChildren_.clear();
    levelScore_.clear();
    // Children of the beam: live partial operators are scored by probes, finished ones are proposed.
    for (const auto& prefix : beam_) {
        int node = prefix.empty() ? Space::root() : dag_.edge(prefix.back()).target;
        if (dag_.pruneIfEmpty(node)) continue;
        const auto& es = dag_.edges(node);
        for (size_t i = 0; i < es.size(); ++i) {
            if (!dag_.live(es[i])) continue;
            auto path = prefix;
            path.push_back({node, static_cast<int>(i)});
            if (es[i].kind == StepKind::Finalize) {
                probes_.push_back({-1, path});
                continue;
            }
            const int child = static_cast<int>(levelChildren_.size());
            levelChildren_.push_back(path);
            levelScore_.push_back(-1);
            for (int p = 0; p < options_.probes; ++p) probes_.push_back({child, path});
        }
    }
    return !probes_.empty();
}

ProposeStatus BeamSearch::propose(Proposal& out) {
    while (true) {
        while (!probes_.empty()) {
            Probe probe = probes_.front();
            probes_.pop_front();
            std::vector<StepRef> path = probe.prefix;
            if (probe.child < 0) {
                if (!dag_.live(dag_.edge(path.back()))) continue;  // proposed by an earlier probe
            } else {
                auto rest = dag_.descend(dag_.edge(path.back()).target, rng_, options_.mode);
                if (!rest) continue;  // nothing left below this child
                path.insert(path.end(), rest->begin(), rest->end());
            }
            dag_.consume(dag_.edge(path.back()));
            out.ticket = nextTicket_++;
            out.candidate = candidateOf(dag_.build(path));
            ticketChild_[out.ticket] = probe.child;
            ++inFlight_;
            return ProposeStatus::Ready;
        }
        if (inFlight_ > 0) return ProposeStatus::Wait;
        if (nextLevel()) continue;
        // The beam reached the bottom (or died): start again from the root.
        if (dag_.pruneIfEmpty(Space::root()) || dag_.budgetExhausted() || ++restarts_ > 100000)
            return ProposeStatus::Exhausted;
        beam_.assign(1, {});
        levelChildren_.clear();
        levelScore_.clear();
    }
}

void BeamSearch::report(int ticket, std::optional<double> reward) {
    auto it = ticketChild_.find(ticket);
    if (it == ticketChild_.end()) return;
    --inFlight_;
    const int child = it->second;
    ticketChild_.erase(it);
    if (child >= 0 && child < static_cast<int>(levelScore_.size()) && reward)
        levelScore_[static_cast<size_t>(child)] = std::max(levelScore_[static_cast<size_t>(child)], *reward);
}

}  // namespace syno::search
