#include "evaluation/LatencyEstimate.h"

#include <algorithm>

#include "base/Error.h"

namespace syno::evaluation {

namespace {

double quantile(std::vector<double> v, double q) {
    std::sort(v.begin(), v.end());
    const double pos = q * static_cast<double>(v.size() - 1);
    const auto lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace

LatencyPoint estimateLatency(const TimedRounds& r, const LatencySettings& settings) {
    if (r.candidateMs.empty() || r.candidateMs.size() != r.baselineMs.size())
        throw Error("a latency estimate needs the same number (> 0) of rounds of both networks");
    std::vector<double> ratios;
    for (size_t i = 0; i < r.candidateMs.size(); ++i) ratios.push_back(r.baselineMs[i] / r.candidateMs[i]);
    LatencyPoint p;
    p.rounds = static_cast<int>(r.candidateMs.size());
    p.otherCores = r.otherCores;
    const double mid = quantile(ratios, 0.5);
    p.spread = (quantile(ratios, 0.75) - quantile(ratios, 0.25)) / mid;
    p.noisy = p.spread > settings.maxSpread || p.otherCores > settings.busyCores;
    if (p.noisy) {
        p.ms = *std::min_element(r.candidateMs.begin(), r.candidateMs.end());
        p.baselineMs = *std::min_element(r.baselineMs.begin(), r.baselineMs.end());
        p.estimator = "fastest";
    } else {
        p.ms = quantile(r.candidateMs, 0.5);
        p.baselineMs = quantile(r.baselineMs, 0.5);
        p.estimator = "median";
    }
    p.ratio = p.baselineMs / p.ms;
    return p;
}

}  // namespace syno::evaluation
