#include "distributed/MpiBackend.h"

#include <fmt/format.h>

#include "base/Error.h"
#include "distributed/Messages.h"
#include "distributed/Protocol.h"

namespace syno::distributed {

MpiBackend::MpiBackend(const MpiSession& session)
    : busy_(static_cast<size_t>(session.size() - 1), false), stopped_(busy_.size(), false) {}

MpiBackend::~MpiBackend() {
    // Only after an error can jobs still be running: their results are awaited (a rank blocked sending
    // one would never see the word to stop).
    MPI_Status status;
    for (; running_ > 0; --running_) receiveText(MPI_ANY_SOURCE, kResult, status);
    for (size_t i = 0; i < busy_.size(); ++i)
        if (!stopped_[i]) sendText("", static_cast<int>(i) + 1, kStop);
}

void MpiBackend::start(const std::string& spec, const std::string& fingerprint) {
    const int ranks = static_cast<int>(busy_.size());
    for (int r = 1; r <= ranks; ++r) sendText(spec, r, kSetup);
    // Every rank answers before anything is decided, so none is left mid-conversation.
    std::string problem;
    for (int r = 1; r <= ranks; ++r) {
        MPI_Status status;
        const std::string answer = receiveText(r, MPI_ANY_TAG, status);
        if (!problem.empty()) continue;
        if (status.MPI_TAG == kRefused)
            problem = fmt::format("evaluating rank {} could not start: {}", r, answer);
        else if (answer != fingerprint)
            problem = fmt::format("evaluating rank {} built another evaluator ({}, not {}): do all ranks run the "
                                  "same syno?", r, answer, fingerprint);
    }
    if (!problem.empty()) throw Error(problem);
}

void MpiBackend::dispatch(int rank, int64_t job, const search::Candidate& candidate) {
    busy_[static_cast<size_t>(rank - 1)] = true;
    ++running_;
    sendText(encode(JobMessage{job, candidate}), rank, kJob);
    started_.push_back({search::EvaluationEvent::Kind::Started, job, {}, 0});
}

void MpiBackend::submit(int64_t job, search::Candidate candidate) {
    for (size_t i = 0; i < busy_.size(); ++i)
        if (!busy_[i]) return dispatch(static_cast<int>(i) + 1, job, candidate);
    queued_.emplace_back(job, std::move(candidate));
}

search::EvaluationEvent MpiBackend::next() {
    if (!started_.empty()) {
        search::EvaluationEvent e = std::move(started_.front());
        started_.pop_front();
        return e;
    }
    if (running_ == 0) throw Error("the search waited for an evaluation that was never submitted");
    MPI_Status status;
    ResultMessage result = decodeResult(receiveText(MPI_ANY_SOURCE, kResult, status));
    --running_;
    busy_[static_cast<size_t>(status.MPI_SOURCE - 1)] = false;
    if (!queued_.empty()) {
        auto [job, candidate] = std::move(queued_.front());
        queued_.pop_front();
        dispatch(status.MPI_SOURCE, job, candidate);
    }
    return {search::EvaluationEvent::Kind::Finished, result.job, std::move(result.outcome), result.seconds};
}

}  // namespace syno::distributed
