#include "synthesis/CanonicalForm.h"

#include <algorithm>
#include <functional>
#include <map>

#include "base/StableHash.h"

namespace syno {

namespace {

// Merkle hash of a dim with reduction r hashed as its position label[r] (and its size and kind).
uint64_t relabelledHash(Dim d, const std::vector<int>& label, const VariableTable& vars, std::map<Dim, uint64_t>& memo) {
    if (auto it = memo.find(d); it != memo.end()) return it->second;
    uint64_t h = hashCombine(hashString(dimKindName(d->kind)), d->size.stableHash(vars));
    switch (d->kind) {
        case DimKind::Iterator: h = hashCombine(h, static_cast<uint64_t>(d->index)); break;
        case DimKind::Reduce:
            h = hashCombine(h, static_cast<uint64_t>(label[static_cast<size_t>(d->index)]));
            h = hashCombine(h, static_cast<uint64_t>(d->reduce));
            break;
        default:
            h = hashCombine(h, static_cast<uint64_t>(static_cast<int64_t>(d->shift)));
            h = hashCombine(h, d->factor.stableHash(vars));
            if (d->lhs) h = hashCombine(h, relabelledHash(d->lhs, label, vars, memo));
            if (d->rhs) h = hashCombine(h, relabelledHash(d->rhs, label, vars, memo));
    }
    memo[d] = h;
    return h;
}

uint64_t hashUnder(const Operator& op, const std::vector<int>& label) {
    std::map<Dim, uint64_t> memo;
    const auto& vars = op.vars();
    auto hashOf = [&](Dim d) { return relabelledHash(d, label, vars, memo); };
    uint64_t h = hashString("canonical");
    for (Dim d : op.outputs()) h = hashCombine(h, hashOf(d));
    h = hashCombine(h, op.reductions().size());
    for (Dim d : op.input()) h = hashCombine(h, hashOf(d));
    std::vector<uint64_t> weights;
    for (const auto& w : op.weights()) {
        std::vector<uint64_t> axes;
        for (Dim d : w) axes.push_back(hashOf(d));
        std::sort(axes.begin(), axes.end());
        uint64_t wh = hashString("weight");
        for (auto a : axes) wh = hashCombine(wh, a);
        weights.push_back(wh);
    }
    std::sort(weights.begin(), weights.end());
    for (auto w : weights) h = hashCombine(h, w);
    std::vector<uint64_t> expansions;
    for (Dim d : op.expansions()) expansions.push_back(hashOf(d));
    std::sort(expansions.begin(), expansions.end());
    for (auto e : expansions) h = hashCombine(h, e);
    return h;
}

}  // namespace

uint64_t canonicalHash(const Operator& op) {
    const auto& red = op.reductions();
    const size_t n = red.size();
    // Group reductions by (size, kind); labels are permuted only inside a group.
    std::vector<size_t> order(n);
    for (size_t i = 0; i < n; ++i) order[i] = i;
    auto groupKey = [&](size_t i) { return std::pair{red[i]->size, static_cast<int>(red[i]->reduce)}; };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return groupKey(a) < groupKey(b); });
    // label[r] = slot of reduction r; permute each group's members over the group's slots.
    std::vector<std::pair<size_t, size_t>> groups;  // [begin, end) in `order`
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && groupKey(order[j]) == groupKey(order[i])) ++j;
        groups.push_back({i, j});
        i = j;
    }
    uint64_t best = ~0ULL;
    std::vector<size_t> perm = order;
    // Iterate over the product of the groups' permutations (each group sorted ascending to start).
    std::function<void(size_t)> recurse = [&](size_t g) {
        if (g == groups.size()) {
            std::vector<int> label(n);
            for (size_t slot = 0; slot < n; ++slot) label[perm[slot]] = static_cast<int>(slot);
            best = std::min(best, hashUnder(op, label));
            return;
        }
        auto [b, e] = groups[g];
        std::sort(perm.begin() + static_cast<long>(b), perm.begin() + static_cast<long>(e));
        do {
            recurse(g + 1);
        } while (std::next_permutation(perm.begin() + static_cast<long>(b), perm.begin() + static_cast<long>(e)));
    };
    recurse(0);
    return best;
}

}  // namespace syno
