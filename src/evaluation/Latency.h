#pragma once
// Whole-network inference latency of a network with an operator in its placeholders against the same
// network with its original layers, timed in one run: interleaved rounds (one call of each per round, the
// order alternating), the ratio of the medians, and the spread of the per-round ratios stored with it. A
// busy machine (other processes using the CPUs while we time) or a wide spread is re-measured after a
// pause, and flagged when it stays so, with the ratio of the fastest rounds instead of the medians. Latency does not depend on trained
// values, so both networks are freshly initialised. Where allowed, every thread runs at nice -20 while it
// times, so that neighbours at normal priority hardly disturb it. Torch-free header.
#include <cstdint>
#include <string>
#include <vector>

namespace syno {
class Operator;
class SizeContext;
}  // namespace syno

namespace syno::evaluation {

struct ModelLayout;

struct LatencySettings {
    std::vector<int64_t> batches{1};
    std::vector<int> threads{2};
    int rounds = 15;            // timed rounds per (batch, threads), after warm-up
    double maxSpread = 0.10;    // interquartile range of the per-round ratios over their median
    double busyCores = 0.30;    // CPU time of other processes per wall second above which the machine is busy
    int attempts = 3;           // measurements of a noisy point before it is kept, flagged
    double pauseSeconds = 2;    // between attempts
    // The most a point may spend waiting for a quiet machine (other processes below busyCores for a few
    // seconds in a row): before it is timed, and again while every attempt came out busy or wide, so that a
    // long campaign sits out a neighbour's work instead of timing it (QuietMeasurement.h).
    double quietWaitSeconds = 0;
};

struct LatencyPoint {
    int64_t batch = 1;
    int threads = 1;
    double ms = 0, baselineMs = 0;  // medians; the fastest rounds where the point stayed noisy (estimator)
    double ratio = 0;               // baselineMs / ms (> 1: the operator is faster)
    std::string estimator = "median";  // or "fastest": a neighbour's work only adds time
    double spread = 0;              // IQR / median of the per-round ratios
    double otherCores = 0;          // CPU time other processes used per wall second while timing
    double waitedSeconds = 0;       // spent waiting for a quiet machine first
    bool boosted = false;           // timed at nice -20 (where the process may raise its priority)
    int rounds = 0, attempts = 0;
    bool noisy = false;             // still wide or busy after every attempt
    bool remeasured = false;        // timed again later (after training) because it was noisy
};

struct ModelLatency {
    std::vector<LatencyPoint> points;  // batches x threads, in the settings' order
    const LatencyPoint* find(int64_t batch, int threads) const;
};

// op == nullptr times the baseline against itself (its ratio is ~1: a check of the method). Throws
// syno::Error (or a libtorch error) when the operator cannot run. Restores libtorch's thread count.
ModelLatency measureModelLatency(const ModelLayout& layout, const Operator* op, const SizeContext* ctx,
                                 const LatencySettings& settings);

// One kind of placeholder of the network (slots of the same shape, stride and groups) timed alone: the
// operator's module (after 2x2 pooling in a strided slot) against the original layer, at batch 1 on the
// settings' first thread count, interleaved rounds as above (one attempt, no wait: it follows the
// whole-network measurement). Shows which layers an operator speeds up.
struct PlaceholderLatency {
    int binding = 0;
    std::string layer;  // "64->64 @56" (output map 56x56), "128->256 @14 s2" (stride 2), "... g32" (groups), "784->256"
    int slots = 0;      // placeholders of this kind in the network
    double ms = 0, baselineMs = 0, ratio = 0, spread = 0;
    bool noisy = false;
    std::string estimator = "median";  // as LatencyPoint
};

// Throws syno::Error (or a libtorch error) when the operator cannot run. Restores libtorch's thread count.
std::vector<PlaceholderLatency> measurePlaceholderLatency(const ModelLayout& layout, const Operator& op,
                                                          const SizeContext& ctx, const LatencySettings& settings);

// CPU time of every other process on the machine per wall second, over one interval (from /proc/stat
// and /proc/self/stat; 0 where /proc is missing).
class OtherLoadMeter {
public:
    OtherLoadMeter();
    double coresSinceStart() const;

private:
    double totalBusy_ = 0, self_ = 0, wall_ = 0;
};

}  // namespace syno::evaluation
