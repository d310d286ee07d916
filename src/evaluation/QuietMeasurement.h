#pragma once
// When to time, and when to time again: the policy that turns a busy machine into a wait instead of a
// recorded figure. Torch-free, so that the policy is tested with fake clocks and fake measurements.
#include <functional>

namespace syno::evaluation {

struct QuietPolicy {
    double waitBudgetSeconds = 0;  // total time the point may spend waiting for quiet
    double windowSeconds = 3;      // quiet must last this long in a row: one quiet second between a
                                   // neighbour's bursts (a test suite between two tests) is not quiet
    int attempts = 3;              // measurements per quiet window before waiting again
    int waits = 3;                 // quiet windows tried; a quiet machine with a wide spread stops here
};

struct QuietOutcome {
    double waitedSeconds = 0;
    int measurements = 0;
    bool good = false;  // the last kept measurement was good
};

// Waits for quiet, measures up to `attempts` times (stopping at the first good one), and while every
// measurement so far is bad and budget is left, waits for another quiet window and measures again.
// `quietFor(window, budget)` blocks until other processes stayed quiet for `window` seconds in a row or
// `budget` seconds passed, and returns the seconds it spent. `measure()` takes one measurement and says
// whether it was good (quiet and narrow); the caller keeps the best one.
QuietOutcome measureWhenQuiet(const QuietPolicy& policy, const std::function<double(double, double)>& quietFor,
                              const std::function<bool()>& measure);

}  // namespace syno::evaluation
