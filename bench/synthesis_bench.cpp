// Synthesis speed in the paper's ResNet-18 setting: time to the first operator, valid distinct
// operators per second on 2 threads, duplicate rate and peak memory. Two comparisons in the same run:
// the whole space against the same sampler without shape-distance guidance (generate and test), and the
// space inside the paper's FLOPs window (0.15-0.9x the 3x3 convs replaced, issue 25) against the same
// sampler without descent restarts (backtracking each descent to exhaustion).
// Usage: synthesis_bench [seconds per measurement, default 10]
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "sizes/Parse.h"
#include "synthesis/Space.h"
#include "sizes/ParseContext.h"

using namespace syno;
using Clock = std::chrono::steady_clock;

namespace {

struct Setting {
    bool guided = true;
    bool windowed = false;
    int restartAfter = SynthesisOptions{}.descentRestartAfter;
};

Problem resnet18(Setting setting) {
    SizeContext ctx = parseContext("N=1: 0, C_in: 2, C_out: 4, H: 0", "k_1=3: 2, k_2=7: 2, s=2: 2, g=32: 3",
                                   "C_in=64, C_out=64, H=56; C_in=128, C_out=128, H=28; "
                                   "C_in=256, C_out=256, H=14; C_in=512, C_out=512, H=7");
    SynthesisOptions o;
    o.depth = 12;
    o.maxReductions = 5;
    o.maxWeights = 2;  // 3 tensors
    o.maxChainLength = 6;
    o.maxOfKind[static_cast<size_t>(StepKind::Merge)] = 1;
    o.maxOfKind[static_cast<size_t>(StepKind::Split)] = 3;
    o.maxOfKind[static_cast<size_t>(StepKind::Shift)] = 2;
    o.maxOfKind[static_cast<size_t>(StepKind::Stride)] = 0;
    o.guided = setting.guided;
    o.descentRestartAfter = setting.restartAfter;
    Problem plain = Problem::make(ctx, "[N, C_in, H, H]", "[N, C_out, H, H]", o);
    if (!setting.windowed) return plain;
    return Problem::make(ctx, "[N, C_in, H, H]", "[N, C_out, H, H]", withFlopsWindow(o, denseConvFlops(plain), 0.15, 0.9));
}

double peakMegabytes() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

struct Rate {
    double firstSeconds = 0;
    size_t distinct = 0;      // distinct operators (canonical form)
    size_t structures = 0;    // distinct finished structures (operator ids) that were sampled
    uint64_t samples = 0;     // all samples, repeats included
    double seconds = 0;
    double peakMB = 0;
    // Distinct structures that are the same operator: what the canonicalization rules let through.
    double duplicatePercent() const {
        return structures == 0 ? 0.0 : 100.0 * static_cast<double>(structures - distinct) / static_cast<double>(structures);
    }
    double perSecond() const { return static_cast<double>(distinct) / seconds; }
};

// Two threads, each with its own space and seed, sampling one operator at a time until the time is up.
Rate measure(Setting setting, double budget) {
    Rate r;
    std::mutex m;
    std::set<uint64_t> seen, ids;
    std::atomic<double> first{-1};
    auto start = Clock::now();
    auto worker = [&](uint64_t seed) {
        Space space(resnet18(setting));
        space.setNodeLimit(1'000'000);  // the unguided baseline would otherwise fill the memory
        std::mt19937_64 rng(seed);
        while (std::chrono::duration<double>(Clock::now() - start).count() < budget) {
            auto s = space.sampleOne(rng, SampleMode::Uniform);
            if (!s) break;
            double t = std::chrono::duration<double>(Clock::now() - start).count();
            double expected = -1;
            first.compare_exchange_strong(expected, t);
            std::lock_guard lock(m);
            ++r.samples;
            if (ids.insert(s->op.id()).second) seen.insert(s->canonical);
        }
    };
    std::thread a(worker, 1), b(worker, 2);
    a.join();
    b.join();
    r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    r.firstSeconds = first.load();
    r.distinct = seen.size();
    r.structures = ids.size();
    r.peakMB = peakMegabytes();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    double budget = argc > 1 ? std::stod(argv[1]) : 10.0;
    fmt::print("ResNet-18 space: [N, C_in, H, H] -> [N, C_out, H, H], C 64/128/256/512 at H 56/28/14/7,\n"
               "k_1=3, k_2=7, s=2, g=32, depth 12, <=5 reductions, <=3 tensors, chain <=6; 2 threads, {:.0f} s each\n\n",
               budget);
    // Time to the first operator, single thread, from nothing (space setup included).
    auto firstOf = [](Setting setting) {
        auto t0 = Clock::now();
        Space space(resnet18(setting));
        std::mt19937_64 rng(7);
        auto op = space.sampleOne(rng, SampleMode::Uniform);
        return op ? std::chrono::duration<double>(Clock::now() - t0).count() : -1.0;
    };
    const double firstSeconds = firstOf({}), firstWindowed = firstOf({.windowed = true});

    Rate guided = measure({}, budget);
    Rate unguided = measure({.guided = false}, budget);
    Rate windowed = measure({.windowed = true}, budget);
    Rate backtracking = measure({.windowed = true, .restartAfter = 0}, budget);
    fmt::print("{:<34} {:>12} {:>14} {:>9} {:>9}\n", "", "first op (s)", "distinct op/s", "repeats", "dup rate");
    auto row = [](const char* name, const Rate& r) {
        fmt::print("{:<34} {:>12} {:>14.1f} {:>9} {:>8.2f}%\n", name,
                   r.firstSeconds < 0 ? std::string("none") : fmt::format("{:.4f}", r.firstSeconds), r.perSecond(),
                   r.samples - r.structures, r.duplicatePercent());
    };
    row("guided (shape distance)", guided);
    row("baseline: unguided, same sampler", unguided);
    row("window 0.15-0.9x, restarts", windowed);
    row("baseline: window, no restarts", backtracking);
    if (unguided.distinct == 0)
        fmt::print("\nguided / unguided rate: unbounded (the unguided sampler found nothing in {:.0f} s within 1M nodes per thread)\n",
                   budget);
    else
        fmt::print("\nguided / unguided rate: {:.1f}x\n", guided.perSecond() / unguided.perSecond());
    fmt::print("window: restarts / no restarts rate: {:.1f}x\n",
               backtracking.distinct == 0 ? 0.0 : windowed.perSecond() / backtracking.perSecond());
    auto first = [](double s) { return s < 0 ? std::string("none found") : fmt::format("{:.4f} s", s); };
    fmt::print("time to first operator from nothing (1 thread, setup included): {}, in the window {}\n",
               first(firstSeconds), first(firstWindowed));
    fmt::print("peak memory after the guided run: {:.0f} MB\n", guided.peakMB);
    fmt::print("reference, public Syno built on this kind of machine (measured-here.md): setup 3.3 s, ~0.4 op/s, 350-390 MB\n");
    fmt::print("guided rate vs that reference: {:.0f}x\n", guided.perSecond() / 0.4);
    return 0;
}
