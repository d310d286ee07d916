#pragma once
// The contract between the search and whatever measures a candidate operator (training on real data, a
// synthetic reward in tests and benchmarks, later a remote worker). Torch-free, so the search layer never
// depends on libtorch; the evaluation layer implements it.
#include <cstdint>
#include <limits>
#include <string>

namespace syno::search {

inline constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();

// What one evaluation measured. Fields that an evaluator does not measure stay NaN.
struct Metrics {
    double accuracy = kNotMeasured;          // best validation accuracy, in [0, 1]
    double testAccuracy = kNotMeasured;      // test accuracy of the same model, in [0, 1]
    double baselineAccuracy = kNotMeasured;  // the same model with its original layers, same budget
    double flops = kNotMeasured;             // whole-model forward FLOPs per sample
    double flopsRatio = kNotMeasured;        // baseline FLOPs / model FLOPs (> 1: fewer FLOPs)
    double params = kNotMeasured;            // whole-model parameters
    double latencyMs = kNotMeasured;         // whole-model inference latency, batch 1, median
    double latencyRatio = kNotMeasured;      // baseline latency / model latency (> 1: faster)
    double trainSeconds = kNotMeasured;      // wall time of the training
};

// One operator to evaluate. The text form is the operator (self-contained); the id and path identify it.
struct Candidate {
    std::string operatorText;  // `syno-operator 1` text form
    std::string canonicalId;   // canonical hash, hex
    std::string path;          // synthesis path that reaches it ("kind:keyhex/...")
    // The synthesis layer's estimates for the operator alone (staged FLOPs and weight elements, summed
    // over the bindings); NaN when unknown. Evaluators may use them; the search never requires them.
    double operatorFlops = kNotMeasured;
    double operatorParams = kNotMeasured;
    // The family of functions it computes (a functional fingerprint, hex), set by the search when it tells
    // families apart (DriverOptions::family); empty when unknown. Recorded with the candidate.
    std::string family{};
};

struct Outcome {
    bool ok = false;
    std::string failure;  // one line, when !ok (e.g. "loss is NaN at step 12", "accuracy 0.31 < milestone 0.5 after epoch 1")
    Metrics metrics;
    std::string details;  // the evaluator's further measurements as a JSON object (may be empty), stored as is
};

// Evaluates one candidate. Implementations must be deterministic for the same candidate and options, must
// not throw for a bad candidate (return !ok with the reason instead), and must be safe to call from several
// worker threads at once.
class Evaluator {
public:
    virtual ~Evaluator() = default;
    virtual Outcome evaluate(const Candidate& candidate) = 0;
    // Everything that changes the results (model, budget, data subset, seeds), as a stable one-line string:
    // a run database records it and refuses to resume with a different one.
    virtual std::string fingerprint() const = 0;
};

}  // namespace syno::search
