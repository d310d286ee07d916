#pragma once
// A training's state between epochs, in one file: the network's parameters and buffers, the optimizer's
// momentum, the random generator and the curves so far. A training that resumes from it takes the same
// steps as one that was never stopped (bit for bit with one thread), so a final training of an hour or more
// survives a kill and loses at most the epoch it was in. Includes torch: only for Training.cpp and tests.
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace syno::evaluation {

struct TrainingProgress {
    int epochsDone = 0;
    double seconds = 0;  // wall time spent training and validating so far, over every process
    double bestValidation = 0;
    std::vector<double> validationByEpoch;
    std::vector<double> trainLossByEpoch;
};

// `key` names the job (model, data, budget, operator); a resume checks it. Written atomically (a kill
// mid-write leaves the previous epoch's file). Throws syno::Error when the file cannot be written.
void saveCheckpoint(const std::string& path, const std::string& key, torch::nn::Module& net,
                    torch::optim::Optimizer& optimizer, const at::Generator& gen, const TrainingProgress& progress);

// nullopt when there is no file at `path`. Otherwise restores net, optimizer and generator and returns the
// progress. Throws syno::Error (one line) when the file is unreadable, was written for another key, or does
// not fit the network; the network may then be half-restored, so the caller starts a new one.
std::optional<TrainingProgress> loadCheckpoint(const std::string& path, const std::string& key, torch::nn::Module& net,
                                               torch::optim::Optimizer& optimizer, at::Generator& gen);

}  // namespace syno::evaluation
