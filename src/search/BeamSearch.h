#pragma once
// The beam-search baseline: level by level from the root, each child of the nodes in the beam is scored
// by the best reward among a few random operators below it (probes), and the `width` best children form
// the next beam. A finished operator directly below the beam is proposed as its own probe. When a level
// has no child left the beam restarts from the root (fresh probes: operators are never proposed twice).
#include <deque>
#include <random>
#include <unordered_map>

#include "search/Proposer.h"
#include "base/Draw.h"
#include "search/CandidateOf.h"
#include "synthesis/Space.h"

namespace syno::search {

struct BeamOptions {
    int width = 4;
    int probes = 2;  // random operators drawn below each child
    SampleMode mode = SampleMode::TypeFirst;
};

class BeamSearch : public Proposer {
public:
    BeamSearch(Problem problem, uint64_t seed, BeamOptions options = {});

    ProposeStatus propose(Proposal& out) override;
    void report(int ticket, std::optional<double> reward) override;
    std::string name() const override { return "beam"; }

private:
    struct Probe {
        int child = -1;                  // node the probe scores (-1: a finished operator of the beam)
        std::vector<StepRef> prefix;     // path from the root to `child` (or to the finished operator)
    };
    // Scores of the finished level become the next beam; false when no level can be built.
    bool nextLevel();

    Space dag_;
    std::mt19937_64 rng_;
    BeamOptions options_;
    std::vector<std::vector<StepRef>> beam_;          // paths from the root to the beam's nodes
    std::deque<Probe> probes_;                         // probes of the current level not yet proposed
    std::vector<std::vector<StepRef>> levelChildren_;  // children of the current level, by index
    std::vector<double> levelScore_;                   // best reward below each child
    std::unordered_map<int, int> ticketChild_;         // ticket -> child index (-1 for a finished one)
    int inFlight_ = 0;
    int nextTicket_ = 0;
    int restarts_ = 0;
};

}  // namespace syno::search
