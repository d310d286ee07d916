#pragma once
// Where evaluations run. The driver submits jobs and waits for events (a job started, a job finished);
// the local backend runs them on worker threads in this process, and a distributed one (workers on other
// machines leasing jobs) can implement the same interface without touching the search. Events may come
// in any order: the driver restores the submission order itself.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "search/Evaluator.h"

namespace syno::search {

struct EvaluationEvent {
    enum class Kind { Started, Finished } kind;
    int64_t job = 0;
    Outcome outcome;  // Finished only
    double seconds = 0;  // Finished only: wall time of the evaluation
};

class EvaluationBackend {
public:
    virtual ~EvaluationBackend() = default;
    virtual void submit(int64_t job, Candidate candidate) = 0;
    // Blocks until the next event of a submitted job.
    virtual EvaluationEvent next() = 0;
    virtual int workers() const = 0;
};

// N threads sharing one Evaluator (which must be thread-safe, as the contract says). An evaluator that
// throws despite the contract yields a failed outcome carrying the message.
class LocalWorkerPool : public EvaluationBackend {
public:
    LocalWorkerPool(Evaluator& evaluator, int workers);
    ~LocalWorkerPool() override;
    LocalWorkerPool(const LocalWorkerPool&) = delete;
    LocalWorkerPool& operator=(const LocalWorkerPool&) = delete;

    void submit(int64_t job, Candidate candidate) override;
    EvaluationEvent next() override;
    int workers() const override { return static_cast<int>(threads_.size()); }

private:
    void work();

    Evaluator& evaluator_;
    std::mutex mutex_;
    std::condition_variable jobReady_, eventReady_;
    std::deque<std::pair<int64_t, Candidate>> jobs_;
    std::deque<EvaluationEvent> events_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace syno::search
