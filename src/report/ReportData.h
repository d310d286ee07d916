#pragma once
// The run as the page's data: what the run is (options, evaluator, status, wall time, the baseline),
// every candidate with its metrics, the Pareto front and the search's progress (best reward and front
// hypervolume after each finished evaluation). Plain JSON, read by the page's script.
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/RunDatabase.h"

namespace syno::report {

struct RunData {
    nlohmann::json json;       // {"run": {...}, "candidates": [...], "progress": [...], "speed_axis": ...}
    std::set<int64_t> front;   // seqs on the Pareto front
    std::vector<int64_t> drawn;  // seqs that get a section: the front, then the best by reward (in that order)
};

// `top`: how many of the best by reward get a section besides the front.
RunData runData(storage::RunDatabase& db, const std::vector<storage::CandidateRow>& rows, int top);

// The speedup a candidate is plotted at: end-to-end latency ratio at batch 1, else its FLOPs ratio.
double speedupOf(const storage::CandidateRow& r);

}  // namespace syno::report
