#include "evaluation/Latency.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <tuple>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "evaluation/LatencyEstimate.h"
#include "evaluation/Models.h"
#include "evaluation/QuietMeasurement.h"
#include "plans/Execute.h"

namespace syno::evaluation {

namespace {

// A network or one of its layers, as timed.
using Forward = std::function<torch::Tensor(const torch::Tensor&)>;

double timeOnce(const Forward& forward, const torch::Tensor& x) {
    const auto start = std::chrono::steady_clock::now();
    auto y = forward(x);
    (void)y.sum().item<float>();  // make sure the work happened
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

double nowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Busy jiffies of all CPUs (user, nice, system, irq, softirq, steal), in seconds.
double machineBusySeconds() {
    std::ifstream in("/proc/stat");
    std::string cpu;
    double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (!(in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) || cpu != "cpu") return 0;
    return (user + nice + system + irq + softirq + steal) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double selfSeconds() {
    std::ifstream in("/proc/self/stat");
    std::string line;
    if (!std::getline(in, line)) return 0;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string field;
    double utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stod(field);
        if (i == 15) stime = std::stod(field);
    }
    return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Every thread of the process at nice -20 while it lives (where allowed: root or CAP_SYS_NICE), then back
// to the nice value the process had. A busy neighbour at normal priority then barely preempts the timed
// calls; without it, a neighbour slows the many small kernels of an operator's plan more than the
// original network's few large ones, and interleaving cannot cancel that (docs/evaluation.md, "Latency"). Linux keeps
// nice per thread.
class PriorityBoost {
public:
    PriorityBoost() {
        errno = 0;
        const int before = getpriority(PRIO_PROCESS, 0);
        if (errno != 0) return;
        before_ = before;
        active_ = setAll(-20);
    }
    ~PriorityBoost() {
        if (active_) setAll(before_);
    }
    PriorityBoost(const PriorityBoost&) = delete;
    PriorityBoost& operator=(const PriorityBoost&) = delete;
    bool active() const { return active_; }

private:
    static bool setAll(int nice) {
        bool all = true;
        std::error_code ec;
        for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
            const auto tid = static_cast<id_t>(std::stoul(task.path().filename().string()));
            all = setpriority(PRIO_PROCESS, tid, nice) == 0 && all;
        }
        return all && !ec;
    }
    int before_ = 0;
    bool active_ = false;
};

// One attempt at a point: interleaved rounds after a warm-up, estimated (LatencyEstimate.h).
LatencyPoint timePoint(const Forward& candidate, const Forward& baseline, const torch::Tensor& x, int rounds,
                  const LatencySettings& settings) {
    constexpr int kWarmup = 2;
    for (int i = 0; i < kWarmup; ++i) {
        timeOnce(candidate, x);
        timeOnce(baseline, x);
    }
    OtherLoadMeter load;
    TimedRounds timed;
    // At least half a second of rounds: the load meter counts in 10 ms ticks, and a window of a few
    // milliseconds (a small network) would read one tick of any other process as a busy machine.
    constexpr double kMinWindowSeconds = 0.5;
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    for (int i = 0; i < rounds || (elapsed() < kMinWindowSeconds && i < 100 * rounds); ++i) {
        // Alternate which network goes first so that neither always inherits the other's warm caches.
        double a, b;
        if (i % 2 == 0) {
            a = timeOnce(candidate, x);
            b = timeOnce(baseline, x);
        } else {
            b = timeOnce(baseline, x);
            a = timeOnce(candidate, x);
        }
        timed.candidateMs.push_back(a);
        timed.baselineMs.push_back(b);
    }
    timed.otherCores = load.coresSinceStart();
    return estimateLatency(timed, settings);
}

// Seconds spent until other processes stayed below settings.busyCores for `window` seconds in a row (or
// `budget` ran out), checked second by second.
double waitForQuiet(const LatencySettings& settings, double window, double budget) {
    double waited = 0, quiet = 0;
    while (waited < budget && quiet < window) {
        OtherLoadMeter meter;
        std::this_thread::sleep_for(std::chrono::seconds(1));
        waited += 1;
        quiet = meter.coresSinceStart() <= settings.busyCores ? quiet + 1 : 0;
    }
    return waited;
}

}  // namespace

OtherLoadMeter::OtherLoadMeter() : totalBusy_(machineBusySeconds()), self_(selfSeconds()), wall_(nowSeconds()) {}

double OtherLoadMeter::coresSinceStart() const {
    const double wall = nowSeconds() - wall_;
    if (wall <= 0) return 0;
    const double others = (machineBusySeconds() - totalBusy_) - (selfSeconds() - self_);
    return std::max(0.0, others / wall);
}

const LatencyPoint* ModelLatency::find(int64_t batch, int threads) const {
    for (const LatencyPoint& p : points)
        if (p.batch == batch && p.threads == threads) return &p;
    return nullptr;
}

ModelLatency measureModelLatency(const ModelLayout& layout, const Operator* op, const SizeContext* ctx,
                                 const LatencySettings& settings) {
    torch::NoGradGuard noGrad;
    Net candidate(layout, op, op ? *ctx : SizeContext(), 1);
    Net baseline(layout, nullptr, SizeContext(), 1);
    candidate->eval();
    baseline->eval();
    const int previousThreads = plans::threads();
    ModelLatency out;
    const PriorityBoost boost;
    auto gen = at::detail::createCPUGenerator(1);
    try {
        for (int64_t batch : settings.batches) {
            auto x = torch::randn({batch, layout.inChannels, layout.imageSize, layout.imageSize}, gen, torch::kFloat);
            for (int threads : settings.threads) {
                plans::setThreads(threads);
                LatencyPoint best;
                int taken = 0;
                auto measure = [&] {
                    if (taken > 0) std::this_thread::sleep_for(std::chrono::duration<double>(settings.pauseSeconds));
                    const LatencyPoint at = timePoint([&](const torch::Tensor& t) { return candidate->forward(t); },
                                           [&](const torch::Tensor& t) { return baseline->forward(t); }, x,
                                           settings.rounds, settings);
                    // Keep the quietest attempt: not busy first, then not wide, then the narrowest.
                    auto rank = [&](const LatencyPoint& t) {
                        const int verdict =
                            (t.otherCores > settings.busyCores ? 2 : 0) + (t.spread > settings.maxSpread ? 1 : 0);
                        return std::pair{verdict, t.spread};
                    };
                    if (taken++ == 0 || rank(at) < rank(best)) best = at;
                    return !at.noisy;
                };
                const QuietPolicy policy{.waitBudgetSeconds = settings.quietWaitSeconds,
                                         .attempts = settings.attempts};
                const QuietOutcome q = measureWhenQuiet(
                    policy, [&](double window, double budget) { return waitForQuiet(settings, window, budget); },
                    measure);
                best.attempts = q.measurements;
                best.waitedSeconds = q.waitedSeconds;
                best.boosted = boost.active();
                best.batch = batch;
                best.threads = threads;
                out.points.push_back(best);
            }
        }
    } catch (...) {
        plans::setThreads(previousThreads);
        throw;
    }
    plans::setThreads(previousThreads);
    return out;
}

std::vector<PlaceholderLatency> measurePlaceholderLatency(const ModelLayout& layout, const Operator& op,
                                                          const SizeContext& ctx, const LatencySettings& settings) {
    torch::NoGradGuard noGrad;
    // Slots of one shape, stride and grouping are the same layer: timed once, counted.
    std::map<std::tuple<int64_t, int64_t, int64_t, int, int>, std::pair<Slot, int>> kinds;
    for (const Slot& s : layout.slots) {
        auto [it, fresh] = kinds.try_emplace({s.cin, s.cout, s.size, s.stride, s.groups}, s, 0);
        ++it->second.second;
    }
    const int previousThreads = plans::threads();
    const PriorityBoost boost;
    auto gen = at::detail::createCPUGenerator(1);
    std::vector<PlaceholderLatency> out;
    try {
        plans::setThreads(settings.threads.front());
        for (const auto& [key, kind] : kinds) {
            const auto& [slot, count] = kind;
            const bool convolutional = slot.size > 0;
            Placeholder candidate(slot, convolutional, &op, ctx, gen);
            Placeholder original(slot, convolutional, nullptr, ctx, gen);
            candidate->eval();
            original->eval();
            const int64_t side = slot.size * slot.stride;  // the original layer's input map
            auto x = convolutional ? torch::randn({1, slot.cin, side, side}, gen, torch::kFloat)
                                   : torch::randn({1, slot.cin}, gen, torch::kFloat);
            const LatencyPoint k = timePoint([&](const torch::Tensor& t) { return candidate->forward(t); },
                                         [&](const torch::Tensor& t) { return original->forward(t); }, x,
                                         settings.rounds, settings);
            PlaceholderLatency p;
            p.binding = slot.binding;
            p.layer = convolutional ? fmt::format("{}->{} @{}{}{}", slot.cin, slot.cout, slot.size,
                                                  slot.stride > 1 ? fmt::format(" s{}", slot.stride) : "",
                                                  slot.groups > 1 ? fmt::format(" g{}", slot.groups) : "")
                                    : fmt::format("{}->{}", slot.cin, slot.cout);
            p.slots = count;
            p.ms = k.ms;
            p.baselineMs = k.baselineMs;
            p.ratio = k.ratio;
            p.spread = k.spread;
            p.noisy = k.noisy;
            p.estimator = k.estimator;
            out.push_back(p);
        }
    } catch (...) {
        plans::setThreads(previousThreads);
        throw;
    }
    plans::setThreads(previousThreads);
    return out;
}

}  // namespace syno::evaluation
