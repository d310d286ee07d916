#pragma once
// The synthesis DAG as the search sees it: nodes are partial operators (one node per State key, so steps
// taken in another order meet in the same node and share its statistics), edges are primitive steps,
// Finalize edges lead to finished operators. Grown lazily from the Generator. A node with no live edge
// is dead (its state is freed); a finished operator handed to the search is "consumed" and never offered again, so
// every descent returns a fresh operator and an exhausted space is detected. Single-threaded.
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "search/Evaluator.h"
#include "synthesis/Space.h"

namespace syno::search {

// One step taken: edge `edge` out of node `node`.
struct StepRef {
    int node = 0;
    int edge = 0;
    bool operator==(const StepRef&) const = default;
};

class SearchDag {
public:
    struct Edge {
        StepKind kind;
        uint64_t key = 0;
        int text = 0;     // interned step text
        int target = -1;  // node index, or final index for Finalize
    };

    explicit SearchDag(Problem problem, size_t nodeLimit = 2'000'000);

    const Problem& problem() const { return generator_.problem(); }
    static constexpr int root() { return 0; }
    // Edges of a node, sorted by (kind, key); expands the node on first use. Dead nodes have none.
    const std::vector<Edge>& edges(int node);
    bool dead(int node) const { return nodes_[static_cast<size_t>(node)].dead; }
    bool live(const Edge& e) const;
    // Marks the node dead when none of its edges is live; returns whether it is dead.
    bool pruneIfEmpty(int node);
    void consume(const Edge& finalEdge) { consumed_[static_cast<size_t>(finalEdge.target)] = true; }
    bool consumed(int finalIndex) const { return consumed_[static_cast<size_t>(finalIndex)]; }
    const Edge& edge(StepRef s) const { return nodes_[static_cast<size_t>(s.node)].edges[static_cast<size_t>(s.edge)]; }

    // Random descent from `from` to a live, unconsumed finished operator, backtracking out of dead ends
    // (which it prunes). TypeFirst draws a primitive kind first, then a step of it. nullopt when nothing
    // is left below `from` or the node limit was reached.
    std::optional<std::vector<StepRef>> descend(int from, std::mt19937_64& rng, SampleMode mode);

    // The finished operator at the end of a full path from the root, with its text, ids and estimates.
    Sampled build(const std::vector<StepRef>& path) const;
    static Candidate candidate(const Sampled& s);

    size_t nodeCount() const { return nodes_.size(); }
    bool nodeLimitReached() const { return nodes_.size() >= nodeLimit_; }

private:
    struct Node {
        std::unique_ptr<State> state;
        bool expanded = false;
        bool dead = false;
        std::vector<Edge> edges;
    };
    void expand(int node);

    Generator generator_;
    SynthesisStats stats_;
    std::vector<Node> nodes_;
    std::unordered_map<uint64_t, int> nodeOf_;
    std::vector<std::string> texts_;
    std::unordered_map<std::string, int> textId_;
    std::vector<Operator> finals_;
    std::vector<bool> consumed_;
    std::unordered_map<uint64_t, int> finalOf_;
    size_t nodeLimit_;
};

// Unbiased draw in [0, n) from a standard-specified engine: the same on every platform.
size_t drawIndex(std::mt19937_64& rng, size_t n);
// Uniform double in [0, 1) from the engine's bits (portable, unlike std::uniform_real_distribution).
double drawUnit(std::mt19937_64& rng);

}  // namespace syno::search
