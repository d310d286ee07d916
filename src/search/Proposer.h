#pragma once
// The interface between a search algorithm and the driver that evaluates its proposals. Ask/tell: the
// driver asks for proposals (several may be in flight), evaluates them, and reports each reward back in
// the order the proposals were made, so an algorithm is a deterministic function of its seed and the
// rewards it was told. Algorithms own their random engine and their view of the synthesis DAG.
#include <optional>
#include <string>

#include "search/Evaluator.h"


namespace syno::search {

struct Proposal {
    int ticket = -1;  // the algorithm's handle for report()
    Candidate candidate;  // the finished operator: text form, canonical id, path, estimates
};

enum class ProposeStatus {
    Ready,      // `out` holds a proposal
    Wait,       // nothing until in-flight proposals are reported (e.g. beam search between levels)
    Exhausted,  // the space holds no operator the algorithm has not proposed
};

class Proposer {
public:
    virtual ~Proposer() = default;
    virtual ProposeStatus propose(Proposal& out) = 0;
    // reward: nullopt when the evaluation failed (the branch is removed, no value is learned).
    virtual void report(int ticket, std::optional<double> reward) = 0;
    virtual std::string name() const = 0;
};

}  // namespace syno::search
