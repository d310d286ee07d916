#include "semantics/Interpreter.h"

#include <fmt/format.h>

#include "base/Error.h"

namespace syno {

namespace {

std::vector<int64_t> centreOffset(const std::vector<int64_t>& outer, const std::vector<int64_t>& inner) {
    std::vector<int64_t> off;
    for (size_t i = 0; i < outer.size(); ++i) off.push_back((outer[i] - inner[i]) / 2);
    return off;
}

void checkShape(const Tensor& t, const std::vector<int64_t>& expected, const std::string& what) {
    if (t.shape != expected)
        throw Error(fmt::format("{} has shape {} but the operator expects {}", what, shapeString(t.shape),
                                shapeString(expected)));
    if (t.numel() != numelOf(t.shape)) throw Error(fmt::format("{} has {} values for shape {}", what, t.numel(), shapeString(t.shape)));
}

// Walks the loop nest and calls visit(outputOffset, tensorOffsets) at every point that reads no padding.
template <class Visit>
void forEachPoint(const Realization& r, const std::vector<std::vector<int64_t>>& tensorStrides,
                  const std::vector<int64_t>& outStrides, Visit visit) {
    const size_t nd = r.dims.size();
    std::vector<int64_t> value(nd, 0);
    std::vector<int> loops = r.outputDims;
    loops.insert(loops.end(), r.reductionDims.begin(), r.reductionDims.end());
    std::vector<int64_t> counter(loops.size(), 0);
    for (const auto& d : r.dims)
        if (d.size <= 0) return;
    std::vector<int64_t> offsets(r.tensorDims.size(), 0);
    while (true) {
        for (size_t l = 0; l < loops.size(); ++l) value[static_cast<size_t>(loops[l])] = counter[l];
        bool inside = true;
        for (size_t i = 0; i < nd && inside; ++i) {
            const ConcreteDim& d = r.dims[i];
            auto lhs = [&] { return value[static_cast<size_t>(d.lhs)]; };
            auto rhs = [&] { return value[static_cast<size_t>(d.rhs)]; };
            switch (d.kind) {
                case DimKind::Iterator:
                case DimKind::Reduce: break;
                case DimKind::Split: value[i] = lhs() * r.dims[static_cast<size_t>(d.rhs)].size + rhs(); break;
                case DimKind::MergeOuter: value[i] = lhs() / d.factor; break;
                case DimKind::MergeInner: value[i] = lhs() % d.factor; break;
                case DimKind::Shift: value[i] = ((lhs() + d.offset) % d.size + d.size) % d.size; break;
                case DimKind::Stride: value[i] = lhs() * d.factor; break;
                case DimKind::Unfold:
                    value[i] = lhs() + rhs() - d.offset;
                    inside = value[i] >= 0 && value[i] < d.size;
                    break;
            }
        }
        if (inside) {
            int64_t out = 0;
            for (size_t a = 0; a < r.outputDims.size(); ++a)
                out += value[static_cast<size_t>(r.outputDims[a])] * outStrides[a];
            for (size_t t = 0; t < r.tensorDims.size(); ++t) {
                int64_t off = 0;
                for (size_t a = 0; a < r.tensorDims[t].size(); ++a)
                    off += value[static_cast<size_t>(r.tensorDims[t][a])] * tensorStrides[t][a];
                offsets[t] = off;
            }
            visit(out, offsets);
        }
        size_t l = loops.size();
        for (; l > 0; --l) {
            if (++counter[l - 1] < r.dims[static_cast<size_t>(loops[l - 1])].size) break;
            counter[l - 1] = 0;
        }
        if (l == 0) return;
    }
}

struct Prepared {
    std::vector<Tensor> tensors;  // padded input, then weights
    std::vector<std::vector<int64_t>> strides;
};

Prepared prepare(const Realization& r, const Tensor& input, const std::vector<Tensor>& weights) {
    checkShape(input, r.inputShape, "the input");
    if (weights.size() != r.weightShapes.size())
        throw Error(fmt::format("the operator takes {} weight(s), {} given", r.weightShapes.size(), weights.size()));
    Prepared p;
    p.tensors.push_back(r.padded ? input.padded(r.paddedInputShape, centreOffset(r.paddedInputShape, r.inputShape))
                                 : input);
    for (size_t w = 0; w < weights.size(); ++w) {
        checkShape(weights[w], r.weightShapes[w], fmt::format("weight {}", w + 1));
        p.tensors.push_back(weights[w]);
    }
    for (const auto& t : p.tensors) p.strides.push_back(t.strides());
    return p;
}

}  // namespace

void forEachTerm(const Realization& r, const std::function<void(int64_t, const std::vector<int64_t>&)>& visit) {
    auto rowMajor = [](const std::vector<int64_t>& shape) {
        std::vector<int64_t> st(shape.size(), 1);
        for (size_t i = shape.size(); i > 1; --i) st[i - 2] = st[i - 1] * shape[i - 1];
        return st;
    };
    std::vector<std::vector<int64_t>> strides{rowMajor(r.paddedInputShape)};
    for (const auto& w : r.weightShapes) strides.push_back(rowMajor(w));
    forEachPoint(r, strides, rowMajor(r.paddedOutputShape), visit);
}

Tensor interpretForward(const Realization& r, const Tensor& input, const std::vector<Tensor>& weights) {
    Prepared p = prepare(r, input, weights);
    Tensor out = Tensor::zeros(r.paddedOutputShape);
    const size_t nt = p.tensors.size();
    forEachPoint(r, p.strides, out.strides(), [&](int64_t o, const std::vector<int64_t>& off) {
        double term = r.scale;
        for (size_t t = 0; t < nt; ++t) term *= p.tensors[t].data[static_cast<size_t>(off[t])];
        out.data[static_cast<size_t>(o)] += term;
    });
    return r.padded ? out.cropped(r.outputShape, centreOffset(r.paddedOutputShape, r.outputShape)) : out;
}

Gradients interpretBackward(const Realization& r, const Tensor& input, const std::vector<Tensor>& weights,
                            const Tensor& gradOutput) {
    Prepared p = prepare(r, input, weights);
    checkShape(gradOutput, r.outputShape, "the output gradient");
    Tensor gout = r.padded ? gradOutput.padded(r.paddedOutputShape, centreOffset(r.paddedOutputShape, r.outputShape))
                           : gradOutput;
    const size_t nt = p.tensors.size();
    std::vector<Tensor> grads;
    for (const auto& t : p.tensors) grads.push_back(Tensor::zeros(t.shape));
    forEachPoint(r, p.strides, gout.strides(), [&](int64_t o, const std::vector<int64_t>& off) {
        const double g = gout.data[static_cast<size_t>(o)] * r.scale;
        for (size_t t = 0; t < nt; ++t) {
            double term = g;
            for (size_t u = 0; u < nt; ++u)
                if (u != t) term *= p.tensors[u].data[static_cast<size_t>(off[u])];
            grads[t].data[static_cast<size_t>(off[t])] += term;
        }
    });
    Gradients result;
    result.input = r.padded ? grads[0].cropped(r.inputShape, centreOffset(r.paddedInputShape, r.inputShape)) : grads[0];
    result.weights.assign(grads.begin() + 1, grads.end());
    return result;
}

}  // namespace syno
