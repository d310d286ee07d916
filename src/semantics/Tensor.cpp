#include "semantics/Tensor.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "base/Error.h"
#include "base/StableHash.h"

namespace syno {

int64_t numelOf(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
}

std::string shapeString(const std::vector<int64_t>& shape) {
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i) out += fmt::format("{}{}", i ? ", " : "", shape[i]);
    return out + "]";
}

Tensor Tensor::zeros(std::vector<int64_t> shape) {
    Tensor t;
    t.data.assign(static_cast<size_t>(numelOf(shape)), 0.0);
    t.shape = std::move(shape);
    return t;
}

Tensor Tensor::random(std::vector<int64_t> shape, uint64_t seed) {
    Tensor t = zeros(std::move(shape));
    uint64_t state = mix64(seed);
    for (auto& v : t.data) {
        state = mix64(state);
        v = static_cast<double>(state >> 11) * 0x1.0p-53 * 2.0 - 1.0;
    }
    return t;
}

std::vector<int64_t> Tensor::strides() const {
    std::vector<int64_t> s(shape.size(), 1);
    for (size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * shape[i];
    return s;
}

namespace {
// Calls fn(srcOffset, dstOffset) for every element of `extent`, with the two tensors' strides and bases.
template <class Fn>
void forBlock(const std::vector<int64_t>& extent, const std::vector<int64_t>& srcStrides, int64_t srcBase,
              const std::vector<int64_t>& dstStrides, int64_t dstBase, Fn fn) {
    const size_t rank = extent.size();
    if (numelOf(extent) == 0) return;
    std::vector<int64_t> idx(rank, 0);
    while (true) {
        int64_t s = srcBase, d = dstBase;
        for (size_t i = 0; i < rank; ++i) {
            s += idx[i] * srcStrides[i];
            d += idx[i] * dstStrides[i];
        }
        fn(s, d);
        size_t i = rank;
        for (; i > 0; --i) {
            if (++idx[i - 1] < extent[i - 1]) break;
            idx[i - 1] = 0;
        }
        if (i == 0) return;
    }
}
}  // namespace

Tensor Tensor::padded(const std::vector<int64_t>& newShape, const std::vector<int64_t>& offset) const {
    if (newShape.size() != shape.size() || offset.size() != shape.size()) throw Error("pad: rank mismatch");
    Tensor out = zeros(newShape);
    auto ds = out.strides();
    int64_t base = 0;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (offset[i] < 0 || offset[i] + shape[i] > newShape[i]) throw Error("pad: tensor does not fit");
        base += offset[i] * ds[i];
    }
    forBlock(shape, strides(), 0, ds, base, [&](int64_t s, int64_t d) { out.data[static_cast<size_t>(d)] = data[static_cast<size_t>(s)]; });
    return out;
}

Tensor Tensor::cropped(const std::vector<int64_t>& newShape, const std::vector<int64_t>& offset) const {
    if (newShape.size() != shape.size() || offset.size() != shape.size()) throw Error("crop: rank mismatch");
    Tensor out = zeros(newShape);
    auto ss = strides();
    int64_t base = 0;
    for (size_t i = 0; i < shape.size(); ++i) {
        if (offset[i] < 0 || offset[i] + newShape[i] > shape[i]) throw Error("crop: block outside the tensor");
        base += offset[i] * ss[i];
    }
    forBlock(newShape, ss, base, out.strides(), 0, [&](int64_t s, int64_t d) { out.data[static_cast<size_t>(d)] = data[static_cast<size_t>(s)]; });
    return out;
}

bool Tensor::allFinite() const {
    return std::all_of(data.begin(), data.end(), [](double v) { return std::isfinite(v); });
}

double maxRelativeError(const Tensor& actual, const Tensor& expected) {
    if (actual.shape != expected.shape)
        throw Error(fmt::format("cannot compare tensors of shapes {} and {}", shapeString(actual.shape),
                                shapeString(expected.shape)));
    double maxDiff = 0, maxRef = 0;
    for (size_t i = 0; i < actual.data.size(); ++i) {
        maxDiff = std::max(maxDiff, std::abs(actual.data[i] - expected.data[i]));
        maxRef = std::max(maxRef, std::abs(expected.data[i]));
    }
    return maxDiff / std::max(maxRef, 1e-300);
}

}  // namespace syno
