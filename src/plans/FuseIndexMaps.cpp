#include "plans/FuseIndexMaps.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "semantics/Tensor.h"

namespace syno::plans {

namespace {

using Shape = std::vector<int64_t>;

// Index lists are copied into tensors on every training call (Execute.cpp): 2^16 pairs is ~0.5 MB.
constexpr int64_t kMaxGatherPairs = int64_t{1} << 16;

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

// The shape an op leaves in its dst slot, from its operands' (nullopt: not tracked, e.g. einsum).
std::optional<Shape> resultShape(const PlanOp& o, const std::optional<Shape>& a, const std::optional<Shape>& b) {
    if (!a) return std::nullopt;
    Shape s = *a;
    const auto axis = static_cast<size_t>(o.axis);
    switch (o.kind) {
        case OpKind::Reshape:
        case OpKind::Broadcast:
        case OpKind::Crop:
        case OpKind::Gather: return o.shape;
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

bool fusable(OpKind kind) {
    switch (kind) {
        case OpKind::Reshape: case OpKind::Permute: case OpKind::Roll: case OpKind::Slice: case OpKind::Window:
        case OpKind::RepeatOuter: case OpKind::RepeatInner: case OpKind::Broadcast: case OpKind::FoldWindow:
        case OpKind::Sum: case OpKind::Diagonal: case OpKind::Crop:
            return true;
        default: return false;
    }
}

// Each element of a tensor (row-major) as a sum of elements of the run's first tensor: CSR lists.
struct Sources {
    Shape shape;
    std::vector<int64_t> start;  // numel + 1 offsets into src
    std::vector<int64_t> src;
};

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

// Output element m reads the input element inputOf(m) (a flat index, -1: zero).
template <class F>
std::optional<Sources> gather(const Sources& in, Shape outShape, F inputOf) {
    Sources out;
    out.start.push_back(0);
    const int64_t n = numelOf(outShape);
    for (int64_t f = 0; f < n; ++f) {
        const int64_t i = inputOf(unravel(f, outShape));
        if (i >= 0) {
            const auto b = in.start[static_cast<size_t>(i)], e = in.start[static_cast<size_t>(i) + 1];
            out.src.insert(out.src.end(), in.src.begin() + b, in.src.begin() + e);
            if (static_cast<int64_t>(out.src.size()) > kMaxGatherPairs) return std::nullopt;
        }
        out.start.push_back(static_cast<int64_t>(out.src.size()));
    }
    out.shape = std::move(outShape);
    return out;
}

// Input element mi is summed into the output element outputOf(mi) (a flat index, -1: dropped).
template <class F>
std::optional<Sources> scatter(const Sources& in, Shape outShape, F outputOf) {
    std::vector<std::vector<int64_t>> lists(static_cast<size_t>(numelOf(outShape)));
    const int64_t n = numelOf(in.shape);
    for (int64_t f = 0; f < n; ++f) {
        const int64_t o = outputOf(unravel(f, in.shape));
        if (o < 0) continue;
        auto& l = lists[static_cast<size_t>(o)];
        l.insert(l.end(), in.src.begin() + in.start[static_cast<size_t>(f)], in.src.begin() + in.start[static_cast<size_t>(f) + 1]);
    }
    Sources out;
    out.start.push_back(0);
    for (const auto& l : lists) {
        out.src.insert(out.src.end(), l.begin(), l.end());
        if (static_cast<int64_t>(out.src.size()) > kMaxGatherPairs) return std::nullopt;
        out.start.push_back(static_cast<int64_t>(out.src.size()));
    }
    out.shape = std::move(outShape);
    return out;
}

// The sources after one index op, exactly as Execute.cpp computes it.
std::optional<Sources> apply(const Sources& in, const PlanOp& o) {
    auto outShape = resultShape(o, in.shape, std::nullopt);
    if (!outShape) return std::nullopt;
    const Shape& s = in.shape;
    const auto axis = static_cast<size_t>(o.axis);
    switch (o.kind) {
        case OpKind::Reshape: {
            if (numelOf(*outShape) != numelOf(s)) return std::nullopt;
            Sources out = in;
            out.shape = *outShape;
            return out;
        }
        case OpKind::Permute:
            return gather(in, *outShape, [&](const std::vector<int64_t>& m) {
                std::vector<int64_t> mi(m.size());
                for (size_t k = 0; k < m.size(); ++k) mi[static_cast<size_t>(o.ints[k])] = m[k];
                return ravel(mi, s);
            });
        case OpKind::Roll: {
            std::vector<std::pair<size_t, int64_t>> shifts = {{axis, o.amount}};
            for (size_t k = 0; k < o.ints.size(); ++k) shifts.emplace_back(static_cast<size_t>(o.ints[k]), o.ints2[k]);
            return gather(in, *outShape, [&](std::vector<int64_t> m) {  // torch.roll: out[(i + shift) mod n] = in[i]
                for (auto [ax, sh] : shifts) m[ax] = ((m[ax] - sh) % s[ax] + s[ax]) % s[ax];
                return ravel(m, s);
            });
        }
        case OpKind::Slice:
            return gather(in, *outShape, [&](std::vector<int64_t> m) {
                m[axis] *= o.amount;
                return ravel(m, s);
            });
        case OpKind::Window: {
            const int64_t dil = o.ints.empty() ? 1 : o.ints[0];
            return gather(in, *outShape, [&](std::vector<int64_t> m) {
                const int64_t v = m[axis] + m[axis + 1] * dil - o.amount;
                if (v < 0 || v >= s[axis]) return int64_t{-1};
                m[axis] = v;
                m.erase(m.begin() + static_cast<long>(axis) + 1);
                return ravel(m, s);
            });
        }
        case OpKind::RepeatOuter:
        case OpKind::RepeatInner:
            return gather(in, *outShape, [&](std::vector<int64_t> m) {
                m[axis] = o.kind == OpKind::RepeatOuter ? m[axis] / o.amount : m[axis] % s[axis];
                return ravel(m, s);
            });
        case OpKind::Broadcast: {
            const Shape& t = *outShape;
            if (t.size() < s.size()) return std::nullopt;
            return gather(in, t, [&](const std::vector<int64_t>& m) {
                std::vector<int64_t> mi(s.size());
                for (size_t k = 0; k < s.size(); ++k) mi[k] = s[k] == 1 ? 0 : m[k + t.size() - s.size()];
                return ravel(mi, s);
            });
        }
        case OpKind::Crop:
            return gather(in, *outShape, [&](std::vector<int64_t> m) {
                for (size_t k = 0; k < m.size(); ++k) m[k] += o.ints[k];
                return ravel(m, s);
            });
        case OpKind::Diagonal: {
            const auto tap = static_cast<size_t>(o.ints[0]);
            return gather(in, *outShape, [&](std::vector<int64_t> m) {
                const int64_t v = m[axis] + m[tap] * o.ints[1] - o.amount;
                if (v < 0 || v >= s[axis]) return int64_t{-1};
                m[axis] = v;
                return ravel(m, s);
            });
        }
        case OpKind::FoldWindow:
            return scatter(in, *outShape, [&](const std::vector<int64_t>& mi) {
                const int64_t row = o.ints[static_cast<size_t>(mi[0])];
                return row == o.amount ? int64_t{-1} : row * s[1] + mi[1];
            });
        case OpKind::Sum:
            return scatter(in, *outShape, [&](const std::vector<int64_t>& mi) {
                std::vector<int64_t> m;
                for (size_t k = 0; k < mi.size(); ++k)
                    if (!sums(o, k)) m.push_back(mi[k]);
                return ravel(m, *outShape);
            });
        default: return std::nullopt;
    }
}

// The Gather op computing `src` from the tensor it starts from, in place of `fused`.
PlanOp gatherOp(int slot, const Sources& src, const std::vector<const PlanOp*>& fused) {
    PlanOp g;
    g.kind = OpKind::Gather;
    for (const PlanOp* o : fused) g.equation += (g.equation.empty() ? "" : ", ") + std::string(opKindName(o->kind));
    g.dst = g.a = slot;
    g.shape = src.shape;
    g.weightOnly = true;
    const int64_t n = numelOf(src.shape);
    bool oneToOne = static_cast<int64_t>(src.src.size()) == n;
    for (int64_t f = 0; f < n && oneToOne; ++f) oneToOne = src.start[static_cast<size_t>(f) + 1] - src.start[static_cast<size_t>(f)] == 1;
    g.ints = src.src;
    if (!oneToOne)
        for (int64_t f = 0; f < n; ++f)
            g.ints2.insert(g.ints2.end(), static_cast<size_t>(src.start[static_cast<size_t>(f) + 1] - src.start[static_cast<size_t>(f)]), f);
    return g;
}

}  // namespace

void fuseIndexMaps(Plan& plan) {
    const size_t n = plan.ops.size();
    // The shape of each op's first operand as it runs.
    std::vector<std::optional<Shape>> slot(static_cast<size_t>(plan.slots)), before(n);
    slot[0] = plan.inputShape;
    for (size_t w = 0; w < plan.weightShapes.size(); ++w) slot[w + 1] = plan.weightShapes[w];
    for (size_t j = 0; j < n; ++j) {
        const PlanOp& o = plan.ops[j];
        before[j] = slot[static_cast<size_t>(o.a)];
        slot[static_cast<size_t>(o.dst)] = resultShape(o, before[j], o.b >= 0 ? slot[static_cast<size_t>(o.b)] : std::nullopt);
    }
    auto candidate = [&](size_t j) {
        const PlanOp& o = plan.ops[j];
        return fusable(o.kind) && o.dst == o.a && o.weightOnly && before[j].has_value();
    };
    std::vector<bool> drop(n, false), inRun(n, false);
    std::vector<std::pair<size_t, PlanOp>> replace;
    for (size_t j = 0; j < n; ++j) {
        if (inRun[j] || !candidate(j)) continue;
        const int s = plan.ops[j].a;
        std::vector<size_t> run = {j};
        for (size_t k = j + 1; k < n; ++k) {
            const PlanOp& o = plan.ops[k];
            if (o.a != s && o.b != s && o.dst != s) continue;  // another slot's op, in between
            if (!candidate(k) || o.a != s) break;
            run.push_back(k);
        }
        for (size_t k : run) inRun[k] = true;
        const bool copies = std::any_of(run.begin(), run.end(), [&](size_t k) {
            return plan.ops[k].kind != OpKind::Reshape && plan.ops[k].kind != OpKind::Permute;
        });
        if (run.size() < 2 || !copies) continue;
        Sources src;
        src.shape = *before[j];
        const int64_t m = numelOf(src.shape);
        if (m > kMaxGatherPairs) continue;
        for (int64_t f = 0; f <= m; ++f) src.start.push_back(f);
        for (int64_t f = 0; f < m; ++f) src.src.push_back(f);
        std::optional<Sources> cur = std::move(src);
        for (size_t k : run)
            if (cur) cur = apply(*cur, plan.ops[k]);
        if (!cur) continue;
        std::vector<const PlanOp*> fused;
        for (size_t k : run) fused.push_back(&plan.ops[k]);
        replace.emplace_back(run.back(), gatherOp(s, *cur, fused));  // where the stage consuming it reads it
        for (size_t r = 0; r + 1 < run.size(); ++r) drop[run[r]] = true;
    }
    for (auto& [j, g] : replace) plan.ops[j] = std::move(g);
    dropOps(plan, drop);
}

}  // namespace syno::plans
