#include "search/EvaluationBackend.h"

#include <chrono>
#include <exception>

namespace syno::search {

LocalWorkerPool::LocalWorkerPool(Evaluator& evaluator, int workers) : evaluator_(evaluator) {
    for (int i = 0; i < std::max(workers, 1); ++i) threads_.emplace_back([this] { work(); });
}

LocalWorkerPool::~LocalWorkerPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    jobReady_.notify_all();
    for (auto& t : threads_) t.join();
}

void LocalWorkerPool::submit(int64_t job, Candidate candidate) {
    {
        std::lock_guard lock(mutex_);
        jobs_.emplace_back(job, std::move(candidate));
    }
    jobReady_.notify_one();
}

EvaluationEvent LocalWorkerPool::next() {
    std::unique_lock lock(mutex_);
    eventReady_.wait(lock, [&] { return !events_.empty(); });
    EvaluationEvent e = std::move(events_.front());
    events_.pop_front();
    return e;
}

void LocalWorkerPool::work() {
    while (true) {
        std::pair<int64_t, Candidate> job;
        {
            std::unique_lock lock(mutex_);
            jobReady_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (stopping_) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
            events_.push_back({EvaluationEvent::Kind::Started, job.first, {}, 0});
        }
        eventReady_.notify_all();
        auto start = std::chrono::steady_clock::now();
        Outcome outcome;
        try {
            outcome = evaluator_.evaluate(job.second);
        } catch (const std::exception& e) {
            outcome = Outcome{false, std::string("evaluator error: ") + e.what(), {}, {}};
        }
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        {
            std::lock_guard lock(mutex_);
            events_.push_back({EvaluationEvent::Kind::Finished, job.first, std::move(outcome), seconds});
        }
        eventReady_.notify_all();
    }
}

}  // namespace syno::search
