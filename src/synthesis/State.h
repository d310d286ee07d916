#pragma once
// A partial operator: what has been decided from the output upward. `frontier` holds the data-path
// dims not consumed yet (the finished operator's input is built from exactly these); weights list
// the dims they share. Everything is kept sorted by hash, so the same partial operator reached by
// steps in a different order is the same State with the same key: the search space is a DAG.
#include <array>
#include <cstdint>
#include <vector>

#include "ir/Dim.h"
#include "synthesis/Options.h"

namespace syno {

struct State {
    std::vector<Dim> frontier;               // sorted by hash
    std::vector<Dim> reductions;             // in index order (sizes non-decreasing)
    std::vector<std::vector<Dim>> weights;   // each sorted by hash; the list sorted by weight key
    std::vector<Dim> expansions;             // sorted by hash
    std::array<int, kStepKinds> counts{};    // steps taken of each kind
    uint64_t key = 0;

    int depth() const;                       // steps taken so far
    bool reducing() const;                   // only reductions so far: more may be added
    // Recomputes key after the vectors changed (sorting them first).
    void normalize();
    bool inWeight(Dim d) const;
    // Whether the sum r is tied to some weight: a weight shares r or a dim built on it.
    bool weighted(Dim r) const;
    // Whether r still lies below a frontier dim (so a later weight may still share it).
    bool belowFrontier(Dim r) const;
};

// Whether `leaf` lies below d (or is d).
bool isBelow(Dim leaf, Dim d);

// Dims a Reduce leaf feeds (true when some Reduce leaf lies below d).
bool hasReduceBelow(Dim d);
bool hasIteratorBelow(Dim d);
uint64_t weightKey(const std::vector<Dim>& weight);

}  // namespace syno
