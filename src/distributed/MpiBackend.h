#pragma once
// Rank 0's side of distributed evaluation: a search::EvaluationBackend whose workers are the other ranks
// of the MPI job, one candidate per rank at a time. Per result rank 0 only decodes a short message and
// hands the next queued job to the rank that sent it; the search driver's batches keep every rank busy.
// A rank that dies ends the whole job (MPI's semantics); every evaluation finished before is in the run
// database, and `syno search --resume` under a new mpirun goes on.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "distributed/MpiSession.h"
#include "search/EvaluationBackend.h"

namespace syno::distributed {

class MpiBackend final : public search::EvaluationBackend {
public:
    // Nothing is sent yet: the other ranks wait for start() or, if this is destroyed first, for the word
    // to stop (rank 0 refused to search).
    explicit MpiBackend(const MpiSession& session);
    ~MpiBackend() override;  // tells every other rank to stop
    MpiBackend(const MpiBackend&) = delete;
    MpiBackend& operator=(const MpiBackend&) = delete;

    // Sends `spec` to every other rank, which builds its evaluator from it, and waits for all to answer.
    // Throws syno::Error naming the rank when one could not build it or its evaluator's fingerprint is not
    // `fingerprint` (the run database records one evaluator).
    void start(const std::string& spec, const std::string& fingerprint);

    void submit(int64_t job, search::Candidate candidate) override;
    search::EvaluationEvent next() override;
    int workers() const override { return static_cast<int>(busy_.size()); }

private:
    void dispatch(int rank, int64_t job, const search::Candidate& candidate);

    std::vector<bool> busy_;  // per evaluating rank (rank r at r - 1)
    std::vector<bool> stopped_;
    std::deque<std::pair<int64_t, search::Candidate>> queued_;
    std::deque<search::EvaluationEvent> started_;
    int running_ = 0;
};

}  // namespace syno::distributed
