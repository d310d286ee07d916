#pragma once
// Known layers written from primitives, each paired with the libtorch call that computes the same
// thing, and a check that runs both (forward and every gradient) on random inputs. Used by the tests and
// by `syno demo`.
#include <functional>
#include <string>
#include <vector>

#include "ir/Operator.h"
#include "oracle/TorchLayers.h"
#include "semantics/Realize.h"

namespace syno::oracle {

struct KnownLayerCase {
    std::string name;
    Operator op;
    SizeContext ctx;
    PaddingPolicy policy = PaddingPolicy::Exact;
    // libtorch's answer for one binding b of ctx.
    std::function<LayerRun(const Tensor& x, const std::vector<Tensor>& weights, const Tensor& gradOut, int b)> torchRun;
};

struct Agreement {
    double forward = 0, gradInput = 0, gradWeights = 0;  // max relative errors
    double worst() const;
};

// The standard cases: 3x3 conv (two bindings), 1x1, grouped, depthwise, dilated 3x3, avg-pool 2x2,
// linear, roll + 1x1 conv, and avg-pool 3x3 at H=28 (needs padding).
std::vector<KnownLayerCase> knownLayerCases();

// Interpreter vs libtorch for binding b with inputs drawn from `seed`.
Agreement checkAgreement(const KnownLayerCase& c, int binding, uint64_t seed);

}  // namespace syno::oracle
