#include "synthesis/Distance.h"
#include "synthesis/SizeCandidates.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
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

int contractionsLeft(const State& state, const SynthesisOptions& o) {
    if (o.maxWeightRank < 2) return 0;  // a weight shares at least two dims
    int left = o.maxWeights - static_cast<int>(state.weights.size());
    const int cap = o.maxOfKind[static_cast<size_t>(StepKind::Contraction)];
    if (cap >= 0) left = std::min(left, cap - state.counts[static_cast<size_t>(StepKind::Contraction)]);
    return std::max(0, left);
}

bool canTieWeights(Dim d, const State& state, const Problem& problem) {
    if (d->kind != DimKind::Reduce) return false;
    int holders = 0;
    for (const auto& w : state.weights) holders += std::find(w.begin(), w.end(), d) != w.end();
    const int left = contractionsLeft(state, problem.options);
    if (left < 1 || holders + left < 2) return false;
    // Each weight still to hold it uses its primaries once more.
    const int more = std::max(0, 2 - holders);
    const Allowance budget = allowance(state, problem.ctx.vars());
    const VariableTable& vars = problem.ctx.vars();
    for (int id = 0; id < vars.size(); ++id)
        if (vars.isPrimary(id) && budget[static_cast<size_t>(id)] < more * d->size.power(id)) return false;
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
        else if (std::find(removable.begin(), removable.end(), d) != removable.end()) continue;  // see below
        else if (mayBecomeWindow(d, state, problem, contractionLeft)) optional.push_back(d->size);
    }
    if (optional.size() > 12) return true;  // too many to check: do not prune
    // A removable dim goes whole (expanded), or, with a merge left, by one half: the part removed is
    // then a merge block B or |d|/B, B one of the candidate sizes.
    const auto& o = problem.options;
    const int mergeCap = o.maxOfKind[static_cast<size_t>(StepKind::Merge)];
    const bool mergesLeft = mergeCap < 0 || state.counts[static_cast<size_t>(StepKind::Merge)] < mergeCap;
    const VariableTable& vars = problem.ctx.vars();
    std::set<Size> removableParts{Size()};
    for (Dim d : removable) {
        std::vector<Size> parts{Size(), d->size};
        if (mergesLeft)
            for (const Size& b : problem.candidates) {
                Size other = d->size / b;
                if (!(b == d->size) && other.isValidDimension(vars)) {
                    parts.push_back(b);
                    parts.push_back(other);
                }
            }
        std::set<Size> next;
        for (const Size& have : removableParts)
            for (const Size& p : parts) next.insert(have * p);
        removableParts = std::move(next);
        if (removableParts.size() > 4096) return true;  // too many to check: do not prune
    }
    for (uint32_t mask = 0; mask < (1u << optional.size()); ++mask) {
        Size rest = ratio;
        for (size_t i = 0; i < optional.size(); ++i)
            if (mask >> i & 1u) rest = rest / optional[i];
        if (removableParts.count(rest)) return true;
    }
    return false;
}

}  // namespace

int shapeDistance(const State& state, const Problem& problem) {
    const VariableTable& vars = problem.ctx.vars();
    const auto& o = problem.options;
    const std::vector<Size> desired = problem.freeInputSizes();
    const bool contractionLeft = contractionsLeft(state, o) > 0;
    const bool removalAvailable = contractionLeft || o.allowStandaloneExpand();
    // While still adding reductions, a missing primary can come from a new reduction (one step at least).
    const int reduceCap = o.maxOfKind[static_cast<int>(StepKind::Reduce)];
    const bool reductionsLeft = state.reducing() && static_cast<int>(state.reductions.size()) < o.maxReductions &&
                                (reduceCap < 0 || static_cast<int>(state.reductions.size()) < reduceCap);

    // Sums shared with no weight pool their input; a sum that can no longer be shared (consumed, or no
    // contraction left) stays a pooling factor for good.
    Size pooled;
    for (Dim r : state.reductions)
        if (!state.weighted(r) && (!contractionLeft || !state.belowFrontier(r))) pooled = pooled * r->size;
    if (problem.ctx.upperBound(pooled) > o.maxPoolingFactor) return kUnreachable;

    // A primary is "placed" when exactly one input dim holds it, to the power 1: then every frontier dim
    // holding it belongs to that input dim's group. Others (H in [N, C, H, H], or H^2) are ambiguous:
    // they are only checked in total, which keeps the bound a bound.
    std::vector<int> desiredPower(static_cast<size_t>(vars.size()), 0), desiredCount(static_cast<size_t>(vars.size()), 0);
    for (const Size& s : desired)
        for (int id : primariesOf(s, vars)) {
            desiredPower[static_cast<size_t>(id)] += s.power(id);
            ++desiredCount[static_cast<size_t>(id)];
        }
    std::vector<bool> placed(static_cast<size_t>(vars.size()), false);
    for (int id = 0; id < vars.size(); ++id)
        placed[static_cast<size_t>(id)] = desiredCount[static_cast<size_t>(id)] == 1 && desiredPower[static_cast<size_t>(id)] == 1;

    // A contraction can only expand a dim it may share: its primaries must fit the allowance.
    const Allowance budget = allowance(state, vars);
    auto shareable = [&](Dim d) {
        for (int id : primariesOf(d->size, vars))
            if (budget[static_cast<size_t>(id)] < d->size.power(id)) return false;
        return true;
    };
    // Classify the frontier: strided windows, removable (expandable) dims, coefficient-only dims, and
    // the rest, which must reach the input.
    std::vector<const Size*> nodes;  // 0..nf-1 frontier, then input dims
    std::vector<Dim> removable;
    int coefficientOnly = 0, strides = 0;
    std::vector<int> frontierPower(static_cast<size_t>(vars.size()), 0);
    for (Dim d : state.frontier) {
        if (d->kind == DimKind::Stride) ++strides;
        else if (removalAvailable && isExpandable(d, problem) && (o.allowStandaloneExpand() || shareable(d))) removable.push_back(d);
        else if (canTieWeights(d, state, problem) && shareable(d)) removable.push_back(d);
        else if (primariesOf(d->size, vars).empty()) ++coefficientOnly;
        else {
            nodes.push_back(&d->size);
            for (int id : primariesOf(d->size, vars)) frontierPower[static_cast<size_t>(id)] += d->size.power(id);
        }
    }
    const int nf = static_cast<int>(nodes.size());
    int desiredCoefficientOnly = 0;
    for (const Size& s : desired) {
        if (primariesOf(s, vars).empty()) ++desiredCoefficientOnly;
        nodes.push_back(&s);
    }
    std::set<int> removablePrimaries;
    for (Dim d : removable)
        for (int p : primariesOf(d->size, vars)) removablePrimaries.insert(p);

    // Totals per primary: non-removable dims can never lose a primary; a missing one must come from a
    // removable dim or a new reduction.
    bool needsReduction = false;
    for (int id = 0; id < vars.size(); ++id) {
        if (!vars.isPrimary(id)) continue;
        int have = frontierPower[static_cast<size_t>(id)], want = desiredPower[static_cast<size_t>(id)];
        if (have > want) return kUnreachable;
        if (have < want && !removablePrimaries.count(id)) {
            if (!reductionsLeft || budget[static_cast<size_t>(id)] < want - have) return kUnreachable;
            needsReduction = true;
        }
    }

    // Every desired dim gets labels (primary, slot): a placed primary has one slot; an ambiguous primary
    // held to the power 1 by c input dims has c slots, and each frontier dim holding it picks which
    // slot(s) it feeds. The bound is the minimum over those choices (few: dims are few).
    const int n = static_cast<int>(nodes.size());
    using Label = std::pair<int, int>;  // (primary, slot)
    std::vector<std::vector<Label>> labels(static_cast<size_t>(n));
    std::vector<std::pair<int, int>> choices;  // (frontier node, primary) still to assign, with its power
    std::vector<int> choicePower;
    std::vector<bool> slotted(static_cast<size_t>(vars.size()), false);
    for (int id = 0; id < vars.size(); ++id) {
        if (!vars.isPrimary(id) || placed[static_cast<size_t>(id)] || desiredCount[static_cast<size_t>(id)] < 2) continue;
        bool unitPowers = true;
        for (const Size& s : desired) unitPowers &= s.power(id) <= 1;
        slotted[static_cast<size_t>(id)] = unitPowers;
    }
    for (int i = nf; i < n; ++i) {
        for (int id : primariesOf(*nodes[static_cast<size_t>(i)], vars)) {
            if (placed[static_cast<size_t>(id)]) labels[static_cast<size_t>(i)].push_back({id, 0});
            if (slotted[static_cast<size_t>(id)]) {
                // Slot = how many earlier input dims hold this primary.
                int k = 0;
                for (int j = nf; j < i; ++j) k += nodes[static_cast<size_t>(j)]->power(id) > 0;
                labels[static_cast<size_t>(i)].push_back({id, k});
            }
        }
    }
    for (int i = 0; i < nf; ++i)
        for (int id : primariesOf(*nodes[static_cast<size_t>(i)], vars)) {
            if (placed[static_cast<size_t>(id)]) labels[static_cast<size_t>(i)].push_back({id, 0});
            else if (slotted[static_cast<size_t>(id)]) {
                choices.push_back({i, id});
                choicePower.push_back(nodes[static_cast<size_t>(i)]->power(id));
            }
        }

    struct Bound {
        int steps;
        bool feasible;
    };
    // The bound for one choice of slots.
    auto evaluate = [&](const std::vector<std::vector<Label>>& lab) -> Bound {
        UnionFind uf(n);
        std::map<Label, int> firstWith;
        for (int i = 0; i < n; ++i)
            for (const Label& l : lab[static_cast<size_t>(i)]) {
                auto [it, fresh] = firstWith.emplace(l, i);
                if (!fresh) uf.unite(i, it->second);
            }
        struct Group {
            int g = 0, h = 0;
            const Size* onlyG = nullptr;
            const Size* onlyH = nullptr;
            bool labelled = false;
        };
        std::map<int, Group> groups;
        for (int i = 0; i < n; ++i) {
            Group& grp = groups[uf.find(i)];
            const Size& s = *nodes[static_cast<size_t>(i)];
            grp.labelled |= !lab[static_cast<size_t>(i)].empty();
            if (i < nf) {
                ++grp.g;
                grp.onlyG = &s;
            } else {
                ++grp.h;
                grp.onlyH = &s;
            }
        }
        // Dims outside any labelled group float: they may join any group, which only adds steps, but
        // they weaken the counting of forks and joins below.
        bool floating = !removable.empty() || reductionsLeft;
        for (const auto& [root, grp] : groups)
            if (!grp.labelled) floating = true;
        int steps = 0, mismatched = 0, mergesNeeded = 0, splitsNeeded = 0;
        for (const auto& [root, grp] : groups) {
            if (!grp.labelled || grp.g == 0) continue;  // floating, or fed by removable dims / a new reduction
            if (grp.h == 0) return {0, false};           // a frontier dim's slot has no input dim
            steps += grp.g + grp.h - 2;
            // A connected group with two input dims needs a fork (merge); with two frontier dims, a join
            // (split: windows are coefficient-only and counted apart). Without floating dims the counts
            // are exact differences.
            mergesNeeded += std::max(floating ? 0 : grp.h - grp.g, grp.h >= 2 ? 1 : 0);
            splitsNeeded += std::max(floating ? 0 : grp.g - grp.h, grp.g >= 2 ? 1 : 0);
            if (grp.g == 1 && grp.h == 1 && !(*grp.onlyG == *grp.onlyH)) ++mismatched;
        }
        auto left = [&](StepKind k) {
            int cap = o.maxOfKind[static_cast<size_t>(k)];
            return cap < 0 ? kUnreachable : cap - state.counts[static_cast<size_t>(k)];
        };
        if (mergesNeeded > left(StepKind::Merge) || splitsNeeded > left(StepKind::Split)) return {0, false};
        return {steps + (mismatched << 16), true};  // mismatches are combined with absorption below
    };

    int best = kUnreachable, bestMismatched = 0;
    int evaluations = 0;
    std::vector<std::vector<Label>> lab = labels;
    std::vector<std::vector<int>> slotUse(static_cast<size_t>(vars.size()));
    for (int id = 0; id < vars.size(); ++id) slotUse[static_cast<size_t>(id)].assign(static_cast<size_t>(desiredCount[static_cast<size_t>(id)]), 0);
    std::function<void(size_t)> assign = [&](size_t c) {
        if (evaluations > 256) return;
        if (c == choices.size()) {
            ++evaluations;
            Bound b = evaluate(lab);
            if (!b.feasible) return;
            int steps = b.steps & 0xffff, mism = b.steps >> 16;
            if (steps + mism < best + bestMismatched) {
                best = steps;
                bestMismatched = mism;
            }
            return;
        }
        auto [node, id] = choices[c];
        int power = choicePower[c];
        int slots = desiredCount[static_cast<size_t>(id)];
        // Choose `power` distinct slots, each used by at most one frontier dim.
        std::function<void(int, int)> pickSlots = [&](int from, int still) {
            if (still == 0) return assign(c + 1);
            for (int k = from; k < slots; ++k) {
                if (slotUse[static_cast<size_t>(id)][static_cast<size_t>(k)]) continue;
                slotUse[static_cast<size_t>(id)][static_cast<size_t>(k)] = 1;
                lab[static_cast<size_t>(node)].push_back({id, k});
                pickSlots(k + 1, still - 1);
                lab[static_cast<size_t>(node)].pop_back();
                slotUse[static_cast<size_t>(id)][static_cast<size_t>(k)] = 0;
            }
        };
        pickSlots(0, power);
    };
    assign(0);
    if (evaluations > 256) {
        // Too many choices to try: fall back to the bound without slots (still a bound).
        Bound b = evaluate(labels);
        best = b.feasible ? (b.steps & 0xffff) : 0;
        bestMismatched = b.feasible ? b.steps >> 16 : 0;
    }
    if (best >= kUnreachable) return kUnreachable;
    int steps = best, mismatched = bestMismatched;

    // Output-side dims holding a primary that no input dim holds must be expanded away (coefficient-only
    // ones may also join the data path, e.g. the group of a grouped conv).
    // Removing goes through weights, which use allowance: together the stranded dims must fit it (a
    // tied sum needs one share per weight still to hold it, an output dim one).
    int mustRemove = 0;
    std::vector<int> demand(static_cast<size_t>(vars.size()), 0);
    for (Dim d : removable) {
        bool stranded = false;
        for (int p : primariesOf(d->size, vars)) stranded |= desiredPower[static_cast<size_t>(p)] == 0;
        if (!stranded) continue;
        ++mustRemove;
        int shares = 1;
        if (d->kind == DimKind::Reduce) {
            int holders = 0;
            for (const auto& w : state.weights) holders += std::find(w.begin(), w.end(), d) != w.end();
            shares = std::max(0, 2 - holders);
        }
        for (int p : primariesOf(d->size, vars)) demand[static_cast<size_t>(p)] += shares * d->size.power(p);
    }
    if (!o.allowStandaloneExpand())
        for (int id = 0; id < vars.size(); ++id)
            if (demand[static_cast<size_t>(id)] > budget[static_cast<size_t>(id)]) return kUnreachable;
    if (mustRemove > 0) steps += contractionLeft ? 1 : mustRemove;
    if (needsReduction) steps += 1;
    int absorb = std::max(0, coefficientOnly - desiredCoefficientOnly) + strides;
    steps += std::max(absorb, mismatched);

    int unfoldCap = o.maxOfKind[static_cast<size_t>(StepKind::Unfold)];
    if (unfoldCap >= 0 && strides > unfoldCap - state.counts[static_cast<size_t>(StepKind::Unfold)]) return kUnreachable;
    if (!reductionsLeft && !productReachable(state, problem, removable, contractionLeft)) return kUnreachable;
    return steps;
}

double flopsLowerBound(const State& state, const Problem& problem) {
    const bool removalAvailable = contractionsLeft(state, problem.options) > 0 || problem.options.allowStandaloneExpand();
    std::set<Dim> leaves;
    std::vector<Dim> stack;
    for (Dim d : state.frontier)
        if (!(removalAvailable && isExpandable(d, problem)) && !canTieWeights(d, state, problem)) stack.push_back(d);
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

double flopsUpperBound(const State& state, const Problem& problem) {
    const auto& o = problem.options;
    if (!o.requireExactDivision) return std::numeric_limits<double>::infinity();
    int sumsLeft = 0;
    if (state.reducing()) {
        const int cap = o.maxOfKind[static_cast<size_t>(StepKind::Reduce)];
        sumsLeft = o.maxReductions - static_cast<int>(state.reductions.size());
        if (cap >= 0) sumsLeft = std::min(sumsLeft, cap - static_cast<int>(state.reductions.size()));
        sumsLeft = std::max(0, sumsLeft);
    }
    const int tensors = 1 + static_cast<int>(state.weights.size()) + contractionsLeft(state, o);
    const SizeContext& ctx = problem.ctx;
    double points = 0;
    for (int b = 0; b < ctx.bindingCount(); ++b) {
        double p = 1;
        for (const auto& d : problem.output) p *= static_cast<double>(ctx.evalInteger(d.size, b));
        for (Dim r : state.reductions) p *= static_cast<double>(ctx.evalInteger(r->size, b));
        if (sumsLeft > 0) {
            double largest = 1;
            for (const Size& c : problem.candidates) largest = std::max(largest, ctx.eval(c, b).toDouble());
            p *= std::pow(largest, sumsLeft);
        }
        points += p;
    }
    return (2.0 * (tensors - 1) + 1) * points;
}

}  // namespace syno
