#pragma once
// Count, mean and variance of rewards, with virtual losses for evaluations still in flight: an in-flight
// evaluation counts as a visit with reward 0 until it reports, which steers parallel selections apart.
#include <algorithm>
#include <cmath>

namespace syno::search {

struct RunningStats {
    int n = 0;
    double sum = 0;
    double sumSq = 0;
    int virtualLoss = 0;

    void add(double r) {
        ++n;
        sum += r;
        sumSq += r * r;
    }
    int visits() const { return n + virtualLoss; }  // effective visits, in-flight included
    double mean() const { return n ? sum / n : 0.0; }
    double variance() const { return n ? std::max(0.0, sumSq / n - mean() * mean()) : 0.0; }
    // Mean over effective visits: pending evaluations count as reward 0 (virtual loss).
    double pessimisticMean() const { return visits() ? sum / visits() : 0.0; }
};

}  // namespace syno::search
