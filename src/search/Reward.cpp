#include "search/Reward.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::search {

void checkRewardOptions(const RewardOptions& o) {
    if (o.kind != "accuracy" && o.kind != "speed")
        throw Error(fmt::format("unknown reward '{}' (accuracy, speed)", o.kind));
    if (!(o.lowerBound < o.upperBound)) throw Error("the reward's lower bound must be below its upper bound");
    if (!(o.power > 0)) throw Error("the reward's power must be positive");
    if (!(o.targetSpeedup > 1)) throw Error("the target speedup must be above 1");
    if (!(o.latencyWeight >= 0 && o.latencyWeight <= 1)) throw Error("the latency weight must lie in [0, 1]");
}

double accuracyReward(double accuracy, const RewardOptions& o) {
    double x = (std::max(accuracy, o.lowerBound) - o.lowerBound) / (o.upperBound - o.lowerBound);
    return std::pow(std::clamp(x, 0.0, 1.0), o.power);
}

double combinedSpeedup(const Metrics& m, const RewardOptions& o) {
    const bool lat = std::isfinite(m.latencyRatio) && m.latencyRatio > 0;
    const bool fl = std::isfinite(m.flopsRatio) && m.flopsRatio > 0;
    if (lat && fl) return std::pow(m.latencyRatio, o.latencyWeight) * std::pow(m.flopsRatio, 1 - o.latencyWeight);
    if (lat) return m.latencyRatio;
    if (fl) return m.flopsRatio;
    return kNotMeasured;
}

std::optional<double> reward(const Outcome& outcome, const RewardOptions& o) {
    if (!outcome.ok || !std::isfinite(outcome.metrics.accuracy)) return std::nullopt;
    const Metrics& m = outcome.metrics;
    const double accR = accuracyReward(m.accuracy, o);
    if (o.kind == "accuracy") return accR;
    const double speedup = combinedSpeedup(m, o);
    const double baseline = std::isfinite(m.baselineAccuracy) ? m.baselineAccuracy : o.upperBound;
    if (m.accuracy < baseline - o.maxAccuracyLoss || !std::isfinite(speedup)) return 0.5 * accR;
    return 0.5 + 0.5 * std::clamp(std::log(speedup) / std::log(o.targetSpeedup), 0.0, 1.0);
}

}  // namespace syno::search

namespace syno::search {

std::optional<double> feedback(const Outcome& outcome, const RewardOptions& o) {
    std::optional<double> r = reward(outcome, o);
    if (!r && o.kind == "speed") return 0.0;
    return r;
}

}  // namespace syno::search
