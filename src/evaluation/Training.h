#pragma once
// Training a model (baseline or with an operator in its placeholders) on Fashion-MNIST at a budget:
// SGD with Nesterov momentum, a one-cycle learning rate (cosine warm-up to the peak over the first quarter,
// cosine decay to peak/25e4), gradient-norm clipping, weight decay, flip + shift augmentation, batch norm.
// Every random draw comes from one generator seeded by the budget, so the same seed gives the same numbers
// (exactly with one thread). A NaN/inf loss, a missed milestone or the time limit ends training as a
// failure with a one-line reason; nothing here throws for a bad operator. A job with a checkpoint folder
// survives a kill (TrainingCheckpoint.h). Torch-free header.
#include <cstdint>
#include <string>
#include <vector>

#include "evaluation/Budget.h"
#include "evaluation/FashionMnist.h"
#include "evaluation/ModelCatalog.h"
#include "evaluation/Splits.h"
#include "ir/Operator.h"

namespace syno::evaluation {

struct TrainingJob {
    const ModelLayout* layout = nullptr;
    const Operator* op = nullptr;     // nullptr: the baseline
    const SizeContext* ctx = nullptr; // placeholderContext(*layout, *op) when op is set
    const ImageData* data = nullptr;
    const DataSplit* split = nullptr;
    Budget budget;
    bool progress = false;            // progress bar on stderr, when it is a terminal
    std::string label;                // shown in the progress bar
    // Per epoch (from the first), the validation accuracy below which training stops as hopeless: the
    // baseline's after that epoch less a margin. Empty: no such check.
    std::vector<double> killBelow;
    // After a successful training: the trained network as a TorchScript archive here (ScriptNetwork.h), and
    // beside it PATH.json: model, data set and normalisation, accuracies, parameters, the operator, seed,
    // syno's version, and the predictions on the first 1,000 test images (an export must reproduce them).
    std::string exportPath;
    // After each epoch the training's state goes to a file in this folder, named after the job (operator id
    // and a hash of model, data, budget and operator); a training that finds its file resumes after that
    // epoch, with the same numbers as if never stopped. The file is removed once training has an outcome.
    // Empty: no checkpoints.
    std::string checkpointDir;
};

struct TrainResult {
    bool ok = false;
    std::string failure;                    // one line when !ok
    double bestValidation = 0;              // in [0, 1]
    double testAccuracy = 0;                // of the final model, on the 10,000 test images
    double seconds = 0;                     // wall time of training and validation
    int64_t params = 0;
    std::vector<double> validationByEpoch;
    std::vector<double> trainLossByEpoch;  // mean over each epoch's steps
};

TrainResult trainModel(const TrainingJob& job);

// The wall-clock seconds a training may run before it fails: the budget's limit while the machine was
// quiet (other processes below half a core on average since the training started), and 1 + otherCores
// times it (at most 4) while it was not, so that a neighbour's load cannot fail a candidate.
double timeLimitUnderLoad(double limitSeconds, double otherCores);

}  // namespace syno::evaluation
