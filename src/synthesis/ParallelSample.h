#pragma once
// Sampling on several threads: each thread descends its own copy of the space (its own DAG and dims)
// from its own seed, and the threads' finds are merged round-robin, dropping operators already taken, in
// rounds until n are found or every thread's space is exhausted. The result depends on the seed and the
// thread count only, never on timing; one thread gives exactly Space::sample's result.
#include <cstdint>
#include <vector>

#include "synthesis/Space.h"

namespace syno {

struct ParallelSample {
    std::vector<Sampled> found;
    SynthesisStats stats;      // summed over the threads' spaces
    size_t nodes = 0;          // DAG nodes, summed
    bool budgetExhausted = false;  // some thread's space reached the node limit
};

ParallelSample sampleOnThreads(const Problem& problem, int n, uint64_t seed, SampleMode mode, int threads,
                               size_t nodeLimit);

}  // namespace syno
