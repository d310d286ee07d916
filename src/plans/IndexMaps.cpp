#include "plans/IndexMaps.h"

#include <algorithm>
#include <utility>

#include "semantics/Tensor.h"

namespace syno::plans::indexmaps {

namespace {

std::optional<Shape> broadcastShapes(const Shape& a, const Shape& b) {
    Shape out(std::max(a.size(), b.size()), 1);
    for (size_t k = 0; k < out.size(); ++k) {
        const int64_t x = k + a.size() >= out.size() ? a[k + a.size() - out.size()] : 1;
        const int64_t y = k + b.size() >= out.size() ? b[k + b.size() - out.size()] : 1;
        if (x != y && x != 1 && y != 1) return std::nullopt;
        out[k] = x == 1 ? y : x;
    }
    return out;
}

// Whether a Sum op sums over this axis.
bool sums(const PlanOp& sum, size_t axis) {
    return std::find(sum.ints.begin(), sum.ints.end(), static_cast<int64_t>(axis)) != sum.ints.end();
}

std::vector<int64_t> unravel(int64_t flat, const Shape& shape) {
    std::vector<int64_t> m(shape.size());
    for (size_t k = shape.size(); k-- > 0;) {
        m[k] = flat % shape[k];
        flat /= shape[k];
    }
    return m;
}

int64_t ravel(const std::vector<int64_t>& m, const Shape& shape) {
    int64_t flat = 0;
    for (size_t k = 0; k < shape.size(); ++k) flat = flat * shape[k] + m[k];
    return flat;
}

// The flat index in `s` that broadcasting reads for the multi-index m (aligned at the right; axes of
// size 1 read index 0). Only the last s.size() entries of m are used.
int64_t broadcastRead(const std::vector<int64_t>& m, const Shape& s) {
    int64_t flat = 0;
    for (size_t k = 0; k < s.size(); ++k) flat = flat * s[k] + (s[k] == 1 ? 0 : m[k + m.size() - s.size()]);
    return flat;
}

// Appends the terms of element i of `in` to `out`.
void appendTerms(const Terms& in, int64_t i, std::vector<int64_t>& out) {
    const auto a = static_cast<size_t>(in.arity);
    out.insert(out.end(), in.src.begin() + static_cast<long>(static_cast<size_t>(in.start[static_cast<size_t>(i)]) * a),
               in.src.begin() + static_cast<long>(static_cast<size_t>(in.start[static_cast<size_t>(i) + 1]) * a));
}

// Closes the element whose terms end at out.src's end; false past maxTerms.
bool closeElement(Terms& out, int64_t maxTerms) {
    const auto n = static_cast<int64_t>(out.src.size()) / out.arity;
    out.start.push_back(n);
    return n <= maxTerms;
}

// Output element m reads the input element inputOf(m) (a flat index, -1: zero).
template <class F>
std::optional<Terms> gather(const Terms& in, Shape outShape, int64_t maxTerms, F inputOf) {
    Terms out;
    out.arity = in.arity;
    out.start.push_back(0);
    const int64_t n = numelOf(outShape);
    for (int64_t f = 0; f < n; ++f) {
        const int64_t i = inputOf(unravel(f, outShape));
        if (i >= 0) appendTerms(in, i, out.src);
        if (!closeElement(out, maxTerms)) return std::nullopt;
    }
    out.shape = std::move(outShape);
    return out;
}

// Input element mi is summed into the output element outputOf(mi) (a flat index, -1: dropped).
template <class F>
std::optional<Terms> scatter(const Terms& in, Shape outShape, int64_t maxTerms, F outputOf) {
    std::vector<std::vector<int64_t>> lists(static_cast<size_t>(numelOf(outShape)));
    const int64_t n = numelOf(in.shape);
    for (int64_t f = 0; f < n; ++f) {
        const int64_t o = outputOf(unravel(f, in.shape));
        if (o >= 0) appendTerms(in, f, lists[static_cast<size_t>(o)]);
    }
    Terms out;
    out.arity = in.arity;
    out.start.push_back(0);
    for (const auto& l : lists) {
        out.src.insert(out.src.end(), l.begin(), l.end());
        if (!closeElement(out, maxTerms)) return std::nullopt;
    }
    out.shape = std::move(outShape);
    return out;
}

}  // namespace

Terms identity(const Shape& shape) {
    Terms t;
    t.shape = shape;
    const int64_t m = numelOf(shape);
    for (int64_t f = 0; f <= m; ++f) t.start.push_back(f);
    for (int64_t f = 0; f < m; ++f) t.src.push_back(f);
    return t;
}

std::vector<int64_t> destinations(const Terms& t) {
    std::vector<int64_t> out;
    out.reserve(static_cast<size_t>(t.count()));
    for (size_t f = 0; f + 1 < t.start.size(); ++f)
        out.insert(out.end(), static_cast<size_t>(t.start[f + 1] - t.start[f]), static_cast<int64_t>(f));
    return out;
}

std::string kindList(const Plan& plan, const std::vector<size_t>& ops) {
    std::string out;
    for (size_t k : ops) out += (out.empty() ? "" : ", ") + std::string(opKindName(plan.ops[k].kind));
    return out;
}

std::optional<Shape> resultShape(const PlanOp& o, const std::optional<Shape>& a, const std::optional<Shape>& b) {
    if (!a) return std::nullopt;
    Shape s = *a;
    const auto axis = static_cast<size_t>(o.axis);
    switch (o.kind) {
        case OpKind::Reshape:
        case OpKind::Broadcast:
        case OpKind::Crop:
        case OpKind::Gather:
        case OpKind::Products: return o.shape;
        case OpKind::Permute:
            for (size_t k = 0; k < o.ints.size(); ++k) s[k] = (*a)[static_cast<size_t>(o.ints[k])];
            return s;
        case OpKind::Roll:
        case OpKind::Scale:
        case OpKind::Diagonal: return s;
        case OpKind::Pad:
            for (size_t k = 0; k < s.size(); ++k) s[k] += o.shape[k] + o.ints[k];
            return s;
        case OpKind::Slice: s[axis] = (s[axis] + o.amount - 1) / o.amount; return s;
        case OpKind::Window: {
            const int64_t dil = o.ints.empty() ? 1 : o.ints[0];
            s[axis] = s[axis] + 2 * o.amount - o.extent + 1;
            s.insert(s.begin() + static_cast<long>(axis) + 1, (o.extent - 1) / dil + 1);
            return s;
        }
        case OpKind::RepeatOuter:
        case OpKind::RepeatInner: s[axis] *= o.amount; return s;
        case OpKind::Sum: {
            Shape kept;
            for (size_t k = 0; k < s.size(); ++k)
                if (!sums(o, k)) kept.push_back(s[k]);
            return kept;
        }
        case OpKind::FoldWindow: return s.size() == 2 ? std::optional<Shape>(Shape{o.amount, s[1]}) : std::nullopt;
        case OpKind::Mul: return b ? broadcastShapes(*a, *b) : std::nullopt;
        case OpKind::MatMul: {
            if (!b || a->size() < 2 || b->size() < 2) return std::nullopt;
            auto batch = broadcastShapes(Shape(a->begin(), a->end() - 2), Shape(b->begin(), b->end() - 2));
            if (!batch) return std::nullopt;
            batch->push_back((*a)[a->size() - 2]);
            batch->push_back(b->back());
            return batch;
        }
        case OpKind::Conv: {
            if (!b || a->size() != b->size() || a->size() < 3) return std::nullopt;
            Shape out = {(*a)[0], (*b)[0]};
            for (size_t k = 2; k < a->size(); ++k)
                out.push_back((*a)[k] + 2 * o.ints[k - 2] - o.ints2[k - 2] * ((*b)[k] - 1));
            return out;
        }
        case OpKind::Einsum: return std::nullopt;
    }
    return std::nullopt;
}

bool isIndexOp(OpKind kind) {
    switch (kind) {
        case OpKind::Reshape: case OpKind::Permute: case OpKind::Roll: case OpKind::Slice: case OpKind::Window:
        case OpKind::RepeatOuter: case OpKind::RepeatInner: case OpKind::Broadcast: case OpKind::FoldWindow:
        case OpKind::Sum: case OpKind::Diagonal: case OpKind::Crop:
            return true;
        default: return false;
    }
}

std::optional<Terms> apply(const Terms& in, const PlanOp& o, int64_t maxTerms) {
    auto outShape = resultShape(o, in.shape, std::nullopt);
    if (!outShape) return std::nullopt;
    const Shape& s = in.shape;
    const auto axis = static_cast<size_t>(o.axis);
    switch (o.kind) {
        case OpKind::Reshape: {
            if (numelOf(*outShape) != numelOf(s)) return std::nullopt;
            Terms out = in;
            out.shape = *outShape;
            return out;
        }
        case OpKind::Permute:
            return gather(in, *outShape, maxTerms, [&](const std::vector<int64_t>& m) {
                std::vector<int64_t> mi(m.size());
                for (size_t k = 0; k < m.size(); ++k) mi[static_cast<size_t>(o.ints[k])] = m[k];
                return ravel(mi, s);
            });
        case OpKind::Roll: {
            std::vector<std::pair<size_t, int64_t>> shifts = {{axis, o.amount}};
            for (size_t k = 0; k < o.ints.size(); ++k) shifts.emplace_back(static_cast<size_t>(o.ints[k]), o.ints2[k]);
            return gather(in, *outShape, maxTerms, [&](std::vector<int64_t> m) {  // torch.roll: out[(i + shift) mod n] = in[i]
                for (auto [ax, sh] : shifts) m[ax] = ((m[ax] - sh) % s[ax] + s[ax]) % s[ax];
                return ravel(m, s);
            });
        }
        case OpKind::Slice:
            return gather(in, *outShape, maxTerms, [&](std::vector<int64_t> m) {
                m[axis] *= o.amount;
                return ravel(m, s);
            });
        case OpKind::Window: {
            const int64_t dil = o.ints.empty() ? 1 : o.ints[0];
            return gather(in, *outShape, maxTerms, [&](std::vector<int64_t> m) {
                const int64_t v = m[axis] + m[axis + 1] * dil - o.amount;
                if (v < 0 || v >= s[axis]) return int64_t{-1};
                m[axis] = v;
                m.erase(m.begin() + static_cast<long>(axis) + 1);
                return ravel(m, s);
            });
        }
        case OpKind::RepeatOuter:
        case OpKind::RepeatInner:
            return gather(in, *outShape, maxTerms, [&](std::vector<int64_t> m) {
                m[axis] = o.kind == OpKind::RepeatOuter ? m[axis] / o.amount : m[axis] % s[axis];
                return ravel(m, s);
            });
        case OpKind::Broadcast: {
            const Shape& t = *outShape;
            if (t.size() < s.size()) return std::nullopt;
            return gather(in, t, maxTerms, [&](const std::vector<int64_t>& m) { return broadcastRead(m, s); });
        }
        case OpKind::Crop:
            return gather(in, *outShape, maxTerms, [&](std::vector<int64_t> m) {
                for (size_t k = 0; k < m.size(); ++k) m[k] += o.ints[k];
                return ravel(m, s);
            });
        case OpKind::Diagonal: {
            const auto tap = static_cast<size_t>(o.ints[0]);
            return gather(in, *outShape, maxTerms, [&](std::vector<int64_t> m) {
                const int64_t v = m[axis] + m[tap] * o.ints[1] - o.amount;
                if (v < 0 || v >= s[axis]) return int64_t{-1};
                m[axis] = v;
                return ravel(m, s);
            });
        }
        case OpKind::FoldWindow:
            return scatter(in, *outShape, maxTerms, [&](const std::vector<int64_t>& mi) {
                const int64_t row = o.ints[static_cast<size_t>(mi[0])];
                return row == o.amount ? int64_t{-1} : row * s[1] + mi[1];
            });
        case OpKind::Sum:
            return scatter(in, *outShape, maxTerms, [&](const std::vector<int64_t>& mi) {
                std::vector<int64_t> m;
                for (size_t k = 0; k < mi.size(); ++k)
                    if (!sums(o, k)) m.push_back(mi[k]);
                return ravel(m, *outShape);
            });
        default: return std::nullopt;
    }
}

std::optional<Terms> product(const Terms& a, const Terms& b, const PlanOp& o, int64_t maxTerms) {
    if (o.kind != OpKind::Mul && o.kind != OpKind::MatMul) return std::nullopt;
    auto outShape = resultShape(o, a.shape, b.shape);
    if (!outShape) return std::nullopt;
    Terms out;
    out.arity = a.arity + b.arity;
    out.start.push_back(0);
    const auto ar = static_cast<size_t>(a.arity), br = static_cast<size_t>(b.arity);
    auto pair = [&](int64_t i, int64_t j) {  // every term of a[i] times every term of b[j]
        for (auto s = a.start[static_cast<size_t>(i)]; s < a.start[static_cast<size_t>(i) + 1]; ++s)
            for (auto t = b.start[static_cast<size_t>(j)]; t < b.start[static_cast<size_t>(j) + 1]; ++t) {
                const auto* x = a.src.data() + static_cast<size_t>(s) * ar;
                const auto* y = b.src.data() + static_cast<size_t>(t) * br;
                out.src.insert(out.src.end(), x, x + ar);
                out.src.insert(out.src.end(), y, y + br);
            }
    };
    const int64_t n = numelOf(*outShape);
    for (int64_t f = 0; f < n; ++f) {
        const std::vector<int64_t> m = unravel(f, *outShape);
        if (o.kind == OpKind::Mul) {
            pair(broadcastRead(m, a.shape), broadcastRead(m, b.shape));
        } else {
            // out[..., i, j] = sum over k of a[..., i, k] b[..., k, j], batch axes broadcast.
            const Shape& sa = a.shape;
            const Shape& sb = b.shape;
            const int64_t kk = sa.back();
            std::vector<int64_t> ma(m.begin(), m.end() - 1), mb(m.begin(), m.end() - 2);
            ma.push_back(0);
            mb.push_back(0);
            mb.push_back(m.back());
            for (int64_t k = 0; k < kk; ++k) {
                ma.back() = k;
                mb[mb.size() - 2] = k;
                pair(broadcastRead(ma, sa), broadcastRead(mb, sb));
            }
        }
        if (!closeElement(out, maxTerms)) return std::nullopt;
    }
    out.shape = std::move(*outShape);
    return out;
}

}  // namespace syno::plans::indexmaps
