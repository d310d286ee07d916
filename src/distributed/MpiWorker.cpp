#include "distributed/MpiWorker.h"

#include <chrono>
#include <exception>

#include "distributed/Messages.h"
#include "distributed/Protocol.h"

namespace syno::distributed {

namespace {

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

search::Outcome evaluate(search::Evaluator* evaluator, const search::Candidate& candidate) {
    if (!evaluator) return search::Outcome{false, "this rank has no evaluator", {}, {}};
    try {
        return evaluator->evaluate(candidate);
    } catch (const std::exception& e) {  // as the local pool does: the candidate's failure, with the message
        return search::Outcome{false, "evaluator error: " + firstLine(e.what()), {}, {}};
    }
}

}  // namespace

void serveEvaluations(const MpiSession&, const EvaluatorFactory& make) {
    std::unique_ptr<search::Evaluator> evaluator;
    while (true) {
        MPI_Status status;
        const std::string text = receiveText(0, MPI_ANY_TAG, status);
        switch (status.MPI_TAG) {
        case kStop:
            return;
        case kSetup:
            try {
                evaluator = make(text);
                sendText(evaluator->fingerprint(), 0, kReady);
            } catch (const std::exception& e) {
                sendText(firstLine(e.what()), 0, kRefused);
            }
            break;
        case kJob: {
            const JobMessage job = decodeJob(text);
            const auto start = std::chrono::steady_clock::now();
            search::Outcome outcome = evaluate(evaluator.get(), job.candidate);
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            sendText(encode(ResultMessage{job.job, std::move(outcome), seconds}), 0, kResult);
            break;
        }
        default:
            break;  // nothing else is sent to an evaluating rank
        }
    }
}

}  // namespace syno::distributed
