#include "plans/FuseWeightProducts.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "plans/IndexMaps.h"
#include "semantics/Tensor.h"

namespace syno::plans {

namespace {

using indexmaps::Terms;

// A Products op runs its terms in one thread, forward and backward. The largest seen, small sample 6 at
// 16@28 (49984 terms), took 0.18 ms forward where the ops it replaced took 0.41 (batch 32, 2 threads).
constexpr int64_t kMaxProductTerms = int64_t{1} << 16;

// What a slot holds, as far as the weights go.
struct Value {
    bool onWeights = false;       // computed from the weights alone
    std::optional<Terms> terms;   // when known: over the weights in `leaves`, in that order
    std::vector<int> leaves;      // weight slots
    std::vector<size_t> cone;     // the ops that computed it (ascending)
};

std::vector<size_t> unite(const std::vector<size_t>& a, const std::vector<size_t>& b) {
    std::vector<size_t> out;
    std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
    return out;
}

bool meet(const std::vector<size_t>& a, const std::vector<size_t>& b) {
    auto i = a.begin(), j = b.begin();
    while (i != a.end() && j != b.end()) {
        if (*i == *j) return true;
        *i < *j ? ++i : ++j;
    }
    return false;
}

// The value an op on the weights alone leaves in its dst slot.
Value weightValue(const PlanOp& o, size_t j, const Value& a, const Value* b) {
    Value v;
    v.onWeights = true;
    v.cone = b ? unite(a.cone, b->cone) : a.cone;
    v.cone.insert(std::upper_bound(v.cone.begin(), v.cone.end(), j), j);
    if (!a.terms) return v;
    if (!b && indexmaps::isIndexOp(o.kind)) {
        v.terms = indexmaps::apply(*a.terms, o, kMaxProductTerms);
        v.leaves = a.leaves;
    } else if (b && b->terms && a.leaves.size() == 1 && b->leaves.size() == 1 && a.leaves != b->leaves) {
        v.terms = indexmaps::product(*a.terms, *b->terms, o, kMaxProductTerms);
        v.leaves = {a.leaves[0], b->leaves[0]};
    }
    if (!v.terms) v.leaves.clear();
    return v;
}

struct Read {
    size_t op;
    int slot;
    std::vector<size_t> cone;
};

struct Candidate {
    size_t consumer;
    int slot;
    Value value;
};

// Where the Products op goes: the first op of the cone that writes the product's slot.
size_t productPosition(const Plan& plan, const Candidate& c) {
    const auto& cone = c.value.cone;
    return *std::find_if(cone.begin(), cone.end(), [&](size_t k) { return plan.ops[k].dst == c.slot; });
}

// Whether replacing the candidate's cone leaves every other op reading what it read before.
bool replaceable(const Plan& plan, const Candidate& c, const std::vector<Read>& reads) {
    const std::vector<size_t>& cone = c.value.cone;
    const auto weights = static_cast<int>(plan.weightShapes.size());
    if (c.slot <= weights) return false;  // a weight's own slot
    for (const Read& r : reads) {
        if (r.op == c.consumer && r.slot == c.slot) continue;
        if (std::binary_search(cone.begin(), cone.end(), r.op)) continue;
        if (meet(r.cone, cone)) return false;  // another reader of a value the cone computes
    }
    // The Products op reads the two weights as they are: no op outside the cone may have changed their
    // slots before it runs.
    const size_t at = productPosition(plan, c);
    for (size_t k = 0; k < at; ++k) {
        const int d = plan.ops[k].dst;
        if ((d == c.value.leaves[0] || d == c.value.leaves[1]) && !std::binary_search(cone.begin(), cone.end(), k))
            return false;
    }
    return true;
}

PlanOp productsOp(const Plan& plan, const Candidate& c) {
    const Terms& t = *c.value.terms;
    PlanOp p;
    p.kind = OpKind::Products;
    p.dst = c.slot;
    p.a = c.value.leaves[0];
    p.b = c.value.leaves[1];
    p.shape = t.shape;
    p.weightOnly = true;
    p.ints = t.src;
    p.ints2 = indexmaps::destinations(t);
    p.equation = indexmaps::kindList(plan, c.value.cone);
    return p;
}

}  // namespace

void fuseWeightProducts(Plan& plan) {
    const size_t n = plan.ops.size();
    std::vector<Value> slot(static_cast<size_t>(plan.slots));
    for (size_t w = 0; w < plan.weightShapes.size(); ++w) {
        Value& v = slot[w + 1];
        v.onWeights = true;
        v.leaves = {static_cast<int>(w) + 1};
        if (numelOf(plan.weightShapes[w]) <= kMaxProductTerms) v.terms = indexmaps::identity(plan.weightShapes[w]);
    }
    std::vector<Read> reads;  // every op's operands that hold weight-only values, with the ops behind them
    std::vector<Candidate> candidates;
    for (size_t j = 0; j < n; ++j) {
        const PlanOp& o = plan.ops[j];
        const Value& a = slot[static_cast<size_t>(o.a)];
        const Value* b = o.b >= 0 ? &slot[static_cast<size_t>(o.b)] : nullptr;
        for (int s : {o.a, o.b}) {
            if (s < 0 || !slot[static_cast<size_t>(s)].onWeights) continue;
            const Value& v = slot[static_cast<size_t>(s)];
            reads.push_back({j, s, v.cone});
            if (!o.weightOnly && v.terms && v.leaves.size() == 2) candidates.push_back({j, s, v});
        }
        slot[static_cast<size_t>(o.dst)] = o.weightOnly ? weightValue(o, j, a, b) : Value{};
    }
    std::vector<bool> drop(n, false);
    for (const Candidate& c : candidates) {
        if (!replaceable(plan, c, reads)) continue;
        const size_t at = productPosition(plan, c);
        for (size_t k : c.value.cone) drop[k] = k != at;
        plan.ops[at] = productsOp(plan, c);
    }
    dropOps(plan, drop);
}

}  // namespace syno::plans
