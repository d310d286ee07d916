#pragma once
// The search's view of evaluation: a search::Evaluator that trains a model whose placeholders run the
// candidate operator, and the symbolic problem that those placeholders pose. Torch-free header.
//
// A candidate is trained at a budget (Budget.h) on Fashion-MNIST; its metrics are compared with the same
// model built from its original layers (torch conv2d / linear), trained once per evaluator at the same
// budget and seed. Latency is whole-model inference, candidate and baseline timed in the same run.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "evaluation/Budget.h"
#include "evaluation/Latency.h"
#include "search/Evaluator.h"

namespace syno::evaluation {

// What the placeholders of a model ask an operator to be: variable specs, shapes and one binding per
// distinct placeholder, in the syntax of sizes/Parse.h (the same strings `syno sample` accepts).
struct PlaceholderSpec {
    std::string primaries;     // e.g. "N=1: 0, C_in=16: 2, C_out=16: 4, H=28: 0, W=28: 0"
    std::string coefficients;  // e.g. "k=3: 2, s=2: 2, g=4: 3": chosen to divide every binding of the model
    std::string input;         // e.g. "[N, C_in, H, W]" (H = W in every binding)
    std::string output;        // e.g. "[N, C_out, H, W]"
    std::string bindings;      // e.g. "N=1, C_in=16, C_out=16, H=28, W=28; N=1, C_in=16, C_out=32, H=14, W=14; ..."
};

// Throws syno::Error naming the known models for an unknown one.
PlaceholderSpec placeholderSpec(const std::string& model);

struct EvalSettings {
    std::string model = "resnet";  // see modelNames() and `syno eval --help`
    std::string budget = "proxy";  // proxy (inside the search) | final (re-training the best)
    int epochs = -1;               // -1: the budget's default
    int64_t subset = -1;           // training images; -1: the budget's default
    int batch = -1;                // -1: the budget's default
    double maxLr = -1;             // one-cycle peak learning rate; -1: the budget's default
    int threads = 2;               // libtorch intra-op threads (process-wide: set when the evaluator is made)
    double timeLimitSeconds = 0;   // 0: none; training stops (as a failure) past it
    uint64_t seed = 1;
    std::string dataSet = "fashion-mnist";  // or cifar10, cifar100 (real networks only)
    std::string dataDir;                   // "": Debian's Fashion-MNIST; CIFAR's binary distribution otherwise
    bool measureLatency = true;    // whole-network latency (deployment instance) against the baseline, same run
    int latencyRuns = 15;          // interleaved rounds per batch and thread count (medians), after warm-up
    std::vector<int64_t> latencyBatches{1, 16};
    std::vector<int> latencyThreads;  // empty: {threads}
    double quietWaitSeconds = 0;      // before timing, wait up to this long for other processes to go quiet
    // Before training: a candidate whose batch-1 latency ratio (at the first latency thread count) is
    // below this is not trained (0: always train). A speed search has no use for slower operators.
    double minSpeedup = 0;
    // During training: a candidate whose validation accuracy after an epoch is more than this below the
    // baseline's after the same epoch stops as hopeless (0: never). Needs the baseline.
    double killMargin = 0;
    bool progress = false;         // draw a progress bar on stderr when it is a terminal
    bool trainBaseline = true;     // false: no baseline training (sweeps that trained it once); no accuracy deltas
    // After training, save the trained network (the candidate's; the baseline's in baselineReport) as a
    // TorchScript archive here, with a JSON sidecar beside it (Training.h). Empty: no export.
    std::string exportPath;
    // Each training saves its state here after every epoch and resumes from it (Training.h): a killed
    // final training loses at most one epoch. Empty: no checkpoints.
    std::string checkpointDir;
};

// Everything one evaluation measured, for the CLI: the candidate's outcome, the baseline's metrics at the
// same budget, and what search::Metrics has no field for.
struct EvalReport {
    search::Outcome outcome;             // the candidate (the baseline itself for baselineReport)
    search::Metrics baseline;            // the original layers at the same budget and seed
    ModelLatency latency;                // deployment instance, every batch and thread count asked for
    std::vector<PlaceholderLatency> placeholders;  // each kind of placeholder alone (batch 1, first thread count)
    std::vector<double> validationByEpoch;  // the candidate's validation accuracy after each epoch
    std::vector<double> trainLossByEpoch;   // its mean training loss in each epoch
    std::vector<double> baselineValidationByEpoch;
    std::string operatorId;              // hex, empty for the baseline
};

// The report's measurements beyond search::Metrics, as one JSON object (stored as Outcome::details):
// latency points with their spread, validation curves.
std::string detailsJson(const EvalReport& report);

class TrainingEvaluator final : public search::Evaluator {
public:
    // Loads the data set (syno::Error naming the Debian package when it is missing), resolves the budget
    // and sets libtorch's thread count.
    explicit TrainingEvaluator(const EvalSettings& settings);
    ~TrainingEvaluator() override;
    TrainingEvaluator(const TrainingEvaluator&) = delete;
    TrainingEvaluator& operator=(const TrainingEvaluator&) = delete;

    search::Outcome evaluate(const search::Candidate& candidate) override;
    std::string fingerprint() const override;

    EvalReport report(const search::Candidate& candidate);
    EvalReport baselineReport();  // trains (once) and measures only the original model
    const Budget& budget() const;
    const PlaceholderSpec& spec() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// The baseline (original layers) is trained once, lazily, and its accuracy and latency are shared by every
// candidate. Throws syno::Error at construction for a missing data set or unknown model.
std::unique_ptr<search::Evaluator> makeTrainingEvaluator(const EvalSettings& settings);

}  // namespace syno::evaluation
