#pragma once
// The search space as a DAG, grown lazily from the output: nodes are partial operators (merged when
// reached by steps in another order, so they share a search's statistics), edges are primitive steps,
// Finalize edges lead to finished operators. Nodes found to have no live finished descendant are marked
// dead (their state is freed) and never entered again, so a random descent only ever returns valid
// operators and an exhausted space is detected. A search consumes each finished operator it proposes so
// that no descent returns it again. This is the one DAG: `syno sample` and the search algorithms both walk
// it. Single-threaded.
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "synthesis/Generator.h"

namespace syno {

struct PathStep {
    StepKind kind;
    uint64_t key;
    bool operator==(const PathStep&) const = default;
};

// The steps from the root to a finished operator; serialised as "kind:key/kind:key/...", portable.
struct Path {
    std::vector<PathStep> steps;
    std::string serialize() const;
    static Path parse(const std::string& text);  // throws syno::Error on malformed text
    bool operator==(const Path&) const = default;
};

enum class SampleMode {
    Uniform,    // every live child equally likely
    TypeFirst,  // first a primitive kind, then a step of that kind
};

// One step taken: edge `edge` out of node `node`.
struct StepRef {
    int node = 0;
    int edge = 0;
    bool operator==(const StepRef&) const = default;
};

struct Sampled {
    Operator op;
    Path path;
    std::vector<std::string> stepTexts;
    uint64_t canonical = 0;
    double flops = 0;   // staged, summed over bindings
    double params = 0;  // summed over bindings
};

class Space {
public:
    struct Edge {
        StepKind kind;
        uint64_t key = 0;
        int text = 0;     // interned step text (they repeat a lot)
        int target = -1;  // node index, or final index for Finalize
    };

    explicit Space(Problem problem, size_t nodeLimit = 2'000'000);

    const Problem& problem() const { return generator_.problem(); }
    const SynthesisStats& stats() const { return stats_; }
    // True when no finished operator exists within the limits (explores lazily to find out).
    bool rootDead() const { return nodes_[0].dead; }
    int rootDistance() const;

    // The node API a search walks. Edges are in generation order; a node is expanded on first use; a
    // dead node's edges stay so that paths still held (proposals in flight) resolve.
    static constexpr int root() { return 0; }
    const std::vector<Edge>& edges(int node);
    bool dead(int node) const { return nodes_[static_cast<size_t>(node)].dead; }
    // A node edge is live while its target is; a Finalize edge until its operator is consumed.
    bool live(const Edge& e) const;
    // Marks the node dead when none of its edges is live; returns whether it is dead.
    bool pruneIfEmpty(int node);
    void consume(const Edge& finalEdge) { consumed_[static_cast<size_t>(finalEdge.target)] = true; }
    const Edge& edge(StepRef s) const { return nodes_[static_cast<size_t>(s.node)].edges[static_cast<size_t>(s.edge)]; }
    // Random descent from `from` to a live finished operator, backtracking out of dead ends (which it
    // prunes) and beginning again from `from` after SynthesisOptions::descentRestartAfter of them. TypeFirst draws a primitive kind first, then a step of it. nullopt when nothing is left
    // below `from` or the node limit was reached.
    std::optional<std::vector<StepRef>> descend(int from, std::mt19937_64& rng, SampleMode mode);
    // The finished operator at the end of a full path from the root, with its steps and estimates.
    Sampled build(const std::vector<StepRef>& path) const;

    // One random descent from the root; nullopt when the whole space is dead.
    std::optional<Sampled> sampleOne(std::mt19937_64& rng, SampleMode mode);
    // Up to n distinct operators (by canonical form) from `seed`; stops early when the space is
    // exhausted or after maxAttempts descents. Duplicates met are counted in stats().duplicates.
    std::vector<Sampled> sample(int n, uint64_t seed, SampleMode mode, int maxAttempts = 0);
    // Every distinct finished operator, depth-first in child order, up to `limit`.
    std::vector<Sampled> enumerate(size_t limit);
    // The path of a hand-built operator (same variables), or nullopt when it is not in the space.
    std::optional<Path> pathOf(const Operator& target);
    // Replays a path; throws syno::Error when a step does not exist.
    Sampled follow(const Path& path);

    size_t nodeCount() const { return nodes_.size(); }
    // A cap on nodes kept (memory): once reached, sampling and enumeration stop and budgetExhausted()
    // turns true, instead of growing without bound.
    void setNodeLimit(size_t limit) { nodeLimit_ = limit; }
    bool budgetExhausted() const { return nodes_.size() >= nodeLimit_; }

private:
    struct Node {
        std::unique_ptr<State> state;
        bool expanded = false;
        bool dead = false;
        std::vector<Edge> edges;
    };

    void expand(int node);
    Sampled makeSampled(int finalIndex, const std::vector<const Edge*>& path) const;

    Generator generator_;
    SynthesisStats stats_;
    std::vector<Node> nodes_;
    std::unordered_map<uint64_t, int> nodeOf_;
    std::vector<std::string> texts_;
    std::unordered_map<std::string, int> textId_;
    std::vector<Operator> finals_;
    std::vector<bool> consumed_;                 // per final
    std::unordered_map<uint64_t, int> finalOf_;  // operator id -> final index
    size_t nodeLimit_;
};

}  // namespace syno
