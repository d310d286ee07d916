#pragma once
// A finished operator: out[outputs] = Σ_reductions in[input dims] · w1[...] · w2[...] ...
// (Mean reductions also divide by their size.) It is linear in the input and differentiable in all
// tensors. Built through Operator::make, which checks the structure (every output iterator and
// reduction is consumed exactly once by the data path, weights only share data-path dims); sizes are
// checked against concrete bindings separately (checkSizes).
#include <memory>
#include <string>
#include <vector>

#include "ir/Dim.h"
#include "ir/DimStore.h"
#include "sizes/Bindings.h"

namespace syno {

struct OperatorParts {
    std::vector<Dim> outputs;                 // Iterator dims, position i has index i
    std::vector<Dim> reductions;              // Reduce dims, position i has index i
    std::vector<Dim> input;                   // the input tensor's dims, in its shape order
    std::vector<std::vector<Dim>> weights;    // each weight tensor's dims, in its shape order
    std::vector<Dim> expansions;              // dims that reach no input: output dims broadcast over, and sums
                                              // tying two weights only (a low-rank product)
};

class Operator {
public:
    // Throws syno::Error describing the first structural problem found.
    static Operator make(std::shared_ptr<DimStore> store, OperatorParts parts);

    const VariableTable& vars() const { return store_->vars(); }
    const std::shared_ptr<DimStore>& store() const { return store_; }
    const std::vector<Dim>& outputs() const { return parts_.outputs; }
    const std::vector<Dim>& reductions() const { return parts_.reductions; }
    const std::vector<Dim>& input() const { return parts_.input; }
    const std::vector<std::vector<Dim>>& weights() const { return parts_.weights; }
    const std::vector<Dim>& expansions() const { return parts_.expansions; }
    int tensorCount() const { return 1 + static_cast<int>(parts_.weights.size()); }
    // Dims of tensor t: 0 is the input, 1.. are the weights.
    const std::vector<Dim>& tensorDims(int t) const;

    std::vector<Size> inputShape() const;
    std::vector<Size> outputShape() const;
    std::vector<Size> weightShape(int w) const;
    // Every node reachable from the tensors and expansions, children before parents (deterministic).
    std::vector<Dim> nodesBottomUp() const;
    // Every size that must be an integer for the operator to be realisable: dims, merge blocks,
    // strides, and the half-spans that centre Unfold windows.
    std::vector<Size> sizesToCheck() const;

    // Stable, portable 64-bit id; equal for equal operators on every machine and run.
    uint64_t id() const { return id_; }
    std::string idHex() const;

private:
    Operator(std::shared_ptr<DimStore> store, OperatorParts parts);
    std::shared_ptr<DimStore> store_;
    OperatorParts parts_;
    uint64_t id_ = 0;
};

// How many positions an Unfold window covers in binding b: its size, except for a strided (dilated)
// window (|d|-1)*s+1. Unfold centres the window on (span-1)/2, which must be an integer.
int64_t windowSpan(Dim window, const SizeContext& ctx, int binding);

// Checks every size of the operator against every binding: each must be a valid, positive integer, and
// every Unfold window must have an odd span so it can be centred. Throws syno::Error naming the size
// and the binding.
void checkSizes(const Operator& op, const SizeContext& ctx);

}  // namespace syno
