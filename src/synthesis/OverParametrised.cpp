#include "synthesis/OverParametrised.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace syno {

namespace {

// Product of the dims' sizes at one binding.
double volume(const std::vector<Dim>& dims, const SizeContext& ctx, int binding) {
    double v = 1;
    for (Dim d : dims) v *= ctx.eval(d->size, binding).toDouble();
    return v;
}

// The test of the header over weights, sums and the dims the data path holds (the input's, or a partial
// operator's frontier, which is all its input can ever be built from).
std::optional<OverParametrisation> findPair(const std::vector<std::vector<Dim>>& weights, const std::vector<Dim>& reductions,
                                            const std::vector<Dim>& data, const SizeContext& ctx) {
    if (weights.size() < 2) return std::nullopt;
    // How many tensors (the data path included) each dim appears in.
    auto uses = [&](Dim d) {
        int n = static_cast<int>(std::count(data.begin(), data.end(), d));
        for (const auto& w : weights) n += static_cast<int>(std::count(w.begin(), w.end(), d));
        return n;
    };
    const std::set<Dim> sums(reductions.begin(), reductions.end());
    for (size_t i = 0; i < weights.size(); ++i)
        for (size_t j = i + 1; j < weights.size(); ++j) {
            const std::set<Dim> wi(weights[i].begin(), weights[i].end()), wj(weights[j].begin(), weights[j].end());
            std::vector<Dim> tied, a, c;  // R, A, C of the header
            for (Dim d : weights[i]) {
                if (!wj.count(d)) a.push_back(d);
                else if (sums.count(d) && uses(d) == 2) tied.push_back(d);
            }
            for (Dim d : weights[j])
                if (!wi.count(d)) c.push_back(d);
            if (tied.empty()) continue;
            bool full = true;
            std::string where;
            for (int b = 0; b < ctx.bindingCount() && full; ++b) {
                const double r = volume(tied, ctx, b), ra = volume(a, ctx, b), rc = volume(c, ctx, b);
                full = r >= std::min(ra, rc);
                if (where.empty()) where = fmt::format("{} >= min({}, {}) at {}", r, ra, rc, ctx.describeBinding(b));
            }
            if (full)
                return OverParametrisation{static_cast<int>(i), static_cast<int>(j),
                                           fmt::format("weights {} and {} meet only through sums of {}", i + 1,
                                                       j + 1, where)};
        }
    return std::nullopt;
}

}  // namespace

std::optional<OverParametrisation> overParametrised(const Operator& op, const SizeContext& ctx) {
    return findPair(op.weights(), op.reductions(), op.input(), ctx);
}

bool everyCompletionOverParametrised(const State& s, const SizeContext& ctx) {
    return findPair(s.weights, s.reductions, s.frontier, ctx).has_value();
}

}  // namespace syno
