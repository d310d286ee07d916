#include "evaluation/QuietMeasurement.h"

#include <algorithm>

namespace syno::evaluation {

QuietOutcome measureWhenQuiet(const QuietPolicy& policy, const std::function<double(double, double)>& quietFor,
                              const std::function<bool()>& measure) {
    QuietOutcome out;
    const int attempts = std::max(1, policy.attempts);
    const int waits = std::max(1, policy.waits);
    for (int w = 0; w < waits; ++w) {
        const double left = std::max(0.0, policy.waitBudgetSeconds - out.waitedSeconds);
        out.waitedSeconds += quietFor(policy.windowSeconds, left);
        for (int a = 0; a < attempts && !out.good; ++a) {
            ++out.measurements;
            out.good = measure();
        }
        // Once the budget is spent, another round would time the same busy machine again.
        if (out.good || out.waitedSeconds >= policy.waitBudgetSeconds) break;
    }
    return out;
}

}  // namespace syno::evaluation
