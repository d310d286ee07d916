#pragma once
// The search space as a DAG, grown lazily from the output: nodes are partial operators (merged when
// reached by steps in another order), edges are primitive steps, leaves are finished operators.
// Nodes found to have no finished descendant are marked dead and never entered again, so random
// descent only ever returns valid operators and an exhausted space is detected.
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
    explicit Space(Problem problem);

    const Problem& problem() const { return generator_.problem(); }
    const SynthesisStats& stats() const { return stats_; }
    // True when no finished operator exists within the limits (explores lazily to find out).
    bool rootDead() const { return nodes_[0].dead; }
    int rootDistance() const;

    // One random descent; nullopt when the whole space is dead.
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
    struct Edge {
        StepKind kind;
        int text = 0;     // index into texts_ (step texts repeat a lot: interned)
        uint64_t key;
        int target = -1;  // node index, or final index for Finalize
    };
    // Dead nodes (most of them, in large spaces) keep only their flag: state and edges are freed.
    struct Node {
        std::unique_ptr<State> state;
        bool expanded = false;
        bool dead = false;
        std::vector<Edge> edges;
    };

    void expand(int node);
    bool edgeLive(const Edge& e) const;
    Sampled makeSampled(int finalIndex, const std::vector<const Edge*>& path) const;
    bool markDeadIfEmpty(int node);

    Generator generator_;
    SynthesisStats stats_;
    std::vector<Node> nodes_;
    std::unordered_map<uint64_t, int> nodeOf_;
    std::vector<std::string> texts_;
    std::unordered_map<std::string, int> textId_;
    std::vector<Operator> finals_;
    std::unordered_map<uint64_t, int> finalOf_;  // operator id -> final index
    size_t nodeLimit_ = 2'000'000;
};

}  // namespace syno
