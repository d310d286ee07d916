#pragma once
// A training budget made concrete: the named budget's defaults (proxy or final) with the user's overrides
// applied and checked. Everything in it changes the numbers a run produces, so its description is the
// evaluator's fingerprint. Torch-free.
#include <cstdint>
#include <string>
#include <vector>

namespace syno::evaluation {

struct EvalSettings;

// Training is stopped as a failure when validation accuracy after `epoch` is below `minAccuracy`.
struct Milestone {
    int epoch = 1;
    double minAccuracy = 0;
};

struct Budget {
    std::string name;           // proxy | final
    int epochs = 0;
    int64_t subset = 0;         // training images
    int batch = 0;
    int64_t validation = 0;     // validation images (held out of the training file)
    double maxLr = 0.1;         // one-cycle peak
    double warmupFraction = 0.25;
    double momentum = 0.9;      // Nesterov
    double weightDecay = 5e-4;
    double clipNorm = 5;        // gradient-norm clip, as in the paper's trainer
    bool augment = true;        // random horizontal flip + translation by up to 2 pixels (roll)
    std::vector<Milestone> milestones;
    double timeLimitSeconds = 0;  // 0: none
    bool testAccuracy = true;     // evaluate on the test set after training (not needed inside a search)
    uint64_t seed = 1;
    int threads = 2;
    int latencyRuns = 20;
    std::string model;
    std::string data = "fashion-mnist";

    std::string describe() const;  // one line with every field that changes results
};

// The proxy budget (inside the search, about a minute per candidate on 2 threads) and the final one
// (re-training the best; the baseline ResNet reaches >= 90% test accuracy). Throws syno::Error for an
// unknown budget or a value out of range.
Budget resolveBudget(const EvalSettings& settings);
std::string budgetHelp();  // the two budgets' defaults, for --help

}  // namespace syno::evaluation
