#include "evaluation/Splits.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::evaluation {

namespace {

uint64_t splitmix64(uint64_t& state) {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

}  // namespace

std::vector<int64_t> shuffledIndices(int64_t n, uint64_t seed) {
    std::vector<int64_t> order(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
    uint64_t state = seed;
    for (int64_t i = n - 1; i > 0; --i) {
        // Modulo bias is below 2^-40 for these sizes: irrelevant, and portable, unlike std distributions.
        auto j = static_cast<int64_t>(splitmix64(state) % static_cast<uint64_t>(i + 1));
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    return order;
}

DataSplit splitTraining(const ImageSet& train, int64_t validation, int64_t subset, uint64_t seed) {
    if (validation < 1) throw Error(fmt::format("the validation set needs at least one image, not {}", validation));
    const int64_t available = train.count - validation;
    if (available < 1 || subset > available)
        throw Error(fmt::format("the training file has {} images: too few for {} validation + {} training images",
                                train.count, validation, subset));
    if (subset == 0) throw Error("the training subset needs at least one image");
    const auto order = shuffledIndices(train.count, seed);
    DataSplit split;
    split.validation.assign(order.begin(), order.begin() + validation);
    split.train.assign(order.begin() + validation, order.begin() + validation + (subset < 0 ? available : subset));
    // Normalisation from the training subset only (the validation images stay unseen), per channel: CIFAR's
    // channels differ in mean and spread, and one figure for all would leave each channel off-centre.
    const int64_t plane = train.rows * train.cols;
    for (int64_t c = 0; c < train.channels; ++c) {
        double sum = 0, sumSq = 0;
        for (int64_t i : split.train) {
            const uint8_t* p = train.pixels.data() + i * train.imageSize() + c * plane;
            for (int64_t k = 0; k < plane; ++k) {
                double v = p[k] / 255.0;
                sum += v;
                sumSq += v * v;
            }
        }
        const double n = static_cast<double>(split.train.size()) * static_cast<double>(plane);
        const double mean = sum / n;
        split.mean.push_back(static_cast<float>(mean));
        split.std.push_back(static_cast<float>(std::sqrt(std::max(sumSq / n - mean * mean, 1e-12))));
    }
    return split;
}

}  // namespace syno::evaluation
