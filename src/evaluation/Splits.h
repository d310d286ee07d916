#pragma once
// Deterministic splits of Fashion-MNIST's training file into a validation set and a training subset, and
// the normalisation measured on that subset. The shuffle is a portable generator (splitmix64 +
// Fisher-Yates), so the same seed picks the same images on every machine. Torch-free.
#include <cstdint>
#include <vector>

#include "evaluation/FashionMnist.h"

namespace syno::evaluation {

// The split seed is fixed apart from the training seed: changing --seed retrains on the same images.
inline constexpr uint64_t kSplitSeed = 0x5EED5EED;

struct DataSplit {
    std::vector<int64_t> train;       // indices into the training file
    std::vector<int64_t> validation;  // disjoint from train
    // Per channel (one for Fashion-MNIST, three for CIFAR): the training subset's pixels scaled to [0, 1].
    std::vector<float> mean, std;
};

// 0..n-1 in an order that depends only on seed.
std::vector<int64_t> shuffledIndices(int64_t n, uint64_t seed);

// The first `validation` images of a fixed shuffle validate; the next `subset` (all the rest when
// subset < 0) train. Throws syno::Error when the file has too few images.
DataSplit splitTraining(const ImageSet& train, int64_t validation, int64_t subset, uint64_t seed = kSplitSeed);

}  // namespace syno::evaluation
