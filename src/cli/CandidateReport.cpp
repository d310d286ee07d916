#include "cli/CandidateReport.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace syno::cli {

namespace {

std::string percent(double v) { return std::isfinite(v) ? fmt::format("{:.2f}%", 100 * v) : "-"; }

std::string points(double mine, double base) {
    return std::isfinite(mine) && std::isfinite(base) ? fmt::format(" ({:+.2f} points)", 100 * (mine - base)) : "";
}

std::string fold(double ratio, const char* better, const char* worse) {
    if (!std::isfinite(ratio) || ratio <= 0) return "";
    return ratio >= 1 ? fmt::format(" ({:.2f}x {})", ratio, better) : fmt::format(" ({:.2f}x {})", 1 / ratio, worse);
}

double median(std::vector<double> v) {
    std::erase_if(v, [](double x) { return !std::isfinite(x); });
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

void printAgainstBaseline(const std::vector<storage::CandidateRow>& rows, bool withText) {
    if (rows.empty()) {
        fmt::print("no candidate finished successfully\n");
        return;
    }
    std::vector<double> baseAcc, baseMs;
    for (const auto& r : rows) {
        baseAcc.push_back(r.metrics.baselineAccuracy);
        baseMs.push_back(r.metrics.latencyMs * r.metrics.latencyRatio);
    }
    const double acc = median(baseAcc), ms = median(baseMs);
    fmt::print("baseline (the original layers, same budget and seed): accuracy {}, latency {} at batch 1\n",
               percent(acc), std::isfinite(ms) ? fmt::format("{:.3f} ms", ms) : "-");
    for (size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const auto& m = r.metrics;
        fmt::print("{}#{} candidate {}  reward {}  accuracy {}{}  latency {}{}  FLOPs{}  canonical {}\n",
                   withText ? "\n" : "", i + 1, r.seq, std::isfinite(r.reward) ? fmt::format("{:.4f}", r.reward) : "-",
                   percent(m.accuracy), points(m.accuracy, m.baselineAccuracy),
                   std::isfinite(m.latencyMs) ? fmt::format("{:.3f} ms", m.latencyMs) : "-",
                   fold(m.latencyRatio, "faster", "slower"), fold(m.flopsRatio, "fewer", "more"), r.canonicalId);
        if (withText) fmt::print("# path: {}\n{}", r.path, r.operatorText);
    }
}

}  // namespace syno::cli
