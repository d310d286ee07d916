#pragma once
// The plans an exported operator runs, for one binding: one per batch size the export is asked to serve
// exactly, and one for any batch, whose integers are expressions of the batch size N.
//
// A plan is compiled for concrete sizes, and its structure may change with the batch (the planner's
// thresholds count map positions times the batch; a size-1 batch axis may be moved freely). The general
// plan is therefore fitted: the plan is compiled at several probe batches, and when every probe gives the
// same ops and every integer field is c * N^e at all of them, that plan computes the operator at any N.
// Torch-free.
#include <optional>
#include <string>
#include <vector>

#include "plans/Plan.h"

namespace syno::exports {

// c * N^e, N the batch size (e = 0: a constant).
struct SymInt {
    int64_t coef = 0;
    int power = 0;
    int64_t at(int64_t n) const;
    bool operator==(const SymInt&) const = default;
};

// One plan op whose integer fields may scale with the batch.
struct SymOp {
    plans::PlanOp op;  // the op at the first probe (or at the fixed batch): kinds, slots, equation, scale
    std::vector<SymInt> shape, ints, ints2;
    SymInt axis, amount, extent;
};

struct BatchVariant {
    int64_t batch = 0;         // > 0: exactly this batch; 0: any batch
    plans::Plan plan;          // compiled at `batch`, or at the first probe
    std::vector<SymOp> ops;    // plan.ops, with the batch made symbolic when batch == 0
    std::vector<SymInt> inputShape, outputShape;
};

// The probe batches the general variant is fitted on, tried in turn until the plans at one set agree (the
// structure may change between ranges of batches; a fitted plan is right at every batch either way):
// primes that coincide with no usual layer size, so that no constant is mistaken for the batch.
inline const std::vector<std::vector<int64_t>> kProbeBatches = {{11, 13, 17}, {17, 19, 23}, {3, 5, 7}, {67, 71, 73}};

// The plan at `binding` with the batch variable set to `batch`, as a variant with constant fields.
// Throws syno::Error when the binding or the batch does not fit the operator.
BatchVariant fixedVariant(const Operator& op, const SizeContext& ctx, int binding, const std::string& batchVariable,
                          int64_t batch, const plans::PlanOptions& options);

// The variant for any batch, or nullopt (with the reason in *why) when the probes' plans differ in
// structure or a field is not c * N^e. Requires `batchVariable` to be a variable of ctx.
std::optional<BatchVariant> generalVariant(const Operator& op, const SizeContext& ctx, int binding,
                                           const std::string& batchVariable, const plans::PlanOptions& options,
                                           std::string* why);

}  // namespace syno::exports
