#pragma once
// The evaluating ranks' side (every rank but 0): wait for rank 0's evaluator spec, build the evaluator
// from it, then evaluate one candidate after another until rank 0 says stop. An evaluator that cannot be
// built or that throws is reported to rank 0 (as a setup error, or as the candidate's failure), never
// thrown here: rank 0 decides.
#include <functional>
#include <memory>
#include <string>

#include "distributed/MpiSession.h"
#include "search/Evaluator.h"

namespace syno::distributed {

using EvaluatorFactory = std::function<std::unique_ptr<search::Evaluator>(const std::string& spec)>;

void serveEvaluations(const MpiSession& session, const EvaluatorFactory& make);

}  // namespace syno::distributed
