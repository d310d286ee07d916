#pragma once
// What syno itself computes for an operator, for checking an export against it: seeded inputs, outputs
// and gradients from PlanModule (the plans syno trains and deploys), pickled so that Python's torch.load
// and C++'s torch::pickle_load read them.
#include <cstdint>
#include <string>
#include <vector>

#include "ir/Operator.h"

namespace syno::exports {

// For each batch n: "x{n}" the input, "y{n}" the training output (autograd), "gy{n}" a seeded output
// gradient, "gx{n}" and "gw{k}_{n}" the gradients, "yi{n}" the inference output (no autograd); and
// "w{k}" the weights (PlanModule's for `seed`). Written atomically; throws syno::Error.
void writeReference(const Operator& op, const SizeContext& ctx, int binding, uint64_t seed,
                    const std::vector<int64_t>& batches, const std::string& path);

}  // namespace syno::exports
