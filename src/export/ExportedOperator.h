#pragma once
// What an export of one operator holds, whatever its format: per binding (a layer it replaces), the sizes
// its constructor takes, its weights' shapes and initialisation, and the plans it runs for training and for
// inference at each batch variant. Torch-free: the emitters turn it into source text.
#include <cstdint>
#include <string>
#include <vector>

#include "export/BatchVariants.h"
#include "ir/Operator.h"

namespace syno::exports {

struct ExportOptions {
    std::string className = "Op";
    std::string batchVariable = "N";
    std::vector<int64_t> batches = {1, 16};  // served by plans of their own; every other batch by the general one
    std::vector<int> bindings;              // which of the context's bindings (empty: all)
};

struct ExportedBinding {
    std::vector<int64_t> sizes;              // the constructor's arguments, in ExportedOperator::sizeNames order
    std::string text;                        // "C_in=64, C_out=64, H=56, W=56"
    std::vector<int64_t> inputTail;          // the input's shape after the batch axis
    std::vector<std::vector<int64_t>> weightShapes;
    std::vector<double> initStd;             // per weight (PlanModule's initialisation)
    // Parallel lists, one entry per variant: the fixed batches first, then the general one when it fits.
    std::vector<BatchVariant> training, inference;
    std::string generalMissing;              // why no general variant, when there is none
};

struct ExportedOperator {
    std::string className;
    std::string idHex;
    std::string text;                        // the operator's text form
    std::string loops;                       // its loop nest
    std::vector<std::string> sizeNames;      // the primaries other than the batch, as constructor arguments
    bool batched = false;                    // the input's first axis is the batch variable
    int weights = 0;
    std::vector<ExportedBinding> bindings;
};

// Compiles the plans (weight ops unfused, so that the code stays standard torch calls) for every chosen
// binding. Throws syno::Error when the operator does not fit a binding, needs padding, or a requested
// batch or binding does not exist.
ExportedOperator prepareExport(const Operator& op, const SizeContext& ctx, const ExportOptions& options);

}  // namespace syno::exports
