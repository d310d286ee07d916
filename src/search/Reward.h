#pragma once
// Rewards in [0, 1] from what an evaluation measured; a failed or unmeasured evaluation has none.
//  - accuracy (the paper's): ((max(acc, lb) - lb) / (ub - lb))^power, clipped to [0, 1].
//  - speed: faster operators at bounded accuracy loss. The speedup is measured latency ratio and FLOPs
//    ratio combined geometrically (latency weighted by `latencyWeight`; either alone when the other is
//    missing). An operator within `maxAccuracyLoss` of the baseline's accuracy scores
//    0.5 + 0.5 * clip(log(speedup) / log(targetSpeedup), 0, 1); a less accurate one scores half its
//    accuracy reward, so the search still climbs toward accuracy first.
#include <optional>
#include <string>

#include "search/Evaluator.h"

namespace syno::search {

struct RewardOptions {
    std::string kind = "accuracy";  // accuracy | speed
    double lowerBound = 0.5;
    double upperBound = 0.95;
    double power = 2;
    double maxAccuracyLoss = 0.02;  // speed: accuracy below baseline - this counts as inaccurate
    double targetSpeedup = 2;       // speed: the speedup that earns the full reward
    double latencyWeight = 0.75;    // speed: share of latency (vs FLOPs) in the combined speedup
};

// Throws syno::Error for an unknown kind or bounds that are not lb < ub, power > 0.
void checkRewardOptions(const RewardOptions& options);
double accuracyReward(double accuracy, const RewardOptions& options);
// The speedup a speed reward sees (NaN when neither ratio was measured).
double combinedSpeedup(const Metrics& m, const RewardOptions& options);
// nullopt for a failed outcome or one without an accuracy.
std::optional<double> reward(const Outcome& outcome, const RewardOptions& options);
// What the search algorithm learns from an outcome: its reward; for a failed one, nothing under the
// accuracy reward (a failure says little about accuracy) but 0 under the speed reward, whose evaluator
// fails candidates for being too slow or hopelessly inaccurate, which is exactly what it must avoid.
std::optional<double> feedback(const Outcome& outcome, const RewardOptions& options);

}  // namespace syno::search
