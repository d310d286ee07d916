#include "synthesis/FunctionalFingerprint.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <set>
#include <utility>
#include <vector>

#include "base/Error.h"
#include "base/StableHash.h"
#include "semantics/Interpreter.h"
#include "semantics/Realize.h"

namespace syno {

namespace {

constexpr int64_t kMinPrimary = 5;
constexpr size_t kMaxWeights = 8;
constexpr int64_t kMaxCoefficient = 8;

// The variable a fixed dim stands for (the batch), or -1 when its size is not one variable.
int fixedVariable(const Size& s, const VariableTable& vars) {
    int found = -1;
    for (int id = 0; id < vars.size(); ++id) {
        if (s.power(id) == 0) continue;
        if (s.power(id) != 1 || found >= 0) return -1;
        found = id;
    }
    return found;
}

// splitmix64's finaliser: spreads a hash so that sums of them behave as multiset hashes.
uint64_t mix(uint64_t x) {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// Weisfeiler-Leman refinement of the weight elements' colours over the terms of one realisation, then the
// multiset of terms in colours. The terms are walked again each round rather than stored (there may be
// tens of millions); multisets are hashed as sums of mixed hashes, so order does not matter.
uint64_t fingerprintTerms(const Realization& r) {
    const size_t nw = r.weightShapes.size();
    std::vector<uint64_t> base;
    size_t elements = 0;
    for (const auto& shape : r.weightShapes) {
        base.push_back(elements);
        elements += static_cast<size_t>(numelOf(shape));
    }
    std::vector<uint64_t> colour(elements, 1);
    std::array<size_t, kMaxWeights> element{};
    // Hash of a term: its output and input positions and the sorted colours of its weight elements but `skip`.
    auto termHash = [&](int64_t out, int64_t in, size_t skip) {
        std::array<uint64_t, kMaxWeights> c{};
        size_t n = 0;
        for (size_t j = 0; j < nw; ++j)
            if (j != skip) c[n++] = colour[element[j]];
        for (size_t i = 1; i < n; ++i)  // insertion sort: at most a handful
            for (size_t k = i; k > 0 && c[k - 1] > c[k]; --k) std::swap(c[k - 1], c[k]);
        uint64_t h = hashCombine(static_cast<uint64_t>(out), static_cast<uint64_t>(in));
        for (size_t i = 0; i < n; ++i) h = hashCombine(h, c[i]);
        return h;
    };
    auto locate = [&](const std::vector<int64_t>& offsets) {
        for (size_t j = 0; j < nw; ++j) element[j] = base[j] + static_cast<size_t>(offsets[j + 1]);
    };
    if (nw > 0) {
        size_t classes = 1;
        for (int round = 0; round < 16; ++round) {
            std::vector<uint64_t> next(elements, 0);
            forEachTerm(r, [&](int64_t out, const std::vector<int64_t>& offsets) {
                locate(offsets);
                for (size_t j = 0; j < nw; ++j) next[element[j]] += mix(termHash(out, offsets[0], j));
            });
            for (size_t e = 0; e < elements; ++e) next[e] = hashCombine(colour[e], next[e]);
            std::vector<uint64_t> distinct = next;
            std::sort(distinct.begin(), distinct.end());
            const size_t nextClasses =
                static_cast<size_t>(std::unique(distinct.begin(), distinct.end()) - distinct.begin());
            colour = std::move(next);
            if (nextClasses == classes) break;  // each colour refines the last: equal counts mean stable
            classes = nextClasses;
        }
    }
    uint64_t terms = 0;
    forEachTerm(r, [&](int64_t out, const std::vector<int64_t>& offsets) {
        locate(offsets);
        terms += mix(termHash(out, offsets[0], nw));
    });
    return hashCombine(hashCombine(hashString("terms"), nw), terms);
}

}  // namespace

SizeContext fingerprintProbes(const Problem& problem) {
    const SizeContext& ctx = problem.ctx;
    const VariableTable& vars = ctx.vars();
    std::vector<int64_t> v = ctx.bindings().front().values;
    // Coefficients: small and distinct (their own values when at most kMaxCoefficient), odd ones odd.
    std::set<int64_t> used;
    std::vector<int> remapped;
    for (int id = 0; id < vars.size(); ++id) {
        if (vars.isPrimary(id)) continue;
        const int64_t x = v[static_cast<size_t>(id)];
        if (x >= 2 && x <= kMaxCoefficient && used.insert(x).second) continue;
        remapped.push_back(id);
    }
    for (int id : remapped) {
        const bool odd = v[static_cast<size_t>(id)] % 2 != 0;
        for (int64_t x = odd ? 3 : 2;; x += 2)
            if (used.insert(x).second) {
                v[static_cast<size_t>(id)] = x;
                break;
            }
    }
    std::set<int> fixed;
    for (const auto& f : problem.fixed) {
        const int id = fixedVariable(problem.output[static_cast<size_t>(f.outputPos)].size, vars);
        if (id >= 0) fixed.insert(id);
    }
    // Primaries: divisible by each coefficient's probe value as often as the problem's value divides by
    // the coefficient's own (C_out = 32 holds g = 4 twice: sizes derived by merging a block twice divide
    // too), while that factor stays at most kMaxCoefficient: larger probes cost more than the few
    // operators they would add (those fall back to the canonical hash).
    const std::vector<int64_t>& original = ctx.bindings().front().values;
    for (int id = 0; id < vars.size(); ++id) {
        if (!vars.isPrimary(id)) continue;
        int64_t x = 1;
        for (int c = 0; c < vars.size(); ++c) {
            const int64_t oc = original[static_cast<size_t>(c)];
            if (vars.isPrimary(c) || oc < 2 || fixed.count(id)) continue;
            int64_t remaining = original[static_cast<size_t>(id)], factor = 1;
            while (remaining % oc == 0 && factor * v[static_cast<size_t>(c)] <= kMaxCoefficient) {
                remaining /= oc;
                factor *= v[static_cast<size_t>(c)];
            }
            x = std::lcm(x, factor);
        }
        v[static_cast<size_t>(id)] = x;
    }
    // Primaries: grown until every size of the space divides, except sizes of primaries synthesis may not
    // introduce (max occurrences 0: H and W in the conv spaces), which would only make the probes larger.
    std::vector<Size> sizes;
    for (const Size& s : problem.candidates) {
        bool usable = true;
        for (int id = 0; id < vars.size(); ++id)
            if (vars.isPrimary(id) && s.power(id) != 0 && vars[id].maxOccurrences == 0) usable = false;
        if (usable) sizes.push_back(s);
    }
    for (const auto& d : problem.input) sizes.push_back(d.size);
    for (const auto& d : problem.output) sizes.push_back(d.size);
    for (int pass = 0; pass < 16; ++pass) {
        bool changed = false;
        const SizeContext at = ctx.withBindings({Binding{v}});
        for (const Size& s : sizes) {
            const Ratio r = at.eval(s, 0);
            if (r.isInteger()) continue;
            for (int id = 0; id < vars.size(); ++id)
                if (vars.isPrimary(id) && !fixed.count(id) && s.power(id) > 0) {
                    v[static_cast<size_t>(id)] *= r.den;
                    changed = true;
                    break;
                }
            if (changed) break;
        }
        if (!changed) break;
    }
    std::vector<int> free;
    for (int id = 0; id < vars.size(); ++id) {
        if (!vars.isPrimary(id) || fixed.count(id)) continue;
        int64_t& x = v[static_cast<size_t>(id)];
        x *= (kMinPrimary + x - 1) / x;  // a multiple keeps every size integral
        free.push_back(id);
    }
    std::vector<int64_t> second = v;
    for (size_t i = 1; i < free.size(); i += 2) second[static_cast<size_t>(free[i])] *= 2;
    return ctx.withBindings({Binding{v}, Binding{second}});
}

std::optional<uint64_t> functionalFingerprint(const Operator& op, const SizeContext& probes, int64_t maxTerms) {
    uint64_t h = hashString("functional");
    for (int b = 0; b < probes.bindingCount(); ++b) {
        Realization r;
        try {
            r = realize(op, probes, b, PaddingPolicy::Exact);
        } catch (const Error&) {
            return std::nullopt;
        }
        double points = 1;
        for (int d : r.outputDims) points *= static_cast<double>(r.dims[static_cast<size_t>(d)].size);
        for (int d : r.reductionDims) points *= static_cast<double>(r.dims[static_cast<size_t>(d)].size);
        if (points > static_cast<double>(maxTerms)) return std::nullopt;
        if (r.weightShapes.size() > kMaxWeights) return std::nullopt;
        h = hashCombine(h, fingerprintTerms(r));
    }
    return h;
}

}  // namespace syno
