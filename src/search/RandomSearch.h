#pragma once
// The random-search baseline: independent random descents from the root, each returning an operator not
// proposed before. Rewards are ignored.
#include <random>

#include "search/Proposer.h"
#include "base/Draw.h"
#include "search/CandidateOf.h"
#include "synthesis/Space.h"

namespace syno::search {

class RandomSearch : public Proposer {
public:
    RandomSearch(Problem problem, uint64_t seed, SampleMode mode = SampleMode::Uniform)
        : dag_(std::move(problem)), rng_(seed), mode_(mode) {}

    ProposeStatus propose(Proposal& out) override {
        auto path = dag_.descend(Space::root(), rng_, mode_);
        if (!path) return ProposeStatus::Exhausted;
        dag_.consume(dag_.edge(path->back()));
        out.ticket = nextTicket_++;
        out.candidate = candidateOf(dag_.build(*path));
        return ProposeStatus::Ready;
    }
    void report(int, std::optional<double>) override {}
    std::string name() const override { return "random"; }

private:
    Space dag_;
    std::mt19937_64 rng_;
    SampleMode mode_;
    int nextTicket_ = 0;
};

}  // namespace syno::search
