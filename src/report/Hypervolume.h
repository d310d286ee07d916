#pragma once
// The area that a set of (accuracy, speedup) results dominates above the origin: one number that grows
// whenever the Pareto front improves anywhere, so a search's progress on both goals can be plotted.
#include <vector>

#include "search/Pareto.h"

namespace syno::report {

// Area of the union of the boxes [0, speedup] x [0, accuracy]; points with a NaN or negative coordinate
// count for nothing.
double hypervolume(const std::vector<search::ParetoPoint>& points);

// The front kept up to date one point at a time (the progress plot adds results in finishing order).
class IncrementalFront {
public:
    void add(search::ParetoPoint p);
    double hypervolume() const { return report::hypervolume(front_); }

private:
    std::vector<search::ParetoPoint> front_;
};

}  // namespace syno::report
