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

}  // namespace

std::optional<OverParametrisation> overParametrised(const Operator& op, const SizeContext& ctx) {
    const auto& weights = op.weights();
    // How many tensors (input included) each dim appears in.
    auto uses = [&](Dim d) {
        int n = static_cast<int>(std::count(op.input().begin(), op.input().end(), d));
        for (const auto& w : weights) n += static_cast<int>(std::count(w.begin(), w.end(), d));
        return n;
    };
    const std::set<Dim> sums(op.reductions().begin(), op.reductions().end());
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

}  // namespace syno
