#include "search/Pareto.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace syno::search {

std::vector<size_t> paretoFront(const std::vector<ParetoPoint>& points) {
    std::vector<size_t> order;
    for (size_t i = 0; i < points.size(); ++i)
        if (std::isfinite(points[i].accuracy) && std::isfinite(points[i].speedup)) order.push_back(i);
    // By accuracy descending, then speedup descending: a point is on the front when it is faster than
    // every point before it.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (points[a].accuracy != points[b].accuracy) return points[a].accuracy > points[b].accuracy;
        return points[a].speedup > points[b].speedup;
    });
    std::vector<size_t> front;
    double fastest = -INFINITY;
    for (size_t i : order)
        if (points[i].speedup > fastest) {
            front.push_back(i);
            fastest = points[i].speedup;
        }
    return front;
}

}  // namespace syno::search
