#pragma once
// Runs a search: asks the algorithm for a batch of proposals (as many as may be in flight), evaluates
// them on a backend, and reports the rewards back in submission order once the batch is done. Because
// the algorithm only ever sees whole batches in a fixed order, the same seed and options give the same
// sequence of candidates whatever the number of workers and the order they finish in. Each evaluation
// has a sequence number (from 1); an observer records events as they happen (a run database writes each
// finished evaluation at once) and may supply outcomes recorded earlier, which is how a resumed run
// replays the interrupted one without evaluating anything twice. An operator equal (canonical form) to
// one evaluated before, or of the same family of functions (DriverOptions::family), is not evaluated
// again: its reward is reported to the algorithm at no cost.
#include <cstdint>
#include <functional>
#include <optional>

#include "search/EvaluationBackend.h"
#include "search/Proposer.h"
#include "search/Reward.h"

namespace syno::search {

struct Dispatch {
    int64_t seq = 0;    // 1, 2, ...: the order of proposals that are evaluated
    int64_t batch = 0;  // 1, 2, ...
    Candidate candidate;
};

class SearchObserver {
public:
    virtual ~SearchObserver() = default;
    // An outcome recorded for this candidate by an earlier run (then it is not evaluated), or nullopt.
    virtual std::optional<Outcome> recorded(const Dispatch&) { return std::nullopt; }
    virtual void queued(const Dispatch&) {}
    virtual void started(const Dispatch&) {}
    virtual void finished(const Dispatch&, const Outcome&, std::optional<double> /*reward*/, double /*seconds*/,
                          bool /*replayed*/) {}
};

struct DriverOptions {
    int64_t budget = 100;  // evaluations (done or failed), replayed ones included
    int batch = 1;         // proposals in flight at once
    int64_t maxFreeRepeats = 100000;  // consecutive already-evaluated proposals before giving up
    // Asked before each batch that would evaluate something: true ends the run there (a time budget). A
    // run stopped so and resumed continues exactly as if it had not stopped.
    std::function<bool()> stop;
    // Asked of each new candidate: a reason not to evaluate it (an operator the search need not train), or
    // nullopt. A refused candidate is neither evaluated nor recorded nor counted in the budget; the
    // algorithm learns it as a failure. Must be deterministic (a resumed run refuses the same ones).
    std::function<std::optional<std::string>(const Candidate&)> refuse;
    // Asked of each proposal: the family of functions it computes (a functional fingerprint), or "" when
    // unknown. A proposal of a family evaluated before is a repeat like an equal operator: not evaluated,
    // its family's reward reported. Unset: operators are told apart by canonical form only. Deterministic.
    std::function<std::string(const Candidate&)> family;
};

struct SearchSummary {
    int64_t evaluated = 0;  // done + failed
    int64_t failed = 0;
    int64_t replayed = 0;
    int64_t repeats = 0;    // proposals equal to an evaluated operator (not evaluated again)
    int64_t sameFamily = 0; // of those, proposals of an evaluated family but another canonical form
    int64_t refused = 0;    // distinct proposals refused by DriverOptions::refuse
    bool exhausted = false; // the space ran out before the budget
    bool stopped = false;   // options.stop said so
};

class SearchDriver {
public:
    SearchDriver(Proposer& proposer, EvaluationBackend& backend, RewardOptions reward, DriverOptions options);
    SearchSummary run(SearchObserver& observer);

private:
    Proposer& proposer_;
    EvaluationBackend& backend_;
    RewardOptions reward_;
    DriverOptions options_;
};

}  // namespace syno::search
