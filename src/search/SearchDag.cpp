#include "search/SearchDag.h"

#include <fmt/format.h>

#include "ir/TextForm.h"
#include "semantics/Cost.h"
#include "semantics/Stages.h"
#include "synthesis/CanonicalForm.h"
#include "synthesis/Distance.h"

namespace syno::search {

size_t drawIndex(std::mt19937_64& rng, size_t n) {
    uint64_t limit = ~0ULL - (~0ULL % n);
    uint64_t x;
    do x = rng();
    while (x >= limit);
    return static_cast<size_t>(x % n);
}

double drawUnit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

SearchDag::SearchDag(Problem problem, size_t nodeLimit)
    : generator_(problem, std::make_shared<DimStore>(problem.ctx.vars())), nodeLimit_(nodeLimit) {
    Node root;
    root.state = std::make_unique<State>(generator_.root());
    nodeOf_[root.state->key] = 0;
    // Guidance proves some problems impossible before any expansion.
    if (problem.options.guided && shapeDistance(*root.state, generator_.problem()) > generator_.remaining(*root.state))
        root.dead = true;
    nodes_.push_back(std::move(root));
}

void SearchDag::expand(int node) {
    Node& n0 = nodes_[static_cast<size_t>(node)];
    if (n0.expanded || n0.dead) return;
    std::vector<Child> children = generator_.children(*n0.state, stats_);
    std::vector<Edge> edges;
    edges.reserve(children.size());
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
        edges.push_back(e);
    }
    Node& n = nodes_[static_cast<size_t>(node)];  // nodes_ may have grown
    n.edges = std::move(edges);
    n.expanded = true;
}

const std::vector<SearchDag::Edge>& SearchDag::edges(int node) {
    expand(node);
    return nodes_[static_cast<size_t>(node)].edges;
}

bool SearchDag::live(const Edge& e) const {
    return e.kind == StepKind::Finalize ? !consumed_[static_cast<size_t>(e.target)]
                                        : !nodes_[static_cast<size_t>(e.target)].dead;
}

bool SearchDag::pruneIfEmpty(int node) {
    expand(node);
    Node& n = nodes_[static_cast<size_t>(node)];
    if (n.dead) return true;
    for (const Edge& e : n.edges)
        if (live(e)) return false;
    n.dead = true;
    n.state.reset();  // edges stay: paths held by in-flight proposals still name them
    return true;
}

std::optional<std::vector<StepRef>> SearchDag::descend(int from, std::mt19937_64& rng, SampleMode mode) {
    std::vector<int> stack{from};
    std::vector<StepRef> path;
    while (!stack.empty()) {
        if (nodeLimitReached()) return std::nullopt;
        int node = stack.back();
        if (pruneIfEmpty(node)) {
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

Sampled SearchDag::build(const std::vector<StepRef>& path) const {
    const Edge& last = edge(path.back());
    const Operator& op = finals_[static_cast<size_t>(last.target)];
    Sampled s{op, {}, {}, canonicalHash(op), 0, 0};
    for (StepRef r : path) {
        const Edge& e = edge(r);
        s.path.steps.push_back({e.kind, e.key});
        s.stepTexts.push_back(texts_[static_cast<size_t>(e.text)]);
    }
    const Problem& problem = generator_.problem();
    const PaddingPolicy policy = problem.options.requireExactDivision ? PaddingPolicy::Exact : PaddingPolicy::Pad;
    s.flops = planStages(op, paddedContext(op, problem.ctx, policy)).flops;
    s.params = naiveCost(op, problem.ctx, policy).params;
    return s;
}

Candidate SearchDag::candidate(const Sampled& s) {
    Candidate c;
    c.operatorText = printOperator(s.op);
    c.canonicalId = fmt::format("{:016x}", s.canonical);
    c.path = s.path.serialize();
    c.operatorFlops = s.flops;
    c.operatorParams = s.params;
    return c;
}

}  // namespace syno::search
