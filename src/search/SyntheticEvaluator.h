#pragma once
// A deterministic stand-in for training, for tests, the benchmark and `syno search --evaluator
// synthetic`. It has the structure real rewards have: an operator's pseudo-accuracy is the mean of
// per-step values hashed from (seed, step), so good steps make good operators wherever they appear, and a
// tree search can learn them; FLOPs come from the synthesis estimate against a reference (e.g. conv2d's),
// and a pseudo latency ratio follows FLOPs with hashed noise. Optional delay (so a test can kill a search
// mid-evaluation) and failure rate (hashed per operator: deterministic).
#include <cstdint>
#include <string>

#include "search/Evaluator.h"

namespace syno::search {

struct SyntheticSettings {
    uint64_t seed = 1;
    double referenceFlops = 0;  // FLOPs of the layer replaced; 0: no FLOPs or latency ratios
    double failureRate = 0;     // share of operators that fail
    double delaySeconds = 0;    // sleep per evaluation (does not change results: not in the fingerprint)
    double baselineAccuracy = 0.8;  // about the best pseudo-accuracies: the speed reward has accurate operators to rank
};

class SyntheticEvaluator : public Evaluator {
public:
    explicit SyntheticEvaluator(SyntheticSettings settings) : settings_(settings) {}
    Outcome evaluate(const Candidate& candidate) override;
    std::string fingerprint() const override;

private:
    SyntheticSettings settings_;
};

}  // namespace syno::search
