#include "synthesis/Space.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/Draw.h"
#include "base/Error.h"
#include "semantics/Cost.h"
#include "semantics/Stages.h"
#include "synthesis/CanonicalForm.h"
#include "synthesis/Distance.h"

namespace syno {

std::string Path::serialize() const {
    std::string out;
    for (const auto& s : steps) out += fmt::format("{}{}:{:016x}", out.empty() ? "" : "/", stepKindName(s.kind), s.key);
    return out;
}

Path Path::parse(const std::string& text) {
    Path p;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('/', pos);
        if (end == std::string::npos) end = text.size();
        std::string item = text.substr(pos, end - pos);
        if (end + 1 == text.size()) throw Error("path ends with '/'");
        auto colon = item.find(':');
        if (colon == std::string::npos) throw Error(fmt::format("path step '{}' is not KIND:KEY", item));
        std::string kind = item.substr(0, colon), key = item.substr(colon + 1);
        int k = 0;
        for (; k < kStepKinds; ++k)
            if (kind == stepKindName(static_cast<StepKind>(k))) break;
        if (k == kStepKinds) throw Error(fmt::format("path step '{}' has unknown kind '{}'", item, kind));
        if (key.empty() || key.size() > 16 || key.find_first_not_of("0123456789abcdef") != std::string::npos)
            throw Error(fmt::format("path step '{}' has a malformed key", item));
        p.steps.push_back({static_cast<StepKind>(k), std::stoull(key, nullptr, 16)});
        pos = end + 1;
    }
    return p;
}

Space::Space(Problem problem, size_t nodeLimit)
    : generator_(problem, std::make_shared<DimStore>(problem.ctx.vars())), nodeLimit_(nodeLimit) {
    Node root;
    root.state = std::make_unique<State>(generator_.root());
    nodeOf_[root.state->key] = 0;
    nodes_.push_back(std::move(root));
    if (problem.options.guided && rootDistance() > generator_.remaining(*nodes_[0].state)) nodes_[0].dead = true;
}

int Space::rootDistance() const {
    return shapeDistance(nodes_[0].state ? *nodes_[0].state : generator_.root(), generator_.problem());
}

void Space::expand(int node) {
    if (nodes_[static_cast<size_t>(node)].expanded || nodes_[static_cast<size_t>(node)].dead) return;
    std::vector<Child> children = generator_.children(*nodes_[static_cast<size_t>(node)].state, stats_);
    std::vector<Edge> edges;
    for (Child& c : children) {
        auto [textIt, freshText] = textId_.emplace(c.text, static_cast<int>(texts_.size()));
        if (freshText) texts_.push_back(std::move(c.text));
        Edge e{c.kind, c.key, textIt->second, -1};
        if (c.kind == StepKind::Finalize) {
            auto [it, fresh] = finalOf_.emplace(c.op->id(), static_cast<int>(finals_.size()));
            if (fresh) {
                finals_.push_back(std::move(*c.op));
                consumed_.push_back(false);
            }
            e.target = it->second;
        } else {
            auto [it, fresh] = nodeOf_.emplace(c.state.key, static_cast<int>(nodes_.size()));
            if (fresh) {
                Node n;
                n.state = std::make_unique<State>(std::move(c.state));
                nodes_.push_back(std::move(n));
            }
            e.target = it->second;
        }
        edges.push_back(std::move(e));
    }
    Node& n = nodes_[static_cast<size_t>(node)];
    n.edges = std::move(edges);
    n.expanded = true;
}

const std::vector<Space::Edge>& Space::edges(int node) {
    expand(node);
    return nodes_[static_cast<size_t>(node)].edges;
}

bool Space::live(const Edge& e) const {
    return e.kind == StepKind::Finalize ? !consumed_[static_cast<size_t>(e.target)]
                                        : !nodes_[static_cast<size_t>(e.target)].dead;
}

bool Space::pruneIfEmpty(int node) {
    expand(node);
    Node& n = nodes_[static_cast<size_t>(node)];
    if (n.dead) return true;
    for (const Edge& e : n.edges)
        if (live(e)) return false;
    n.dead = true;
    n.state.reset();
    ++stats_.deadEnds;
    return true;
}

Sampled Space::makeSampled(int finalIndex, const std::vector<const Edge*>& path) const {
    const Operator& op = finals_[static_cast<size_t>(finalIndex)];
    Sampled s{op, {}, {}, canonicalHash(op), 0, 0};
    for (const Edge* e : path) {
        s.path.steps.push_back({e->kind, e->key});
        s.stepTexts.push_back(texts_[static_cast<size_t>(e->text)]);
    }
    const Problem& problem = generator_.problem();
    const PaddingPolicy policy = problem.options.requireExactDivision ? PaddingPolicy::Exact : PaddingPolicy::Pad;
    s.flops = operatorFlops(op, paddedContext(op, problem.ctx, policy), problem.options);
    s.params = naiveCost(op, problem.ctx, policy).params;
    return s;
}

std::optional<std::vector<StepRef>> Space::descend(int from, std::mt19937_64& rng, SampleMode mode) {
    const int restartAfter = generator_.problem().options.descentRestartAfter;
    std::vector<int> stack{from};
    std::vector<StepRef> path;
    int deadEnds = 0;
    while (!stack.empty()) {
        if (budgetExhausted()) return std::nullopt;
        // Every dead end marks a node dead for good, so restarts end: the space is finite.
        if (restartAfter > 0 && deadEnds >= restartAfter && stack.size() > 1) {
            stack.assign(1, from);
            path.clear();
            deadEnds = 0;
            ++stats_.restarts;
        }
        int node = stack.back();
        if (pruneIfEmpty(node)) {
            ++deadEnds;
            stack.pop_back();
            if (!path.empty()) path.pop_back();
            continue;
        }
        const auto& es = nodes_[static_cast<size_t>(node)].edges;
        std::vector<int> liveEdges;
        for (size_t i = 0; i < es.size(); ++i)
            if (live(es[i])) liveEdges.push_back(static_cast<int>(i));
        int chosen;
        if (mode == SampleMode::TypeFirst) {
            std::vector<StepKind> kinds;
            for (int i : liveEdges)
                if (kinds.empty() || kinds.back() != es[static_cast<size_t>(i)].kind) kinds.push_back(es[static_cast<size_t>(i)].kind);
            StepKind k = kinds[drawIndex(rng, kinds.size())];
            std::vector<int> ofKind;
            for (int i : liveEdges)
                if (es[static_cast<size_t>(i)].kind == k) ofKind.push_back(i);
            chosen = ofKind[drawIndex(rng, ofKind.size())];
        } else {
            chosen = liveEdges[drawIndex(rng, liveEdges.size())];
        }
        path.push_back({node, chosen});
        const Edge& e = es[static_cast<size_t>(chosen)];
        if (e.kind == StepKind::Finalize) return path;
        stack.push_back(e.target);
    }
    return std::nullopt;
}

Sampled Space::build(const std::vector<StepRef>& path) const {
    std::vector<const Edge*> edges;
    for (StepRef r : path) edges.push_back(&edge(r));
    return makeSampled(edges.back()->target, edges);
}

std::optional<Sampled> Space::sampleOne(std::mt19937_64& rng, SampleMode mode) {
    auto path = descend(root(), rng, mode);
    if (!path) return std::nullopt;
    return build(*path);
}

std::vector<Sampled> Space::sample(int n, uint64_t seed, SampleMode mode, int maxAttempts) {
    std::mt19937_64 rng(seed);
    std::vector<Sampled> out;
    std::set<uint64_t> seen;
    if (maxAttempts <= 0) maxAttempts = 50 * std::max(n, 1) + 100;
    for (int attempt = 0; attempt < maxAttempts && static_cast<int>(out.size()) < n; ++attempt) {
        auto s = sampleOne(rng, mode);
        if (!s) break;
        if (!seen.insert(s->canonical).second) {
            ++stats_.duplicates;
            continue;
        }
        out.push_back(std::move(*s));
    }
    return out;
}

std::vector<Sampled> Space::enumerate(size_t limit) {
    std::vector<Sampled> out;
    std::set<int> finalsSeen;
    std::set<int> visited;
    std::set<uint64_t> canon;
    std::vector<const Edge*> path;
    std::function<void(int)> visit = [&](int node) {
        if (out.size() >= limit || budgetExhausted() || !visited.insert(node).second) return;
        expand(node);
        for (size_t i = 0; i < nodes_[static_cast<size_t>(node)].edges.size() && out.size() < limit; ++i) {
            const Edge* e = &nodes_[static_cast<size_t>(node)].edges[i];
            path.push_back(e);
            if (e->kind == StepKind::Finalize) {
                if (finalsSeen.insert(e->target).second) {
                    Sampled s = makeSampled(e->target, path);
                    if (canon.insert(s.canonical).second) out.push_back(std::move(s));
                    else ++stats_.duplicates;
                }
            } else if (!nodes_[static_cast<size_t>(e->target)].dead) {
                visit(e->target);
            }
            path.pop_back();
        }
    };
    visit(0);
    return out;
}

namespace {

Dim copyRelabelled(Dim d, DimStore& store, const std::vector<int>& label) {
    switch (d->kind) {
        case DimKind::Iterator: return store.iterator(d->index, d->size);
        case DimKind::Reduce: return store.reduce(label[static_cast<size_t>(d->index)], d->size, d->reduce);
        case DimKind::Split:
            return store.split(copyRelabelled(d->lhs, store, label), copyRelabelled(d->rhs, store, label));
        case DimKind::MergeOuter: return store.mergeOuter(copyRelabelled(d->lhs, store, label), d->factor);
        case DimKind::MergeInner: return store.mergeInner(copyRelabelled(d->lhs, store, label), d->factor);
        case DimKind::Shift: return store.shift(copyRelabelled(d->lhs, store, label), d->shift);
        case DimKind::Stride: return store.stride(copyRelabelled(d->lhs, store, label), d->factor);
        case DimKind::Unfold:
            return store.unfold(copyRelabelled(d->lhs, store, label), copyRelabelled(d->rhs, store, label));
    }
    return nullptr;
}

std::vector<Dim> sortedByHash(std::vector<Dim> v) {
    std::sort(v.begin(), v.end(), [](Dim a, Dim b) { return a->hash < b->hash; });
    return v;
}

}  // namespace

std::optional<Path> Space::pathOf(const Operator& target) {
    if (!(target.vars() == generator_.problem().ctx.vars()))
        throw Error("the operator declares other variables than the search space");
    DimStore& store = *generator_.store();
    const uint64_t targetCanon = canonicalHash(target);
    const auto& red = target.reductions();
    // Reductions are generated in size order; try every labelling consistent with it.
    std::vector<size_t> order(red.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return red[a]->size < red[b]->size; });
    std::vector<size_t> perm = order;
    std::sort(perm.begin(), perm.end());
    std::set<std::vector<size_t>> tried;
    do {
        bool sizesOrdered = true;
        for (size_t i = 1; i < perm.size(); ++i) sizesOrdered &= !(red[perm[i]]->size < red[perm[i - 1]]->size);
        if (!sizesOrdered) continue;
        std::vector<int> label(red.size());
        for (size_t slot = 0; slot < perm.size(); ++slot) label[perm[slot]] = static_cast<int>(slot);
        std::set<Dim> allowed;
        std::function<void(Dim)> collect = [&](Dim d) {
            allowed.insert(d);
            if (d->lhs) collect(d->lhs);
            if (d->rhs) collect(d->rhs);
        };
        std::vector<Dim> input;
        for (Dim d : target.input()) input.push_back(copyRelabelled(d, store, label));
        for (Dim d : input) collect(d);
        std::set<std::vector<Dim>> weights;
        for (const auto& w : target.weights()) {
            std::vector<Dim> copy;
            for (Dim d : w) copy.push_back(copyRelabelled(d, store, label));
            weights.insert(sortedByHash(copy));
        }
        std::set<Dim> expansions;
        for (Dim d : target.expansions()) expansions.insert(copyRelabelled(d, store, label));
        for (Dim d : expansions) collect(d);

        auto consistent = [&](const State& s) {
            for (Dim d : s.frontier)
                if (!allowed.count(d)) return false;
            for (const auto& w : s.weights)
                if (!weights.count(w)) return false;
            for (Dim d : s.expansions)
                if (!expansions.count(d)) return false;
            return true;
        };
        std::set<int> visited;
        std::vector<PathStep> steps;
        std::function<bool(int)> dfs = [&](int node) -> bool {
            if (!visited.insert(node).second) return false;
            expand(node);
            const auto edges = nodes_[static_cast<size_t>(node)].edges;  // copy: expand() may grow nodes_
            for (const Edge& e : edges) {
                if (e.kind == StepKind::Finalize) {
                    if (canonicalHash(finals_[static_cast<size_t>(e.target)]) == targetCanon) {
                        steps.push_back({e.kind, e.key});
                        return true;
                    }
                    continue;
                }
                const Node& t = nodes_[static_cast<size_t>(e.target)];
                if (t.dead || !consistent(*t.state)) continue;
                steps.push_back({e.kind, e.key});
                if (dfs(e.target)) return true;
                steps.pop_back();
            }
            return false;
        };
        if (dfs(0)) return Path{steps};
    } while (std::next_permutation(perm.begin(), perm.end()));
    return std::nullopt;
}

Sampled Space::follow(const Path& path) {
    int node = 0;
    std::vector<const Edge*> edges;
    for (size_t i = 0; i < path.steps.size(); ++i) {
        expand(node);
        const Edge* found = nullptr;
        for (const Edge& e : nodes_[static_cast<size_t>(node)].edges)
            if (e.kind == path.steps[i].kind && e.key == path.steps[i].key) found = &e;
        if (!found)
            throw Error(fmt::format("path step {} ({}) does not exist in this space", i + 1, stepKindName(path.steps[i].kind)));
        edges.push_back(found);
        if (found->kind == StepKind::Finalize) {
            if (i + 1 != path.steps.size()) throw Error("path continues after its finalize step");
            return makeSampled(found->target, edges);
        }
        node = found->target;
    }
    throw Error("path does not end in a finished operator");
}

}  // namespace syno
