// The evaluator: parse the candidate, check it fits every placeholder of both instances, time the
// deployment instance against the original network, train the training instance, and compare with the
// baseline trained once (lazily, under a mutex) at the same budget and seed.
#include "evaluation/TrainingEvaluator.h"

#include <algorithm>
#include <mutex>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/Error.h"
#include "evaluation/Latency.h"
#include "evaluation/ModelCatalog.h"
#include "evaluation/Splits.h"
#include "evaluation/Training.h"
#include "ir/TextForm.h"
#include "plans/Execute.h"
#include "plans/Plan.h"

namespace syno::evaluation {

namespace {

std::string oneLine(std::string s) {
    s = s.substr(0, s.find('\n'));
    return s.empty() ? "unknown error" : s;
}

search::Metrics baselineMetrics(const TrainResult& r, const ModelLayout& deployment) {
    search::Metrics m;
    m.accuracy = r.bestValidation;
    m.testAccuracy = r.testAccuracy;
    m.baselineAccuracy = r.bestValidation;
    m.flops = deployment.baselineFlops();
    m.flopsRatio = 1;
    m.params = static_cast<double>(r.params);
    m.trainSeconds = r.seconds;
    return m;
}

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

std::string detailsJson(const EvalReport& r) {
    nlohmann::json j = nlohmann::json::object();
    nlohmann::json points = nlohmann::json::array();
    for (const LatencyPoint& p : r.latency.points)
        points.push_back({{"batch", p.batch},
                          {"threads", p.threads},
                          {"ms", number(p.ms)},
                          {"baseline_ms", number(p.baselineMs)},
                          {"ratio", number(p.ratio)},
                          {"spread", number(p.spread)},
                          {"other_cores", number(p.otherCores)},
                          {"waited_seconds", number(p.waitedSeconds)},
                          {"priority_boost", p.boosted},
                          {"rounds", p.rounds},
                          {"attempts", p.attempts},
                          {"noisy", p.noisy},
                          {"estimator", p.estimator},
                          {"remeasured", p.remeasured}});
    if (!points.empty()) j["latency"] = points;
    nlohmann::json layers = nlohmann::json::array();
    for (const PlaceholderLatency& p : r.placeholders)
        layers.push_back({{"layer", p.layer},
                          {"binding", p.binding},
                          {"slots", p.slots},
                          {"ms", number(p.ms)},
                          {"baseline_ms", number(p.baselineMs)},
                          {"ratio", number(p.ratio)},
                          {"spread", number(p.spread)},
                          {"noisy", p.noisy},
                          {"estimator", p.estimator}});
    if (!layers.empty()) j["placeholder_latency"] = layers;
    if (!r.validationByEpoch.empty()) j["validation_by_epoch"] = r.validationByEpoch;
    if (!r.trainLossByEpoch.empty()) j["train_loss_by_epoch"] = r.trainLossByEpoch;
    if (!r.baselineValidationByEpoch.empty()) j["baseline_validation_by_epoch"] = r.baselineValidationByEpoch;
    return j.empty() ? std::string() : j.dump();
}

struct TrainingEvaluator::State {
    EvalSettings settings;
    Budget budget;
    ModelLayout layout;      // the training instance
    ModelLayout deployment;  // where latency and FLOPs are measured (the same layout for small models)
    VariableTable specVars;
    ImageData data;
    DataSplit split;
    LatencySettings latency;

    std::mutex baselineMutex;  // guards the lazily trained baseline
    std::optional<TrainResult> baseline;
    bool exportBaseline = false;  // baselineReport: the baseline is what --export saves

    TrainingJob job(const Operator* op, const SizeContext* ctx, std::string label) const {
        TrainingJob j;
        j.layout = &layout;
        j.op = op;
        j.ctx = ctx;
        j.data = &data;
        j.split = &split;
        j.budget = budget;
        j.progress = settings.progress;
        j.label = std::move(label);
        j.checkpointDir = settings.checkpointDir;
        return j;
    }

    const TrainResult& trainedBaseline() {
        std::lock_guard<std::mutex> lock(baselineMutex);
        if (!baseline) {
            TrainingJob j = job(nullptr, nullptr, "baseline");
            if (exportBaseline) j.exportPath = settings.exportPath;
            baseline = trainModel(j);
        }
        return *baseline;
    }

    // A noisy latency is timed again once training is done: minutes later, a neighbour's burst has often
    // passed. The new figure replaces the old one only where it is clean; otherwise both stay flagged.
    void remeasureIfNoisy(const Operator& op, const SizeContext& ctx, EvalReport& rep) const {
        if (std::none_of(rep.latency.points.begin(), rep.latency.points.end(),
                         [](const LatencyPoint& p) { return p.noisy; }))
            return;
        const ModelLatency again = measureModelLatency(deployment, &op, &ctx, latency);
        for (size_t i = 0; i < rep.latency.points.size() && i < again.points.size(); ++i) {
            LatencyPoint& kept = rep.latency.points[i];
            if (!kept.noisy) continue;
            kept.remeasured = true;
            if (!again.points[i].noisy) {
                kept = again.points[i];
                kept.remeasured = true;
            }
        }
        const LatencyPoint* p = rep.latency.find(latency.batches.front(), latency.threads.front());
        rep.outcome.metrics.latencyMs = p->ms;
        rep.outcome.metrics.latencyRatio = p->ratio;
    }
};

TrainingEvaluator::TrainingEvaluator(const EvalSettings& settings) : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.settings = settings;
    s.budget = resolveBudget(settings);
    if (settings.minSpeedup < 0 || !std::isfinite(settings.minSpeedup))
        throw Error(fmt::format("--min-speedup must be a number >= 0, not {}", settings.minSpeedup));
    if (settings.killMargin < 0 || settings.killMargin >= 1 || !std::isfinite(settings.killMargin))
        throw Error(fmt::format("--kill-margin must lie in [0, 1), not {}", settings.killMargin));
    if (settings.killMargin > 0 && !settings.trainBaseline)
        throw Error("--kill-margin compares with the baseline's training: it cannot go with --skip-baseline");
    s.data = loadDataSet(settings.dataSet, settings.dataDir);
    const DataShape shape{s.data.train.channels, s.data.train.rows, s.data.classes};
    if (!isRealNetwork(settings.model) && settings.dataSet != "fashion-mnist")
        throw Error(fmt::format("the small model {} trains on fashion-mnist only; {} needs a real network "
                                "(resnet18, ...)", settings.model, settings.dataSet));
    s.layout = modelLayout(settings.model, Instance::Training, shape);
    s.deployment = modelLayout(settings.model, Instance::Deployment);
    s.specVars = placeholderVariables(s.layout.spec);
    s.latency.rounds = settings.latencyRuns;
    if (!(settings.quietWaitSeconds >= 0 && settings.quietWaitSeconds <= 86400))
        throw Error(fmt::format("--quiet-wait must lie in [0, 86400] seconds, not {}", settings.quietWaitSeconds));
    s.latency.quietWaitSeconds = settings.quietWaitSeconds;
    s.latency.batches = settings.latencyBatches;
    s.latency.threads = settings.latencyThreads.empty() ? std::vector<int>{settings.threads} : settings.latencyThreads;
    for (int64_t b : s.latency.batches)
        if (b < 1 || b > 4096) throw Error(fmt::format("latency batch sizes must lie in [1, 4096], not {}", b));
    for (int t : s.latency.threads)
        if (t < 1 || t > 256) throw Error(fmt::format("latency thread counts must lie in [1, 256], not {}", t));
    if (s.latency.batches.empty()) throw Error("give at least one latency batch size");
    s.split = splitTraining(s.data.train, s.budget.validation, s.budget.subset);
    plans::setThreads(settings.threads);
}

TrainingEvaluator::~TrainingEvaluator() = default;

const Budget& TrainingEvaluator::budget() const { return state_->budget; }
const PlaceholderSpec& TrainingEvaluator::spec() const { return state_->layout.spec; }

std::string TrainingEvaluator::fingerprint() const {
    const State& s = *state_;
    std::string f = "syno-eval 2 " + s.budget.describe();
    if (s.settings.minSpeedup > 0) f += fmt::format(" min-speedup={}", s.settings.minSpeedup);
    if (s.settings.killMargin > 0) f += fmt::format(" kill-margin={}", s.settings.killMargin);
    return f;
}

search::Outcome TrainingEvaluator::evaluate(const search::Candidate& candidate) { return report(candidate).outcome; }

EvalReport TrainingEvaluator::report(const search::Candidate& candidate) {
    State& s = *state_;
    EvalReport rep;
    search::Outcome& out = rep.outcome;
    search::Metrics& m = out.metrics;
    auto finish = [&] {
        out.details = detailsJson(rep);
        return rep;
    };
    try {
        const Operator op = parseOperator(candidate.operatorText, &s.specVars);
        rep.operatorId = op.idHex();
        const SizeContext ctx = placeholderContext(s.layout, op);
        // FLOPs per sample (N = 1 in every binding) of the deployment instance: the operator's staged FLOPs
        // at each placeholder.
        m.flops = s.deployment.fixedFlops;
        for (const Slot& slot : s.deployment.slots) m.flops += plans::compilePlan(op, ctx, slot.binding).flops;
        m.flopsRatio = s.deployment.baselineFlops() / m.flops;

        if (s.settings.measureLatency) {
            rep.latency = measureModelLatency(s.deployment, &op, &ctx, s.latency);
            const LatencyPoint* p = rep.latency.find(s.latency.batches.front(), s.latency.threads.front());
            m.latencyMs = p->ms;
            m.latencyRatio = p->ratio;
            rep.placeholders = measurePlaceholderLatency(s.deployment, op, ctx, s.latency);
            // Only a clear verdict rejects: the ratio stays below the bar by more than its spread, on a quiet
            // machine. (Timing decides this, so it is the one place where a search depends on the machine.)
            if (s.settings.minSpeedup > 0 && !p->noisy && p->ratio * (1 + p->spread) < s.settings.minSpeedup) {
                out.failure = fmt::format("too slow to train: {:.2f}x the original network's speed at batch {}, "
                                          "{} thread(s) (--min-speedup {})",
                                          p->ratio, p->batch, p->threads, s.settings.minSpeedup);
                return finish();
            }
        }
        const TrainResult* base = s.settings.trainBaseline ? &s.trainedBaseline() : nullptr;
        TrainingJob job = s.job(&op, &ctx, "operator " + op.idHex().substr(0, 8));
        job.exportPath = s.settings.exportPath;
        if (base && base->ok && s.settings.killMargin > 0)
            for (double v : base->validationByEpoch) job.killBelow.push_back(v - s.settings.killMargin);
        const TrainResult trained = trainModel(job);
        m.params = static_cast<double>(trained.params);
        m.trainSeconds = trained.seconds;
        rep.validationByEpoch = trained.validationByEpoch;
        rep.trainLossByEpoch = trained.trainLossByEpoch;
        if (base) {
            rep.baseline = baselineMetrics(*base, s.deployment);
            rep.baselineValidationByEpoch = base->validationByEpoch;
            if (base->ok) m.baselineAccuracy = base->bestValidation;
        } else {
            rep.baseline.flops = s.deployment.baselineFlops();
            rep.baseline.flopsRatio = 1;
        }
        if (!trained.ok) {
            out.failure = trained.failure;
            return finish();
        }
        m.accuracy = trained.bestValidation;
        m.testAccuracy = trained.testAccuracy;
        out.ok = true;
        if (s.settings.measureLatency) s.remeasureIfNoisy(op, ctx, rep);
    } catch (const std::exception& e) {
        out.ok = false;
        out.failure = oneLine(e.what());
    }
    return finish();
}

EvalReport TrainingEvaluator::baselineReport() {
    State& s = *state_;
    EvalReport rep;
    try {
        s.exportBaseline = !s.settings.exportPath.empty();
        const TrainResult& base = s.trainedBaseline();
        rep.baseline = baselineMetrics(base, s.deployment);
        rep.validationByEpoch = rep.baselineValidationByEpoch = base.validationByEpoch;
        rep.trainLossByEpoch = base.trainLossByEpoch;
        rep.outcome.metrics = rep.baseline;
        rep.outcome.ok = base.ok;
        rep.outcome.failure = base.failure;
        if (base.ok && s.settings.measureLatency) {
            rep.latency = measureModelLatency(s.deployment, nullptr, nullptr, s.latency);
            const LatencyPoint& p = rep.latency.points.front();
            rep.outcome.metrics.latencyMs = rep.baseline.latencyMs = p.baselineMs;
            rep.outcome.metrics.latencyRatio = rep.baseline.latencyRatio = 1;
        }
    } catch (const std::exception& e) {
        rep.outcome.ok = false;
        rep.outcome.failure = oneLine(e.what());
    }
    rep.outcome.details = detailsJson(rep);
    return rep;
}

std::unique_ptr<search::Evaluator> makeTrainingEvaluator(const EvalSettings& settings) {
    return std::make_unique<TrainingEvaluator>(settings);
}

}  // namespace syno::evaluation
