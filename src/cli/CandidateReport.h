#pragma once
// Candidates of a run printed against the original network they were measured with: accuracy in points,
// latency and FLOPs as x-fold, the baseline's own figures first. Shared by `syno search`'s summary and
// `syno runs top`.
#include <vector>

#include "storage/RunDatabase.h"

namespace syno::cli {

// The baseline line (accuracy at the run's budget, latency at batch 1 on the deployment instance, as the
// median over the candidates it was timed beside), then each row with its deltas and, when withText, its
// operator. Prints "no candidate finished successfully" for no rows.
void printAgainstBaseline(const std::vector<storage::CandidateRow>& rows, bool withText);

}  // namespace syno::cli
