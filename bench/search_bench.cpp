// Benchmark (not a test): on the cheap synthetic reward (no training), how many evaluations MCTS and
// random search need to first reach a target reward, over several seeds, in the conv space of
// `syno sample`. Usage: search_bench [seeds=10] [target-accuracy=0.87] [budget=600] [depth=8] [exploration] [widen-alpha]
// The synthetic accuracy is 0.5 + 0.45 * q^1.5 with q the mean of hashed per-step values: good steps make
// good operators wherever they appear, which is the structure a tree search is meant to exploit.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "search/Mcts.h"
#include "search/RandomSearch.h"
#include "search/SearchDriver.h"
#include "search/SyntheticEvaluator.h"
#include "synthesis/Problem.h"

using namespace syno;
using namespace syno::search;

namespace {

struct FirstHit : SearchObserver {
    double target;
    int64_t hit = -1;
    double best = 0;
    explicit FirstHit(double t) : target(t) {}
    void finished(const Dispatch& d, const Outcome& o, std::optional<double>, double, bool) override {
        if (!o.ok) return;
        best = std::max(best, o.metrics.accuracy);
        if (hit < 0 && o.metrics.accuracy >= target) hit = d.seq;
    }
};

struct Run {
    int64_t evaluations;  // to the target, or the budget when not reached
    bool reached;
    double best;
    double seconds;
};

Run runOne(Proposer& proposer, uint64_t seed, double target, int64_t budget) {
    SyntheticSettings settings;
    settings.seed = seed;
    SyntheticEvaluator evaluator(settings);
    LocalWorkerPool pool(evaluator, 1);
    RewardOptions reward;  // accuracy reward, lb 0.5, ub 0.95, power 2
    DriverOptions options;
    options.budget = budget;
    SearchDriver driver(proposer, pool, reward, options);
    FirstHit observer(target);
    auto start = std::chrono::steady_clock::now();
    // Stop at the target: a driver budget of one evaluation at a time would cost the same; run to budget
    // instead and read the first hit, so the figures also show the best accuracy each reached.
    driver.run(observer);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {observer.hit > 0 ? observer.hit : budget, observer.hit > 0, observer.best, seconds};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

}  // namespace

int main(int argc, char** argv) {
    const int seeds = argc > 1 ? std::atoi(argv[1]) : 10;
    const double target = argc > 2 ? std::atof(argv[2]) : 0.87;
    const int64_t budget = argc > 3 ? std::atoll(argv[3]) : 600;
    const int depth = argc > 4 ? std::atoi(argv[4]) : 8;
    MctsOptions mctsOptions;
    if (argc > 5) mctsOptions.exploration = std::atof(argv[5]);
    if (argc > 6) mctsOptions.widenAlpha = std::atof(argv[6]);
    fmt::print("search_bench: evaluations until the synthetic accuracy first reaches {} (budget {}, depth {}, "
               "{} seeds)\n\n", target, budget, depth, seeds);
    fmt::print("{:>5} {:>12} {:>12} {:>10} {:>10}\n", "seed", "mcts", "random", "mcts best", "rand best");
    std::vector<double> m, r;
    int mReached = 0, rReached = 0;
    double mSeconds = 0, rSeconds = 0;
    for (int s = 1; s <= seeds; ++s) {
        Mcts mcts(smallConvProblem(depth), static_cast<uint64_t>(s), mctsOptions);
        RandomSearch random(smallConvProblem(depth), static_cast<uint64_t>(s));
        Run a = runOne(mcts, static_cast<uint64_t>(s), target, budget);
        Run b = runOne(random, static_cast<uint64_t>(s), target, budget);
        m.push_back(static_cast<double>(a.evaluations));
        r.push_back(static_cast<double>(b.evaluations));
        mReached += a.reached, rReached += b.reached;
        mSeconds += a.seconds, rSeconds += b.seconds;
        fmt::print("{:>5} {:>12} {:>12} {:>10.4f} {:>10.4f}\n", s, fmt::format("{}{}", a.reached ? "" : ">", a.evaluations),
                   fmt::format("{}{}", b.reached ? "" : ">", b.evaluations), a.best, b.best);
        std::fflush(stdout);
    }
    double mMean = 0, rMean = 0;
    for (double x : m) mMean += x / static_cast<double>(m.size());
    for (double x : r) rMean += x / static_cast<double>(r.size());
    fmt::print("\nreached the target: mcts {}/{}, random {}/{} (unreached runs count as the budget)\n", mReached, seeds,
               rReached, seeds);
    fmt::print("evaluations to target, mean:   mcts {:.1f}  random {:.1f}  random/mcts {:.2f}x\n", mMean, rMean, rMean / mMean);
    fmt::print("evaluations to target, median: mcts {:.1f}  random {:.1f}  random/mcts {:.2f}x\n", median(m), median(r),
               median(r) / median(m));
    fmt::print("search overhead per evaluation (whole budget): mcts {:.2f} ms, random {:.2f} ms\n",
               1000 * mSeconds / static_cast<double>(seeds * budget), 1000 * rSeconds / static_cast<double>(seeds * budget));
    return 0;
}
