#include "search/SyntheticEvaluator.h"

#include <chrono>
#include <cmath>
#include <thread>

#include <fmt/format.h>

#include "base/StableHash.h"

namespace syno::search {

namespace {
double unit(uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }
}  // namespace

Outcome SyntheticEvaluator::evaluate(const Candidate& c) {
    if (settings_.delaySeconds > 0)
        std::this_thread::sleep_for(std::chrono::duration<double>(settings_.delaySeconds));
    const uint64_t opHash = hashCombine(settings_.seed, hashString(c.canonicalId));
    if (unit(hashCombine(opHash, 0xfa11)) < settings_.failureRate)
        return {false, "synthetic failure (hashed from the operator)", {}, {}};
    // Steps are "kind:key" items of the path; each has a value in [0, 1) fixed by the seed.
    double sum = 0;
    int steps = 0;
    size_t pos = 0;
    while (pos < c.path.size()) {
        size_t end = c.path.find('/', pos);
        if (end == std::string::npos) end = c.path.size();
        sum += unit(hashCombine(settings_.seed, hashString(std::string_view(c.path).substr(pos, end - pos))));
        ++steps;
        pos = end + 1;
    }
    const double quality = steps ? sum / steps : 0.0;
    Outcome out;
    out.ok = true;
    Metrics& m = out.metrics;
    m.accuracy = 0.5 + 0.45 * std::pow(quality, 1.5);
    m.testAccuracy = m.accuracy;
    m.baselineAccuracy = settings_.baselineAccuracy;
    m.trainSeconds = settings_.delaySeconds;
    if (settings_.referenceFlops > 0 && std::isfinite(c.operatorFlops) && c.operatorFlops > 0) {
        m.flops = c.operatorFlops;
        m.params = c.operatorParams;
        m.flopsRatio = settings_.referenceFlops / c.operatorFlops;
        m.latencyRatio = std::pow(m.flopsRatio, 0.7) * (0.9 + 0.2 * unit(hashCombine(opHash, 0x1a7)));
    }
    return out;
}

std::string SyntheticEvaluator::fingerprint() const {
    return fmt::format("synthetic v1 seed={} reference-flops={:.6g} failure-rate={} baseline={}", settings_.seed,
                       settings_.referenceFlops, settings_.failureRate, settings_.baselineAccuracy);
}

}  // namespace syno::search
