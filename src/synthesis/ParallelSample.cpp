#include "synthesis/ParallelSample.h"

#include <algorithm>
#include <memory>
#include <set>
#include <thread>

#include "base/StableHash.h"

namespace syno {

namespace {

void add(SynthesisStats& into, const SynthesisStats& s) {
    for (size_t i = 0; i < into.rules.size(); ++i) into.rules[i] += s.rules[i];
    for (size_t i = 0; i < into.pruned.size(); ++i) into.pruned[i] += s.pruned[i];
    into.nodes += s.nodes;
    into.edges += s.edges;
    into.finals += s.finals;
    into.deadEnds += s.deadEnds;
    into.restarts += s.restarts;
    into.duplicates += s.duplicates;
}

// One thread's space and random stream, kept across rounds.
struct Worker {
    std::unique_ptr<Space> space;
    std::mt19937_64 rng;
    std::set<uint64_t> seen;  // canonical forms this worker returned
    std::vector<Sampled> round;
    int used = 0;  // descents this round
    bool exhausted = false;

    // Up to `quota` operators new to this worker, within `attempts` descents.
    void draw(int quota, int attempts, SampleMode mode) {
        round.clear();
        used = 0;
        for (; used < attempts && static_cast<int>(round.size()) < quota; ++used) {
            auto s = space->sampleOne(rng, mode);
            if (!s) {
                exhausted = true;
                return;
            }
            if (seen.insert(s->canonical).second) round.push_back(std::move(*s));
        }
    }
};

}  // namespace

ParallelSample sampleOnThreads(const Problem& problem, int n, uint64_t seed, SampleMode mode, int threads,
                               size_t nodeLimit) {
    ParallelSample out;
    if (threads <= 1) {
        Space space(problem, nodeLimit);
        out.found = space.sample(n, seed, mode);
        out.stats = space.stats();
        out.nodes = space.nodeCount();
        out.budgetExhausted = space.budgetExhausted();
        return out;
    }
    std::vector<Worker> workers(static_cast<size_t>(threads));
    for (size_t t = 0; t < workers.size(); ++t) {
        workers[t].space = std::make_unique<Space>(problem, nodeLimit);
        workers[t].rng.seed(t == 0 ? seed : hashCombine(seed, t));
    }
    std::set<uint64_t> taken;
    int attemptsLeft = 50 * std::max(n, 1) + 100;  // Space::sample's bound, shared by all threads
    while (static_cast<int>(out.found.size()) < n && attemptsLeft > 0) {
        const int missing = n - static_cast<int>(out.found.size());
        const int quota = (missing + threads - 1) / threads + 1;
        const int attempts = std::max(1, attemptsLeft / threads);
        std::vector<std::thread> pool;
        for (auto& w : workers) w.used = 0;
        for (auto& w : workers)
            if (!w.exhausted) pool.emplace_back([&w, quota, attempts, mode] { w.draw(quota, attempts, mode); });
        for (auto& th : pool) th.join();
        // Only the descents made count: a round whose workers met their quotas early leaves the rest.
        for (auto& w : workers) attemptsLeft -= w.used;
        bool any = false;
        for (size_t i = 0; static_cast<int>(out.found.size()) < n; ++i) {
            bool more = false;
            for (auto& w : workers) {
                if (i >= w.round.size()) continue;
                more = any = true;
                if (static_cast<int>(out.found.size()) >= n) break;
                if (taken.insert(w.round[i].canonical).second) out.found.push_back(w.round[i]);
                else ++out.stats.duplicates;
            }
            if (!more) break;
        }
        if (!any) break;  // every space exhausted, or no descent found anything new
    }
    for (const auto& w : workers) {
        add(out.stats, w.space->stats());
        out.nodes += w.space->nodeCount();
        out.budgetExhausted |= w.space->budgetExhausted();
    }
    return out;
}

}  // namespace syno
