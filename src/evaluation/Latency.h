#pragma once
// Whole-model inference latency of a model with an operator in its placeholders against the same model
// with its original layers, timed in one run with the two interleaved (noise hits both alike). Latency does
// not depend on trained values, so both models are freshly initialised. Torch-free header.
#include "evaluation/ModelCatalog.h"
#include "ir/Operator.h"

namespace syno::evaluation {

struct ModelLatency {
    double ms1 = 0, baselineMs1 = 0;    // batch 1, median
    double ms64 = 0, baselineMs64 = 0;  // batch 64, median
    int runs = 0;
};

// op == nullptr times the baseline against itself. runs >= 1 timed runs per model and batch after 3 warm-up
// runs each. Throws syno::Error (or a libtorch error) when the operator cannot run.
ModelLatency measureModelLatency(const ModelLayout& layout, const Operator* op, const SizeContext* ctx, int runs);

}  // namespace syno::evaluation
