#include "evaluation/Budget.h"

#include <fmt/format.h>

#include "base/Error.h"
#include "evaluation/ModelCatalog.h"
#include "evaluation/TrainingEvaluator.h"

namespace syno::evaluation {

namespace {

// Sized from the calibration of this machine (../shared/reference/measured-here.md §2: ~1.1 ms per image
// and training step for the small ResNet on 2 idle threads). Proxy: 2 epochs of 10k images, ~45 s of
// training + ~10 s of validation, test and latency. Final: 4 epochs of 55k at batch 128 (the calibration
// reached 89.5% after 2 epochs of 60k at batch 128 and 90.9% after 4 at batch 256).
Budget proxyBudget() {
    Budget b;
    b.name = "proxy";
    b.epochs = 2;
    b.subset = 10000;
    b.batch = 128;
    b.validation = 2000;
    // Chance is 0.10. Mid-schedule (peak learning rate, batch-norm statistics still moving) a healthy
    // model can read as low as ~0.2 (the baseline read 0.227 with one thread), so the milestone only
    // catches operators that have not started to learn.
    b.milestones = {{1, 0.15}};
    return b;
}

Budget finalBudget() {
    Budget b;
    b.name = "final";
    b.epochs = 4;
    b.subset = 55000;  // everything but the validation images
    b.batch = 128;
    b.validation = 5000;
    b.milestones = {{1, 0.15}};
    return b;
}

// The real networks' training instances (ResNet-18 at 32x32: ~4.5 ms per image and step on 2 threads,
// measured): proxy 2 epochs of 8k images, ~80 s, no test pass; final 6 epochs of 55k, ~25 min.
Budget realProxyBudget() {
    Budget b = proxyBudget();
    b.subset = 8000;
    b.testAccuracy = false;
    return b;
}

Budget realFinalBudget() {
    Budget b = finalBudget();
    b.epochs = 6;
    return b;
}

}  // namespace

std::string Budget::describe() const {
    std::string m;
    for (const auto& s : milestones) m += fmt::format("{}{}:{:.2f}", m.empty() ? "" : ",", s.epoch, s.minAccuracy);
    return fmt::format("model={}{} budget={} epochs={} subset={} batch={} validation={} lr={} warmup={} momentum={} "
                       "wd={} clip={} augment={} milestones={} time-limit={} seed={} threads={}{}",
                       model, data == "fashion-mnist" ? "" : " data=" + data, name, epochs, subset, batch, validation, maxLr, warmupFraction, momentum, weightDecay,
                       clipNorm, augment ? "flip+shift2" : "none", m.empty() ? "none" : m, timeLimitSeconds, seed,
                       threads, testAccuracy ? "" : " test=no");
}

Budget resolveBudget(const EvalSettings& s) {
    Budget b;
    const bool real = isRealNetwork(s.model);
    if (s.budget == "proxy")
        b = real ? realProxyBudget() : proxyBudget();
    else if (s.budget == "final")
        b = real ? realFinalBudget() : finalBudget();
    else
        throw Error(fmt::format("unknown budget '{}': use proxy or final", s.budget));
    if (s.epochs == 0 || s.epochs < -1) throw Error(fmt::format("--epochs must be at least 1, not {}", s.epochs));
    if (s.subset == 0 || s.subset < -1) throw Error(fmt::format("--subset must be at least 1 image, not {}", s.subset));
    if (s.batch == 0 || s.batch < -1) throw Error(fmt::format("--batch must be at least 1, not {}", s.batch));
    if (s.maxLr != -1 && !(s.maxLr > 0)) throw Error(fmt::format("--lr must be above 0, not {}", s.maxLr));
    if (s.threads < 1) throw Error(fmt::format("--threads must be at least 1, not {}", s.threads));
    if (s.timeLimitSeconds < 0) throw Error(fmt::format("--time-limit must not be negative, not {}", s.timeLimitSeconds));
    if (s.latencyRuns < 1) throw Error(fmt::format("--latency-runs must be at least 1, not {}", s.latencyRuns));
    if (s.epochs > 0) b.epochs = s.epochs;
    if (s.subset > 0) b.subset = s.subset;
    if (s.batch > 0) b.batch = s.batch;
    if (s.maxLr > 0) b.maxLr = s.maxLr;
    b.threads = s.threads;
    b.timeLimitSeconds = s.timeLimitSeconds;
    b.seed = s.seed;
    b.latencyRuns = s.latencyRuns;
    b.model = s.model;
    b.data = s.dataSet;
    return b;
}

std::string budgetHelp() {
    auto line = [](const Budget& b) {
        return fmt::format("{:<6} {} epoch(s) of {} images, batch {}, {} validation images", b.name, b.epochs, b.subset,
                           b.batch, b.validation);
    };
    return fmt::format("{}\n  {}\n  real networks (resnet18, ...):\n  {}\n  {}", line(proxyBudget()),
                       line(finalBudget()), line(realProxyBudget()), line(realFinalBudget()));
}

}  // namespace syno::evaluation
