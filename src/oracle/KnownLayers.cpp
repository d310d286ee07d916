#include "oracle/KnownLayers.h"

#include <algorithm>

#include "ir/Library.h"
#include "semantics/Interpreter.h"
#include "sizes/Parse.h"
#include "sizes/ParseContext.h"

namespace syno::oracle {

double Agreement::worst() const { return std::max({forward, gradInput, gradWeights}); }

namespace {

SizeContext context(const std::string& primary, const std::string& coef, const std::string& bindings = "") {
    return parseContext(primary, coef, bindings);
}

}  // namespace

std::vector<KnownLayerCase> knownLayerCases() {
    const std::string primary = "N=2, C_in=8, C_out=12, H=8, W=7";
    const std::string coef = "k=3, g=4, s=2";
    std::vector<KnownLayerCase> cases;


    {
        SizeContext ctx = context(primary, coef, "H=8, W=7; C_in=5, C_out=3, H=6, W=9");
        cases.push_back({"conv2d 3x3", library::conv2d(ctx.vars()), ctx, PaddingPolicy::Exact,
                         [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
                             return conv2d(x, w[0], w[0].shape, 1, 1, 1, g);
                         }});
    }
    SizeContext ctx = context(primary, coef);
    cases.push_back({"conv 1x1", library::conv1x1(ctx.vars()), ctx, PaddingPolicy::Exact,
                     [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
                         return conv2d(x, w[0], {w[0].shape[0], w[0].shape[1], 1, 1}, 0, 1, 1, g);
                     }});
    cases.push_back({"grouped conv 3x3, g=4", library::groupedConv2d(ctx.vars()), ctx, PaddingPolicy::Exact,
                     [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
                         return groupedConv2dInputMajor(x, w[0], 4, g);
                     }});
    cases.push_back({"depthwise conv 3x3", library::depthwiseConv2d(ctx.vars()), ctx, PaddingPolicy::Exact,
                     [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
                         int64_t c = w[0].shape[0];
                         return conv2d(x, w[0], {c, 1, w[0].shape[1], w[0].shape[2]}, 1, 1, c, g);
                     }});
    cases.push_back({"dilated conv 3x3, dilation 2", library::dilatedConv2d(ctx.vars()), ctx, PaddingPolicy::Exact,
                     [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
                         return conv2d(x, w[0], w[0].shape, 2, 2, 1, g);
                     }});
    {
        SizeContext pool = context("N=2, C_in=3, H=8, W=6", "s=2");
        cases.push_back({"avg-pool 2x2", library::avgPool2d(pool.vars()), pool, PaddingPolicy::Exact,
                         [](const Tensor& x, const std::vector<Tensor>&, const Tensor& g, int) {
                             return avgPool2d(x, 2, 0, g);
                         }});
    }
    {
        SizeContext lin = context("N=5, C_in=9, C_out=4", "");
        cases.push_back({"linear", library::linear(lin.vars()), lin, PaddingPolicy::Exact,
                         [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
                             return linear(x, w[0], g);
                         }});
    }
    cases.push_back({"roll along H + conv 1x1", library::shiftConv1x1(ctx.vars(), 1), ctx, PaddingPolicy::Exact,
                     [](const Tensor& x, const std::vector<Tensor>& w, const Tensor& g, int) {
                         // Our shift(+1) reads h+1, which torch.roll expresses as a roll by -1.
                         return rollThenConv1x1(x, w[0], -1, g);
                     }});
    {
        SizeContext pool = context("N=1, C_in=2, H=28, W=28", "s=3");
        cases.push_back({"avg-pool 3x3 at H=28 (padded to 30)", library::avgPool2d(pool.vars()), pool,
                         PaddingPolicy::Pad, [](const Tensor& x, const std::vector<Tensor>&, const Tensor& g, int) {
                             // Centre padding 28 -> 30 puts one zero row on each side.
                             return avgPool2d(x, 3, 1, g);
                         }});
    }
    return cases;
}

Agreement checkAgreement(const KnownLayerCase& c, int binding, uint64_t seed) {
    Realization r = realize(c.op, c.ctx, binding, c.policy);
    Tensor x = Tensor::random(r.inputShape, seed);
    std::vector<Tensor> weights;
    for (size_t w = 0; w < r.weightShapes.size(); ++w) weights.push_back(Tensor::random(r.weightShapes[w], seed + 1 + w));
    Tensor gradOut = Tensor::random(r.outputShape, seed + 100);

    Tensor out = interpretForward(r, x, weights);
    Gradients grads = interpretBackward(r, x, weights, gradOut);
    LayerRun ref = c.torchRun(x, weights, gradOut, binding);

    Agreement a;
    a.forward = maxRelativeError(out, ref.output);
    a.gradInput = maxRelativeError(grads.input, ref.gradInput);
    for (size_t w = 0; w < weights.size(); ++w)
        a.gradWeights = std::max(a.gradWeights, maxRelativeError(grads.weights[w], ref.gradWeights[w]));
    return a;
}

}  // namespace syno::oracle
