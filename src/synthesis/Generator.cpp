#include "synthesis/Generator.h"

#include <algorithm>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "base/Error.h"
#include "base/StableHash.h"
#include "semantics/Realize.h"
#include "semantics/Stages.h"
#include "synthesis/Distance.h"
#include "synthesis/OverParametrised.h"
#include "synthesis/SizeCandidates.h"

namespace syno {

namespace {

uint64_t stepKey(StepKind kind, std::initializer_list<uint64_t> parts) {
    uint64_t h = hashString(stepKindName(kind));
    for (uint64_t p : parts) h = hashCombine(h, p);
    return h;
}

void removeDim(std::vector<Dim>& v, Dim d) { v.erase(std::find(v.begin(), v.end(), d)); }

bool isReduceLeaf(Dim d) { return d->kind == DimKind::Reduce; }

}  // namespace

Generator::Generator(Problem problem, std::shared_ptr<DimStore> store)
    : problem_(std::move(problem)), store_(std::move(store)) {
    if (!store_ || !(store_->vars() == problem_.ctx.vars())) throw Error("generator needs a store over the problem's variables");
    for (size_t i = 0; i < problem_.output.size(); ++i)
        outputs_.push_back(store_->iterator(static_cast<int>(i), problem_.output[i].size));
    sizes_ = problem_.candidates;
    for (const Size& s : sizes_)
        if (s.trait(problem_.ctx.vars()) == SizeTrait::Coefficient) coefficients_.push_back(s);
}

State Generator::root() const {
    State s;
    for (size_t i = 0; i < outputs_.size(); ++i)
        if (!problem_.isFixedOutput(static_cast<int>(i))) s.frontier.push_back(outputs_[i]);
    s.normalize();
    return s;
}

std::string Generator::sizeText(Dim d) const { return d->size.toString(problem_.ctx.vars()); }

namespace {

// The dim directly built on `leaf` among the state's dims, or nullptr.
Dim consumerOf(const State& s, Dim leaf) {
    std::vector<Dim> stack(s.frontier.begin(), s.frontier.end());
    for (const auto& w : s.weights) stack.insert(stack.end(), w.begin(), w.end());
    while (!stack.empty()) {
        Dim d = stack.back();
        stack.pop_back();
        if (d->lhs == leaf || d->rhs == leaf) return d;
        if (d->lhs) stack.push_back(d->lhs);
        if (d->rhs) stack.push_back(d->rhs);
    }
    return nullptr;
}

// A hash of the consumer with `leaf` blanked out: what the sum is used for, whichever sum it is.
uint64_t contextOf(Dim consumer, Dim leaf) {
    uint64_t h = hashString(dimKindName(consumer->kind));
    h = hashCombine(h, consumer->lhs == leaf ? 1 : consumer->lhs ? consumer->lhs->hash : 0);
    h = hashCombine(h, consumer->rhs == leaf ? 1 : consumer->rhs ? consumer->rhs->hash : 0);
    h = hashCombine(h, static_cast<uint64_t>(static_cast<int64_t>(consumer->shift)));
    return h;  // consumers of sums (split, unfold) have no size parameter
}

}  // namespace

bool Generator::usesSumOutOfOrder(const State& s, const std::vector<Dim>& used, Dim consumer) {
    auto isUsed = [&used](Dim d) { return std::find(used.begin(), used.end(), d) != used.end(); };
    auto inFrontier = [&s](Dim d) { return std::find(s.frontier.begin(), s.frontier.end(), d) != s.frontier.end(); };
    for (Dim later : used) {
        if (later->kind != DimKind::Reduce) continue;
        for (Dim earlier : s.reductions) {
            if (earlier->index >= later->index || isUsed(earlier)) continue;
            if (!(earlier->size == later->size) || earlier->reduce != later->reduce) continue;
            bool sameWeights = true;
            for (const auto& w : s.weights)
                sameWeights &= (std::find(w.begin(), w.end(), earlier) != w.end()) ==
                               (std::find(w.begin(), w.end(), later) != w.end());
            if (!sameWeights) continue;
            if (inFrontier(earlier)) return true;  // the lower-numbered sum is still unused
            if (!consumer) continue;
            Dim before = consumerOf(s, earlier);
            // Only independent uses have a mirror image: a use built on the other (a window slid along
            // an unfolded dim) keeps its order from the first part of the rule.
            if (before && !isBelow(before, consumer) && contextOf(consumer, later) < contextOf(before, earlier)) return true;
        }
    }
    return false;
}

bool Generator::sharesSumOutOfOrder(const State& s, const std::vector<Dim>& shared) {
    auto has = [](const std::vector<Dim>& v, Dim d) { return std::find(v.begin(), v.end(), d) != v.end(); };
    // What a weight shares besides one sum, whichever sum it is.
    auto contextWithout = [](const std::vector<Dim>& weight, Dim sum) {
        std::vector<uint64_t> hashes;
        for (Dim d : weight)
            if (d != sum) hashes.push_back(d->hash);
        std::sort(hashes.begin(), hashes.end());
        uint64_t h = hashString("weight-context");
        for (auto x : hashes) h = hashCombine(h, x);
        return h;
    };
    for (Dim later : shared) {
        if (later->kind != DimKind::Reduce) continue;
        for (Dim earlier : s.frontier) {
            if (earlier->kind != DimKind::Reduce || earlier->index >= later->index || has(shared, earlier)) continue;
            if (!(earlier->size == later->size) || earlier->reduce != later->reduce) continue;
            const std::vector<Dim>* differing = nullptr;
            int differences = 0;
            for (const auto& w : s.weights)
                if (has(w, earlier) != has(w, later)) {
                    ++differences;
                    if (has(w, earlier)) differing = &w;
                }
            // The two sums differ only in one earlier weight holding the lower-numbered one: this step
            // and that weight have a mirror image (sums swapped); keep the one whose contexts are ordered.
            if (differences == 1 && differing && contextWithout(shared, later) < contextWithout(*differing, earlier))
                return true;
        }
    }
    return false;
}

bool Generator::fires(Rule r, SynthesisStats& stats) const {
    if (problem_.options.disabledRules & (1u << static_cast<unsigned>(r))) return false;
    stats.fire(r);
    return true;
}

bool Generator::capReached(const State& s, StepKind kind) const {
    int cap = problem_.options.maxOfKind[static_cast<size_t>(kind)];
    return cap >= 0 && s.counts[static_cast<size_t>(kind)] >= cap;
}

void Generator::offer(State next, StepKind kind, uint64_t key, std::string text,
                      std::vector<Dim> created, std::vector<Child>& out, SynthesisStats& stats) {
    for (Dim d : created)
        if (d->height > problem_.options.maxChainLength) return stats.prune(Prune::Cap);
    ++next.counts[static_cast<size_t>(kind)];
    next.normalize();
    if (problem_.options.guided && shapeDistance(next, problem_) > remaining(next)) return stats.prune(Prune::Distance);
    if (flopsLowerBound(next, problem_) > problem_.options.maxFlops) return stats.prune(Prune::Flops);
    if (problem_.options.boundFlopsFromAbove && problem_.options.minFlops > 0 &&
        flopsUpperBound(next, problem_) < problem_.options.minFlops)
        return stats.prune(Prune::Flops);
    if (problem_.options.skipOverParametrised && everyCompletionOverParametrised(next, problem_.ctx))
        return stats.prune(Prune::OverParametrised);
    out.push_back(Child{kind, key, std::move(text), std::move(next), std::nullopt});
}

std::vector<Child> Generator::children(const State& s, SynthesisStats& stats) {
    std::vector<Child> out;
    ++stats.nodes;
    if (remaining(s) > 0) {
        if (s.reducing()) addReductions(s, out, stats);
        addContractions(s, out, stats);
        addSplits(s, out, stats);
        addMerges(s, out, stats);
        addShifts(s, out, stats);
        addStrides(s, out, stats);
        addUnfolds(s, out, stats);
        addExpands(s, out, stats);
    }
    addFinalizations(s, out, stats);
    std::stable_sort(out.begin(), out.end(), [](const Child& a, const Child& b) {
        return std::pair{a.kind, a.key} < std::pair{b.kind, b.key};
    });
    // Distinct steps can reach the same state (e.g. split(a,b) reached twice): keep one edge per key.
    out.erase(std::unique(out.begin(), out.end(),
                          [](const Child& a, const Child& b) { return a.kind == b.kind && a.key == b.key; }),
              out.end());
    stats.edges += out.size();
    return out;
}

void Generator::addReductions(const State& s, std::vector<Child>& out, SynthesisStats& stats) {
    const auto& o = problem_.options;
    if (capReached(s, StepKind::Reduce) || static_cast<int>(s.reductions.size()) >= o.maxReductions) return;
    const VariableTable& vars = problem_.ctx.vars();
    Allowance a = allowance(s, vars);
    Size domain, inputNumel;
    for (Dim r : s.reductions) domain = domain * r->size;
    for (const auto& d : problem_.input) inputNumel = inputNumel * d.size;
    for (const Size& size : sizes_) {
        if ((!s.reductions.empty() && size < s.reductions.back()->size) && fires(Rule::ReduceOrder, stats)) continue;
        if (!fitsAllowance(size, a)) {
            stats.prune(Prune::Allowance);
            continue;
        }
        if (problem_.ctx.upperBound(domain * size / inputNumel) > o.maxReductionMultiplier) {
            stats.prune(Prune::SizeLimit);
            continue;
        }
        State next = s;
        Dim r = store_->reduce(static_cast<int>(s.reductions.size()), size, ReduceKind::Sum);
        next.reductions.push_back(r);
        next.frontier.push_back(r);
        offer(std::move(next), StepKind::Reduce, stepKey(StepKind::Reduce, {r->hash}),
              fmt::format("sum({})", size.toString(vars)), {}, out, stats);
    }
}

void Generator::addContractions(const State& s, std::vector<Child>& out, SynthesisStats& stats) {
    const auto& o = problem_.options;
    if (contractionsLeft(s, o) == 0) return;
    const VariableTable& vars = problem_.ctx.vars();
    std::vector<Dim> eligible;
    for (Dim d : s.frontier)
        if (d->kind != DimKind::Stride) eligible.push_back(d);
    const size_t n = std::min<size_t>(eligible.size(), 16);
    Allowance a = allowance(s, vars);
    for (uint32_t mask = 1; mask < (1u << n); ++mask) {
        int rank = __builtin_popcount(mask);
        if (rank < 2 || rank > o.maxWeightRank) continue;
        std::vector<Dim> shared;
        bool inner = false, outer = false;
        for (size_t i = 0; i < n; ++i)
            if (mask >> i & 1u) {
                shared.push_back(eligible[i]);
                inner |= hasReduceBelow(eligible[i]);
                // A sum another weight holds ties the two (low rank): it plays the output side here.
                outer |= hasIteratorBelow(eligible[i]) || (eligible[i]->kind == DimKind::Reduce && s.inWeight(eligible[i]));
            }
        if ((!inner || !outer) && fires(Rule::WeightInnerAndOuter, stats)) continue;
        bool nested = false;
        for (const auto& w : s.weights) {
            bool sharedInW = std::all_of(shared.begin(), shared.end(),
                                         [&w](Dim d) { return std::find(w.begin(), w.end(), d) != w.end(); });
            bool wInShared = std::all_of(w.begin(), w.end(),
                                         [&shared](Dim d) { return std::find(shared.begin(), shared.end(), d) != shared.end(); });
            nested |= sharedInW || wInShared;
        }
        if ((nested) && fires(Rule::WeightNested, stats)) continue;
        if ((usesSumOutOfOrder(s, shared) || sharesSumOutOfOrder(s, shared)) && fires(Rule::EqualSumsInOrder, stats)) continue;
        Size numel;
        Allowance left = a;
        for (Dim d : shared) {
            numel = numel * d->size;
            left = consume(left, d->size, vars, true);
        }
        if (std::any_of(left.begin(), left.end(), [](int v) { return v < 0; })) {
            stats.prune(Prune::Allowance);
            continue;
        }
        if (problem_.ctx.lowerBound(numel) < o.minWeightNumel) {
            stats.prune(Prune::SizeLimit);
            continue;
        }
        std::vector<Dim> expandable;
        for (Dim d : shared)
            // Output-side dims, and sums another weight already holds (they then tie the two weights).
            if (isExpandable(d, problem_) || (d->kind == DimKind::Reduce && s.inWeight(d))) expandable.push_back(d);
        for (uint32_t e = 0; e < (1u << expandable.size()); ++e) {
            State next = s;
            next.weights.push_back(shared);
            uint64_t key = hashString("contract");
            std::string text = "weight[";
            std::vector<Dim> sortedShared = shared;
            std::sort(sortedShared.begin(), sortedShared.end(), [](Dim x, Dim y) { return x->hash < y->hash; });
            for (Dim d : sortedShared) {
                key = hashCombine(key, d->hash);
                text += (text.back() == '[' ? "" : ", ") + sizeText(d);
            }
            text += "]";
            std::string expanded;
            for (size_t i = 0; i < expandable.size(); ++i)
                if (e >> i & 1u) {
                    removeDim(next.frontier, expandable[i]);
                    next.expansions.push_back(expandable[i]);
                    key = hashCombine(key, expandable[i]->hash ^ 0x5eedULL);
                    expanded += (expanded.empty() ? "" : ", ") + sizeText(expandable[i]);
                }
            if (!expanded.empty()) text += " expanding " + expanded;
            offer(std::move(next), StepKind::Contraction, stepKey(StepKind::Contraction, {key}), text, {}, out, stats);
        }
    }
}

void Generator::addSplits(const State& s, std::vector<Child>& out, SynthesisStats& stats) {
    if (capReached(s, StepKind::Split)) return;
    const VariableTable& vars = problem_.ctx.vars();
    for (Dim a : s.frontier)
        for (Dim b : s.frontier) {
            if (a == b || a->kind == DimKind::Stride || b->kind == DimKind::Stride) continue;
            if ((a->kind == DimKind::Split) && fires(Rule::SplitChainsRight, stats)) continue;
            // Only when no weight reads a half: a weight indexed by the block (a position-dependent weight)
            // makes the split of the halves more than the dim they came from.
            if ((a->kind == DimKind::MergeOuter && b->kind == DimKind::MergeInner && a->lhs == b->lhs &&
                 (problem_.options.rulesRevision < 2 || (!s.inWeight(a) && !s.inWeight(b)))) &&
                fires(Rule::SplitOfMergeHalves, stats))
                continue;
            if ((isReduceLeaf(a) && isReduceLeaf(b) && !s.inWeight(a) && !s.inWeight(b)) && fires(Rule::SplitOfPlainSums, stats)) continue;
            // Sharing the split dim instead is only possible when every weight that reads a or b reads both:
            // a weight that reads one of them alone would then have to read a half of the split dim, a merge
            // of a sum, which merge-of-reduction leaves out (W1[g, c] W2[g, co] over split(g, c) is a family
            // of its own).
            bool sameWeight = false, alone = false;
            for (const auto& w : s.weights) {
                const bool hasA = std::find(w.begin(), w.end(), a) != w.end();
                const bool hasB = std::find(w.begin(), w.end(), b) != w.end();
                sameWeight |= hasA && hasB;
                alone |= hasA != hasB;
            }
            if (problem_.options.rulesRevision < 3) alone = false;
            if ((sameWeight && !alone) && fires(Rule::SplitWithinWeight, stats)) continue;
            Size product = a->size * b->size;
            if (product.variableCount() > problem_.options.maxVariablesInSize) {
                stats.prune(Prune::SizeLimit);
                continue;
            }
            Dim d = store_->split(a, b);
            if ((usesSumOutOfOrder(s, {a, b}, d)) && fires(Rule::EqualSumsInOrder, stats)) continue;
            State next = s;
            removeDim(next.frontier, a);
            removeDim(next.frontier, b);
            next.frontier.push_back(d);
            offer(std::move(next), StepKind::Split, stepKey(StepKind::Split, {d->hash}),
                  fmt::format("split({}, {}) -> {}", sizeText(a), sizeText(b), product.toString(vars)), {d}, out, stats);
        }
}

void Generator::addMerges(const State& s, std::vector<Child>& out, SynthesisStats& stats) {
    if (capReached(s, StepKind::Merge)) return;
    const VariableTable& vars = problem_.ctx.vars();
    for (Dim d : s.frontier) {
        if (d->kind == DimKind::Stride) continue;
        if ((isReduceLeaf(d)) && fires(Rule::MergeOfReduction, stats)) continue;
        if ((d->kind == DimKind::MergeOuter) && fires(Rule::MergeChainsInner, stats)) continue;
        if ((s.inWeight(d)) && fires(Rule::MergeOfShared, stats)) continue;
        for (const Size& block : sizes_) {
            Size outerSize = d->size / block;
            if (!outerSize.isValidDimension(vars) || outerSize.variableCount() > problem_.options.maxVariablesInSize ||
                problem_.ctx.lowerBound(outerSize) < 2 ||
                (problem_.options.requireExactDivision && !problem_.ctx.isIntegralEverywhere(outerSize)))
                continue;
            if ((d->kind == DimKind::Split && block == d->rhs->size) && fires(Rule::MergeOfSplitIdentity, stats)) continue;
            Dim outer = store_->mergeOuter(d, block), inner = store_->mergeInner(d, block);
            State next = s;
            removeDim(next.frontier, d);
            next.frontier.push_back(outer);
            next.frontier.push_back(inner);
            offer(std::move(next), StepKind::Merge, stepKey(StepKind::Merge, {outer->hash}),
                  fmt::format("merge({}, {}) -> {}, {}", sizeText(d), block.toString(vars), outerSize.toString(vars),
                              block.toString(vars)),
                  {outer, inner}, out, stats);
        }
    }
}

void Generator::addShifts(const State& s, std::vector<Child>& out, SynthesisStats& stats) {
    if (capReached(s, StepKind::Shift)) return;
    for (Dim d : s.frontier) {
        if (d->kind == DimKind::Stride) continue;
        if ((isReduceLeaf(d)) && fires(Rule::ShiftOfReduction, stats)) continue;
        if ((d->kind == DimKind::Shift) && fires(Rule::ShiftOfShift, stats)) continue;
        Dim sh = store_->shift(d, 1);
        State next = s;
        removeDim(next.frontier, d);
        next.frontier.push_back(sh);
        offer(std::move(next), StepKind::Shift, stepKey(StepKind::Shift, {sh->hash}),
              fmt::format("shift({})", sizeText(d)), {sh}, out, stats);
    }
}

void Generator::addStrides(const State& s, std::vector<Child>& out, SynthesisStats& stats) {
    if (capReached(s, StepKind::Stride)) return;
    const VariableTable& vars = problem_.ctx.vars();
    for (Dim d : s.frontier) {
        if ((!isReduceLeaf(d) || !s.inWeight(d)) && fires(Rule::StrideOnlyWindows, stats)) continue;
        if (usesSumOutOfOrder(s, {d})) {  // the strided copy is no consumer: it is one window, still to place
            stats.fire(Rule::EqualSumsInOrder);
            continue;
        }
        for (const Size& st : coefficients_) {
            if (problem_.ctx.upperBound(d->size * st) > static_cast<double>(problem_.options.maxStridedSize)) {
                stats.prune(Prune::SizeLimit);
                continue;
            }
            Dim sd = store_->stride(d, st);
            State next = s;
            removeDim(next.frontier, d);
            next.frontier.push_back(sd);
            offer(std::move(next), StepKind::Stride, stepKey(StepKind::Stride, {sd->hash}),
                  fmt::format("stride({}, {})", sizeText(d), st.toString(vars)), {sd}, out, stats);
        }
    }
}

void Generator::addUnfolds(const State& s, std::vector<Child>& out, SynthesisStats& stats) {
    if (capReached(s, StepKind::Unfold)) return;
    const auto& o = problem_.options;
    const SizeContext& ctx = problem_.ctx;
    for (Dim w : s.frontier) {
        bool weighted = (isReduceLeaf(w) && s.inWeight(w)) || w->kind == DimKind::Stride;
        if (!weighted) {
            if (isReduceLeaf(w)) stats.fire(Rule::UnfoldWindowWeighted);
            continue;
        }
        bool odd = true;
        int64_t widest = 0;
        for (int b = 0; b < ctx.bindingCount() && odd; ++b) {
            // A window that does not divide (possible without exact division) cannot be centred.
            Dim sized = w->kind == DimKind::Stride ? w->lhs : w;
            if (!ctx.eval(sized->size, b).isInteger() ||
                (w->kind == DimKind::Stride && !ctx.eval(w->factor, b).isInteger())) {
                odd = false;
                break;
            }
            int64_t span = windowSpan(w, ctx, b);
            odd &= span % 2 == 1;
            widest = std::max(widest, span);
        }
        if (!odd || widest > o.maxUnfoldKernel) {
            stats.prune(Prune::SizeLimit);
            continue;
        }
        if ((usesSumOutOfOrder(s, {w})) && fires(Rule::EqualSumsInOrder, stats)) continue;
        const bool windowIsSum = w->kind == DimKind::Reduce;
        for (Dim m : s.frontier) {
            if (m == w || m->kind == DimKind::Stride) continue;
            if ((isReduceLeaf(m)) && fires(Rule::UnfoldMainNotSum, stats)) continue;
            if (ctx.lowerBound(m->size) < o.minUnfoldRatio * static_cast<double>(widest)) {
                stats.prune(Prune::SizeLimit);
                continue;
            }
            Dim u = store_->unfold(m, w);
            if ((windowIsSum && usesSumOutOfOrder(s, {w}, u)) && fires(Rule::EqualSumsInOrder, stats)) continue;
            State next = s;
            removeDim(next.frontier, m);
            removeDim(next.frontier, w);
            next.frontier.push_back(u);
            offer(std::move(next), StepKind::Unfold, stepKey(StepKind::Unfold, {u->hash}),
                  fmt::format("unfold({}, {})", sizeText(m), sizeText(w)), {u}, out, stats);
        }
    }
}

void Generator::addExpands(const State& s, std::vector<Child>& out, SynthesisStats& stats) {
    if (!problem_.options.allowStandaloneExpand() || capReached(s, StepKind::Expand)) return;
    for (Dim d : s.frontier) {
        if ((!isExpandable(d, problem_)) && fires(Rule::ExpandOutputSideOnly, stats)) continue;
        State next = s;
        removeDim(next.frontier, d);
        next.expansions.push_back(d);
        offer(std::move(next), StepKind::Expand, stepKey(StepKind::Expand, {d->hash}),
              fmt::format("expand({})", sizeText(d)), {}, out, stats);
    }
}

void Generator::addFinalizations(const State& s, std::vector<Child>& out, SynthesisStats& stats) {
    const auto& o = problem_.options;
    const SizeContext& ctx = problem_.ctx;
    std::vector<int> freePositions;
    for (size_t i = 0; i < problem_.input.size(); ++i) {
        bool isFixed = false;
        for (const auto& f : problem_.fixed) isFixed |= f.inputPos == static_cast<int>(i);
        if (!isFixed) freePositions.push_back(static_cast<int>(i));
    }
    if (s.frontier.size() != freePositions.size() || (s.reductions.empty() && s.weights.empty())) return;
    for (Dim d : s.frontier)
        if (d->kind == DimKind::Stride) return;
    // Group positions and frontier dims by size; every size must occur equally often on both sides.
    std::map<Size, std::vector<int>> positions;
    std::map<Size, std::vector<Dim>> dims;
    for (int p : freePositions) positions[problem_.input[static_cast<size_t>(p)].size].push_back(p);
    for (Dim d : s.frontier) dims[d->size].push_back(d);
    if (positions.size() != dims.size()) return;
    for (const auto& [size, ps] : positions)
        if (!dims.count(size) || dims[size].size() != ps.size()) return;

    // Pooling limit: sums tied to no weight.
    Size pooled;
    for (Dim r : s.reductions)
        if (!s.weighted(r)) pooled = pooled * r->size;
    if (ctx.upperBound(pooled) > o.maxPoolingFactor) return stats.prune(Prune::SizeLimit);

    // Enumerate assignments: the product of permutations inside each size group.
    std::vector<std::vector<Dim>> groups;
    std::vector<std::vector<int>> groupPositions;
    for (auto& [size, ds] : dims) {
        std::sort(ds.begin(), ds.end(), [](Dim a, Dim b) { return a->hash < b->hash; });
        groups.push_back(ds);
        groupPositions.push_back(positions[size]);
    }
    int made = 0;
    std::function<void(size_t, std::vector<Dim>&)> assign = [&](size_t g, std::vector<Dim>& input) {
        if (made >= o.maxFinalizations) return;
        if (g == groups.size()) {
            ++made;
            OperatorParts parts;
            parts.outputs = outputs_;
            parts.reductions = s.reductions;
            parts.input = input;
            parts.weights = s.weights;
            parts.expansions = s.expansions;
            Operator op = Operator::make(store_, parts);
            // Under exact division every size divides by construction; otherwise the operator must at
            // least be realisable with padding, and is costed at the padded sizes.
            std::optional<SizeContext> padded;
            try {
                padded = paddedContext(op, ctx, o.requireExactDivision ? PaddingPolicy::Exact : PaddingPolicy::Pad);
            } catch (const Error&) {
                return stats.prune(Prune::SizeLimit);
            }
            for (size_t w = 0; w < op.weights().size(); ++w) {
                Size numel;
                for (const Size& sz : op.weightShape(static_cast<int>(w))) numel = numel * sz;
                if (ctx.lowerBound(numel) < o.minWeightNumel) return stats.prune(Prune::SizeLimit);
            }
            double flops = operatorFlops(op, *padded, o);
            if (flops > o.maxFlops || flops < o.minFlops) return stats.prune(Prune::Flops);
            if (o.skipOverParametrised && overParametrised(op, ctx)) return stats.prune(Prune::OverParametrised);
            uint64_t key = hashCombine(hashString("finalize"), op.id());
            ++stats.finals;
            out.push_back(Child{StepKind::Finalize, key, "finalize", {}, std::move(op)});
            return;
        }
        std::vector<Dim> perm = groups[g];
        do {
            for (size_t i = 0; i < perm.size(); ++i) input[static_cast<size_t>(groupPositions[g][i])] = perm[i];
            assign(g + 1, input);
        } while (std::next_permutation(perm.begin(), perm.end(), [](Dim a, Dim b) { return a->hash < b->hash; }));
    };
    std::vector<Dim> input(problem_.input.size(), nullptr);
    for (const auto& f : problem_.fixed) input[static_cast<size_t>(f.inputPos)] = outputs_[static_cast<size_t>(f.outputPos)];
    assign(0, input);
}

}  // namespace syno
