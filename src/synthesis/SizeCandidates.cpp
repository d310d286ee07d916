#include "synthesis/SizeCandidates.h"

#include <algorithm>
#include <cstdlib>

namespace syno {

std::vector<Size> candidateSizes(const Problem& problem) {
    const VariableTable& vars = problem.ctx.vars();
    const auto& o = problem.options;
    int lo = -(o.maxEnumerationsPerVar - 1) / 2, hi = o.maxEnumerationsPerVar / 2;
    std::vector<Size> out;
    std::vector<int> power(static_cast<size_t>(vars.size()), 0);
    // Odometer over every variable's power range.
    auto range = [&](int id) { return vars.isPrimary(id) ? std::pair{0, 1} : std::pair{lo, hi}; };
    for (int id = 0; id < vars.size(); ++id) power[static_cast<size_t>(id)] = range(id).first;
    while (true) {
        Size s;
        int nvars = 0, nprimaries = 0;
        for (int id = 0; id < vars.size(); ++id) {
            int p = power[static_cast<size_t>(id)];
            if (p != 0) {
                s = s * Size::variable(id, p);
                ++nvars;
                nprimaries += vars.isPrimary(id);
            }
        }
        if (nvars > 0 && nvars <= o.maxVariablesInSize && nprimaries <= o.maxPrimariesInSize && s.isValidDimension(vars) && problem.ctx.lowerBound(s) >= 2 &&
            (!o.requireExactDivision || problem.ctx.isIntegralEverywhere(s)))
            out.push_back(s);
        int id = 0;
        for (; id < vars.size(); ++id) {
            auto [a, b] = range(id);
            if (++power[static_cast<size_t>(id)] <= b) break;
            power[static_cast<size_t>(id)] = a;
        }
        if (id == vars.size()) break;
    }
    std::sort(out.begin(), out.end());
    return out;
}

Allowance consume(Allowance a, const Size& s, const VariableTable& vars, bool primariesOnly) {
    for (int id = 0; id < vars.size(); ++id)
        if (!primariesOnly || vars.isPrimary(id)) a[static_cast<size_t>(id)] -= std::abs(s.power(id));
    return a;
}

Allowance allowance(const State& state, const VariableTable& vars) {
    Allowance a{};
    for (int id = 0; id < vars.size(); ++id) a[static_cast<size_t>(id)] = vars[id].maxOccurrences;
    for (Dim r : state.reductions) a = consume(a, r->size, vars, false);
    for (const auto& w : state.weights)
        for (Dim d : w) a = consume(a, d->size, vars, true);
    return a;
}

bool fitsAllowance(const Size& s, const Allowance& a) {
    for (int id = 0; id < kMaxVariables; ++id)
        if (std::abs(s.power(id)) > a[static_cast<size_t>(id)]) return false;
    return true;
}

}  // namespace syno
