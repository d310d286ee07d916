#pragma once
// The Pareto front of accuracy against speed (latency ratio, or FLOPs ratio when latency was not
// measured): the results no other result beats on both. Higher is better on both axes.
#include <cstddef>
#include <vector>

namespace syno::search {

struct ParetoPoint {
    double accuracy;
    double speedup;
};

// Indices of the non-dominated points, by decreasing accuracy. Points with a NaN coordinate are skipped;
// of equal points the first is kept.
std::vector<size_t> paretoFront(const std::vector<ParetoPoint>& points);

}  // namespace syno::search
