#pragma once
// A dense row-major tensor of doubles: the reference interpreter's value type. Deliberately simple;
// fast execution belongs to execution plans on libtorch.
#include <cstdint>
#include <string>
#include <vector>

namespace syno {

struct Tensor {
    std::vector<int64_t> shape;
    std::vector<double> data;

    static Tensor zeros(std::vector<int64_t> shape);
    // Deterministic pseudo-random values in [-1, 1) from a seed (portable, not <random>'s distributions).
    static Tensor random(std::vector<int64_t> shape, uint64_t seed);
    int64_t numel() const { return static_cast<int64_t>(data.size()); }
    std::vector<int64_t> strides() const;

    // Copy of this tensor placed at `offset` inside a zero tensor of `shape` (centre padding).
    Tensor padded(const std::vector<int64_t>& shape, const std::vector<int64_t>& offset) const;
    // The block of `shape` starting at `offset` (centre cropping).
    Tensor cropped(const std::vector<int64_t>& shape, const std::vector<int64_t>& offset) const;
    bool allFinite() const;
};

std::string shapeString(const std::vector<int64_t>& shape);
int64_t numelOf(const std::vector<int64_t>& shape);
// max |a-b| / max(max |b|, tiny): the error measure tests and the demo quote.
double maxRelativeError(const Tensor& actual, const Tensor& expected);

}  // namespace syno
