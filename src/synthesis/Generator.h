#pragma once
// The children of a partial operator: one primitive step each, filtered by the canonicalization rules
// and by the limits, and pruned when the shape distance or the FLOPs bound says the result cannot
// finish. Finalize children are finished operators, valid for every binding.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/Operator.h"
#include "synthesis/Problem.h"
#include "synthesis/Rules.h"
#include "synthesis/State.h"

namespace syno {

struct Child {
    StepKind kind;
    uint64_t key = 0;           // portable: hash of the step (kind, operand dims, parameters)
    std::string text;           // e.g. "unfold(H, k)"
    State state;                // the partial operator after the step (unused for Finalize)
    std::optional<Operator> op; // Finalize: the finished operator
};

class Generator {
public:
    Generator(Problem problem, std::shared_ptr<DimStore> store);

    const Problem& problem() const { return problem_; }
    const std::shared_ptr<DimStore>& store() const { return store_; }
    const std::vector<Dim>& outputs() const { return outputs_; }
    const std::vector<Size>& sizes() const { return sizes_; }

    State root() const;
    // Children sorted by (kind, key): deterministic.
    std::vector<Child> children(const State& s, SynthesisStats& stats);
    // The steps left after s.
    int remaining(const State& s) const { return problem_.options.depth - s.depth(); }

private:
    void addReductions(const State& s, std::vector<Child>& out, SynthesisStats& stats);
    void addContractions(const State& s, std::vector<Child>& out, SynthesisStats& stats);
    void addSplits(const State& s, std::vector<Child>& out, SynthesisStats& stats);
    void addMerges(const State& s, std::vector<Child>& out, SynthesisStats& stats);
    void addShifts(const State& s, std::vector<Child>& out, SynthesisStats& stats);
    void addStrides(const State& s, std::vector<Child>& out, SynthesisStats& stats);
    void addUnfolds(const State& s, std::vector<Child>& out, SynthesisStats& stats);
    void addExpands(const State& s, std::vector<Child>& out, SynthesisStats& stats);
    void addFinalizations(const State& s, std::vector<Child>& out, SynthesisStats& stats);

    // Shared tail of every step: counts, caps, chain length, distance and FLOPs pruning.
    void offer(State next, StepKind kind, uint64_t key, std::string text,
               std::vector<Dim> created, std::vector<Child>& out, SynthesisStats& stats);
    bool capReached(const State& s, StepKind kind) const;
    // Whether canonicalization rule r removes the step at hand (counted), unless the options disable it.
    bool fires(Rule r, SynthesisStats& stats) const;
    // Rule EqualSumsInOrder: the step uses (consumes or shares) `used` frontier dims, building `consumer`
    // when it consumes them. True when it uses a sum while an interchangeable lower-numbered one stays
    // unused, or when the lower-numbered one was consumed in a context that sorts after this one: of
    // two mirror images (sums swapped), exactly one is generated.
    static bool usesSumOutOfOrder(const State& s, const std::vector<Dim>& used, Dim consumer = nullptr);
    // The same for a weight sharing a sum while an interchangeable one sits in an earlier weight.
    static bool sharesSumOutOfOrder(const State& s, const std::vector<Dim>& shared);
    std::string sizeText(Dim d) const;

    Problem problem_;
    std::shared_ptr<DimStore> store_;
    std::vector<Dim> outputs_;
    std::vector<Size> sizes_;          // candidate sizes, ascending
    std::vector<Size> coefficients_;   // candidate sizes made of coefficients only
};

}  // namespace syno
