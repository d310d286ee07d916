#pragma once
// Padding for sizes that do not divide: when C_in/g or H/3 is not an integer in some binding, the
// primaries are rounded up (zero-padding the tensors) until every size the operator uses is integral.
#include <vector>

#include "sizes/Bindings.h"

namespace syno {

// Returns ctx with each binding's primaries rounded up to the smallest multiples that make every size in
// `sizes` an integer. For each non-integral size the missing factor is charged to its first primary
// (lowest id), so the result is deterministic. Coefficients are never changed; a size made of
// coefficients only that does not divide raises syno::Error.
SizeContext padToDivide(const SizeContext& ctx, const std::vector<Size>& sizes);

}  // namespace syno
