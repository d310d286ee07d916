#include "synthesis/Distance.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace syno {

bool isExpandable(Dim d, const Problem& problem) {
    if (hasReduceBelow(d)) return false;
    Dim base = d;
    while (base->kind == DimKind::MergeOuter || base->kind == DimKind::MergeInner) base = base->lhs;
    if (base->kind != DimKind::Iterator) return false;
    const VariableTable& vars = problem.ctx.vars();
    for (const auto& in : problem.input)
        for (int id = 0; id < vars.size(); ++id)
            if (vars.isPrimary(id) && base->size.power(id) > 0 && in.size.power(id) > 0) return false;
    return true;
}

namespace {

struct UnionFind {
    std::vector<int> parent;
    explicit UnionFind(int n) : parent(static_cast<size_t>(n)) { std::iota(parent.begin(), parent.end(), 0); }
    int find(int x) {
        while (parent[static_cast<size_t>(x)] != x) x = parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
        return x;
    }
    void unite(int a, int b) { parent[static_cast<size_t>(find(a))] = find(b); }
};

std::vector<int> primariesOf(const Size& s, const VariableTable& vars) {
    std::vector<int> out;
    for (int id = 0; id < vars.size(); ++id)
        if (vars.isPrimary(id) && s.power(id) > 0) out.push_back(id);
    return out;
}

// Could d still be absorbed as an Unfold window (which removes its size from the product)?
bool mayBecomeWindow(Dim d, const State& state, const Problem& problem, bool contractionLeft) {
    if (d->kind == DimKind::Stride) return true;
    if (d->kind != DimKind::Reduce || !(state.inWeight(d) || contractionLeft)) return false;
    for (int b = 0; b < problem.ctx.bindingCount(); ++b) {
        Ratio r = problem.ctx.eval(d->size, b);
        if (!r.isInteger() || r.num % 2 == 0 || r.num > problem.options.maxUnfoldKernel) return false;
    }
    return true;
}

// The product of the frontier changes only by windows (divided out by Unfold), expanded dims and
// strides (already in the frontier as the strided window). So Π frontier / Π input must be the product
// of some windows and some expandable dims, and every strided window must be among them.
bool productReachable(const State& state, const Problem& problem, const std::vector<Dim>& removable,
                      bool contractionLeft) {
    Size ratio;
    for (Dim d : state.frontier) ratio = ratio * d->size;
    for (const Size& s : problem.freeInputSizes()) ratio = ratio / s;
    std::vector<Size> optional;
    for (Dim d : state.frontier) {
        if (d->kind == DimKind::Stride) ratio = ratio / d->size;  // must be a window
        else if (std::find(removable.begin(), removable.end(), d) != removable.end()) optional.push_back(d->size);
        else if (mayBecomeWindow(d, state, problem, contractionLeft)) optional.push_back(d->size);
    }
    if (optional.size() > 12) return true;  // too many to check: do not prune
    for (uint32_t mask = 0; mask < (1u << optional.size()); ++mask) {
        Size rest = ratio;
        for (size_t i = 0; i < optional.size(); ++i)
            if (mask >> i & 1u) rest = rest / optional[i];
        if (rest.isOne()) return true;
    }
    return false;
}

}  // namespace

int shapeDistance(const State& state, const Problem& problem) {
    const VariableTable& vars = problem.ctx.vars();
    const auto& o = problem.options;
    std::vector<Size> desired = problem.freeInputSizes();
    const bool contractionLeft = static_cast<int>(state.weights.size()) < o.maxWeights;
    const bool expandLeft = o.allowStandaloneExpand();
    const bool removalAvailable = contractionLeft || expandLeft;
    // While still adding reductions, a missing primary can come from a new reduction (one step at least).
    const int reduceCap = o.maxOfKind[static_cast<int>(StepKind::Reduce)];
    const bool reductionsLeft = state.reducing() && static_cast<int>(state.reductions.size()) < o.maxReductions &&
                                (reduceCap < 0 || static_cast<int>(state.reductions.size()) < reduceCap);
    bool needsReduction = false;

    // Nodes 0..F-1: frontier dims that must reach the input; F..F+D-1: input dims.
    std::vector<const Size*> nodes;
    std::vector<Dim> removable;
    int coefficientOnly = 0, strides = 0;
    for (Dim d : state.frontier) {
        if (d->kind == DimKind::Stride) {
            ++strides;
            continue;
        }
        if (removalAvailable && isExpandable(d, problem)) {
            removable.push_back(d);
            continue;
        }
        if (primariesOf(d->size, vars).empty()) {
            ++coefficientOnly;
            continue;
        }
        nodes.push_back(&d->size);
    }
    const int nf = static_cast<int>(nodes.size());
    int desiredCoefficientOnly = 0;
    for (const Size& s : desired) {
        if (primariesOf(s, vars).empty()) ++desiredCoefficientOnly;
        nodes.push_back(&s);
    }
    const int n = static_cast<int>(nodes.size());
    UnionFind uf(n);
    std::map<int, int> firstWithPrimary;
    for (int i = 0; i < n; ++i)
        for (int p : primariesOf(*nodes[static_cast<size_t>(i)], vars)) {
            auto [it, fresh] = firstWithPrimary.emplace(p, i);
            if (!fresh) uf.unite(i, it->second);
        }

    struct Group {
        int g = 0, h = 0;
        Size productG, productH;
        const Size* onlyG = nullptr;
        const Size* onlyH = nullptr;
    };
    std::map<int, Group> groups;
    for (int i = 0; i < n; ++i) {
        Group& grp = groups[uf.find(i)];
        const Size& s = *nodes[static_cast<size_t>(i)];
        if (i < nf) {
            ++grp.g;
            grp.productG = grp.productG * s;
            grp.onlyG = &s;
        } else {
            ++grp.h;
            grp.productH = grp.productH * s;
            grp.onlyH = &s;
        }
    }
    std::set<int> removablePrimaries;
    for (Dim d : removable)
        for (int p : primariesOf(d->size, vars)) removablePrimaries.insert(p);

    int steps = 0, mismatched = 0;
    std::set<int> primariesInDesired;
    for (const Size& s : desired)
        for (int p : primariesOf(s, vars)) primariesInDesired.insert(p);
    for (const auto& [root, grp] : groups) {
        if (grp.h == 0) {
            if (grp.g > 0) return kUnreachable;  // a primary with nowhere to go and no way to drop it
            continue;
        }
        bool deficit = false;
        for (int id = 0; id < vars.size(); ++id) {
            if (!vars.isPrimary(id)) continue;
            int pg = grp.productG.power(id), ph = grp.productH.power(id);
            if (pg > ph) return kUnreachable;  // primaries cannot be removed from these dims
            if (pg < ph) {
                if (!removablePrimaries.count(id)) {
                    if (!reductionsLeft) return kUnreachable;  // nothing can supply it
                    needsReduction = true;
                }
                deficit = true;
            }
        }
        if (grp.g == 0) {
            steps += grp.h - 1;
        } else {
            steps += grp.g + grp.h - 2 + (deficit ? 1 : 0);
            if (!deficit && grp.g == 1 && grp.h == 1 && !(*grp.onlyG == *grp.onlyH)) ++mismatched;
        }
    }
    // Output-side dims whose primaries no input dim holds must be expanded away.
    int mustRemove = 0;
    for (Dim d : removable) {
        bool needed = false;
        for (int p : primariesOf(d->size, vars)) needed |= primariesInDesired.count(p) > 0;
        if (!needed) ++mustRemove;
    }
    if (mustRemove > 0) steps += contractionLeft ? 1 : mustRemove;
    if (needsReduction) steps += 1;
    int absorb = std::max(0, coefficientOnly - desiredCoefficientOnly) + strides;
    steps += std::max(absorb, mismatched);
    if (strides > 0) {
        int unfoldsLeft = o.maxOfKind[static_cast<int>(StepKind::Unfold)];
        if (unfoldsLeft >= 0 && state.counts[static_cast<int>(StepKind::Unfold)] + strides > unfoldsLeft) return kUnreachable;
    }
    if (!reductionsLeft && !productReachable(state, problem, removable, contractionLeft)) return kUnreachable;
    return steps;
}

double flopsLowerBound(const State& state, const Problem& problem) {
    const bool removalAvailable =
        static_cast<int>(state.weights.size()) < problem.options.maxWeights || problem.options.allowStandaloneExpand();
    std::set<Dim> leaves;
    std::vector<Dim> stack;
    for (Dim d : state.frontier)
        if (!(removalAvailable && isExpandable(d, problem))) stack.push_back(d);
    while (!stack.empty()) {
        Dim d = stack.back();
        stack.pop_back();
        if (d->isLeaf()) leaves.insert(d);
        if (d->lhs) stack.push_back(d->lhs);
        if (d->rhs) stack.push_back(d->rhs);
    }
    Size points, out;
    for (Dim d : leaves) points = points * d->size;
    for (const auto& f : problem.fixed) points = points * problem.output[static_cast<size_t>(f.outputPos)].size;
    for (const auto& d : problem.output) out = out * d.size;
    return std::max(problem.ctx.sumOverBindings(points), problem.ctx.sumOverBindings(out));
}

}  // namespace syno
