#include "report/Hypervolume.h"

#include <algorithm>
#include <cmath>

namespace syno::report {

namespace {

bool usable(const search::ParetoPoint& p) {
    return std::isfinite(p.accuracy) && std::isfinite(p.speedup) && p.accuracy > 0 && p.speedup > 0;
}

}  // namespace

double hypervolume(const std::vector<search::ParetoPoint>& points) {
    std::vector<search::ParetoPoint> ps;
    for (const auto& p : points)
        if (usable(p)) ps.push_back(p);
    // Sweep from the fastest down: each point adds the strip of accuracy above what faster points cover.
    std::sort(ps.begin(), ps.end(), [](const auto& a, const auto& b) { return a.speedup > b.speedup; });
    double area = 0, covered = 0;
    for (size_t i = 0; i < ps.size(); ++i) {
        covered = std::max(covered, ps[i].accuracy);
        const double next = i + 1 < ps.size() ? ps[i + 1].speedup : 0;
        area += covered * (ps[i].speedup - next);
    }
    return area;
}

void IncrementalFront::add(search::ParetoPoint p) {
    if (!usable(p)) return;
    for (const auto& q : front_)
        if (q.accuracy >= p.accuracy && q.speedup >= p.speedup) return;  // dominated (or equal)
    std::erase_if(front_, [&](const auto& q) { return p.accuracy >= q.accuracy && p.speedup >= q.speedup; });
    front_.push_back(p);
}

}  // namespace syno::report
