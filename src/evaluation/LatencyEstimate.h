#pragma once
// From the timed rounds of one latency attempt to the figure kept: medians and the spread of the
// per-round ratios on a quiet machine; on a point that is busy or wide, the ratio of the fastest rounds
// instead, since a neighbour only ever adds time, and adds more of it to an operator's many small
// kernels than to the original network's few large ones. Torch-free, so that it is tested on made-up rounds.
#include <vector>

#include "evaluation/Latency.h"

namespace syno::evaluation {

struct TimedRounds {
    std::vector<double> candidateMs, baselineMs;  // one of each per round, interleaved
    double otherCores = 0;                        // other processes' CPU per wall second meanwhile
};

// Fills ms, baselineMs, ratio, spread, otherCores, rounds, noisy and estimator. Needs at least one round.
LatencyPoint estimateLatency(const TimedRounds& rounds, const LatencySettings& settings);

}  // namespace syno::evaluation
