#pragma once
// An operator at one concrete binding: the sizes it runs at (padded when needed), the shapes of its
// tensors, and its dims as a flat program of integer operations. The interpreter runs this; execution
// plans will read the same shapes.
#include <cstdint>
#include <vector>

#include "ir/Operator.h"
#include "sizes/Bindings.h"

namespace syno {

enum class PaddingPolicy {
    Exact,  // every size must divide in every binding (the default for synthesis)
    Pad,    // round primaries up; inputs are centre-padded with zeros and outputs centre-cropped
};

struct ConcreteDim {
    DimKind kind = DimKind::Iterator;
    int64_t size = 0;
    int64_t factor = 0;     // merge block, stride
    int64_t offset = 0;     // unfold: half the window's span; shift: amount
    int lhs = -1, rhs = -1; // indices into Realization::dims (children come first)
};

struct Realization {
    int binding = 0;
    bool padded = false;
    std::vector<ConcreteDim> dims;                 // bottom-up order
    std::vector<int> outputDims, reductionDims;    // indices into dims
    std::vector<std::vector<int>> tensorDims;      // per tensor (0 = input), per axis
    std::vector<int64_t> inputShape;               // what callers pass (unpadded)
    std::vector<int64_t> paddedInputShape;         // what the operator reads
    std::vector<std::vector<int64_t>> weightShapes;// weights exist at the padded sizes
    std::vector<int64_t> paddedOutputShape;        // what the operator computes
    std::vector<int64_t> outputShape;              // what callers get: ceil of the unpadded sizes
    double scale = 1.0;                            // 1 / Π(mean reduction sizes)
};

// Throws syno::Error when a size does not divide (under Exact), a window cannot be centred, or the
// unpadded input shape is fractional.
Realization realize(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy);

// The binding's sizes after padding (identical to ctx when nothing needs padding).
SizeContext paddedContext(const Operator& op, const SizeContext& ctx, PaddingPolicy policy);

}  // namespace syno
