#pragma once
// Exact dedup beyond the canonicalization rules: a hash of the operator that does not depend on how
// reductions are numbered, on the order of axes inside a weight, or on the order of the weights.
// Reductions of equal size and kind are interchangeable (the operator sums over all of them), so the
// hash is the minimum over every relabelling among such reductions: two operators get the same hash
// exactly when one is the other with reductions renamed and weights transposed (up to 64-bit collisions).
#include <cstdint>

#include "ir/Operator.h"

namespace syno {

uint64_t canonicalHash(const Operator& op);

}  // namespace syno
