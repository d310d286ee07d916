#pragma once
// The sizes synthesis may introduce (reductions, merge blocks), and the per-variable budget that limits
// how often a variable appears in one operator ("allowance" = max occurrences - uses so far).
#include <array>
#include <vector>

#include "synthesis/Problem.h"
#include "synthesis/State.h"

namespace syno {

// Monomials with primary powers 0..1 and coefficient powers in the options' window, at most
// maxVariablesInSize variables and maxPrimariesInSize primaries, valid as a dimension, at least 2 in every binding and (under
// requireExactDivision) integral in every binding. Sorted ascending (the canonical size order).
std::vector<Size> candidateSizes(const Problem& problem);

using Allowance = std::array<int, kMaxVariables>;
// Uses: |power| of every variable in reductions, and of primaries in weight dims.
Allowance allowance(const State& state, const VariableTable& vars);
bool fitsAllowance(const Size& s, const Allowance& a);
Allowance consume(Allowance a, const Size& s, const VariableTable& vars, bool primariesOnly);

}  // namespace syno
