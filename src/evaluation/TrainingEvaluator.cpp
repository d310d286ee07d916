// The evaluator: parse the candidate, check it fits every placeholder, train it, time it, and compare with
// the baseline trained once (lazily, under a mutex) at the same budget and seed.
#include "evaluation/TrainingEvaluator.h"

#include <mutex>
#include <optional>

#include <fmt/format.h>

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

search::Metrics baselineMetrics(const TrainResult& r, const ModelLayout& layout) {
    search::Metrics m;
    m.accuracy = r.bestValidation;
    m.testAccuracy = r.testAccuracy;
    m.baselineAccuracy = r.bestValidation;
    m.flops = layout.baselineFlops();
    m.flopsRatio = 1;
    m.params = static_cast<double>(r.params);
    m.trainSeconds = r.seconds;
    return m;
}

}  // namespace

struct TrainingEvaluator::State {
    EvalSettings settings;
    Budget budget;
    ModelLayout layout;
    VariableTable specVars;
    FashionMnist data;
    DataSplit split;

    std::mutex baselineMutex;  // guards the lazily trained baseline
    std::optional<TrainResult> baseline;

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
        return j;
    }

    const TrainResult& trainedBaseline() {
        std::lock_guard<std::mutex> lock(baselineMutex);
        if (!baseline) baseline = trainModel(job(nullptr, nullptr, "baseline"));
        return *baseline;
    }
};

TrainingEvaluator::TrainingEvaluator(const EvalSettings& settings) : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.settings = settings;
    s.budget = resolveBudget(settings);
    s.layout = modelLayout(settings.model);
    s.specVars = placeholderVariables(s.layout.spec);
    s.data = loadFashionMnist(settings.dataDir);
    s.split = splitTraining(s.data.train, s.budget.validation, s.budget.subset);
    plans::setThreads(settings.threads);
}

TrainingEvaluator::~TrainingEvaluator() = default;

const Budget& TrainingEvaluator::budget() const { return state_->budget; }
const PlaceholderSpec& TrainingEvaluator::spec() const { return state_->layout.spec; }

std::string TrainingEvaluator::fingerprint() const { return "syno-eval 1 " + state_->budget.describe(); }

search::Outcome TrainingEvaluator::evaluate(const search::Candidate& candidate) { return report(candidate).outcome; }

EvalReport TrainingEvaluator::report(const search::Candidate& candidate) {
    State& s = *state_;
    EvalReport rep;
    search::Outcome& out = rep.outcome;
    search::Metrics& m = out.metrics;
    try {
        const Operator op = parseOperator(candidate.operatorText, &s.specVars);
        rep.operatorId = op.idHex();
        const SizeContext ctx = placeholderContext(s.layout, op);
        // FLOPs per sample (N = 1 in every binding): the operator's staged FLOPs at each placeholder.
        m.flops = s.layout.fixedFlops;
        for (const Slot& slot : s.layout.slots) m.flops += plans::compilePlan(op, ctx, slot.binding).flops;
        m.flopsRatio = s.layout.baselineFlops() / m.flops;

        const TrainResult trained = trainModel(s.job(&op, &ctx, "operator " + op.idHex().substr(0, 8)));
        m.params = static_cast<double>(trained.params);
        m.trainSeconds = trained.seconds;
        rep.validationByEpoch = trained.validationByEpoch;
        if (!trained.ok) {
            out.failure = trained.failure;
            return rep;
        }
        m.accuracy = trained.bestValidation;
        m.testAccuracy = trained.testAccuracy;
        if (s.settings.measureLatency) {
            const ModelLatency lat = measureModelLatency(s.layout, &op, &ctx, s.budget.latencyRuns);
            m.latencyMs = lat.ms1;
            m.latencyRatio = lat.baselineMs1 / lat.ms1;
            rep.latencyMs64 = lat.ms64;
            rep.baselineLatencyMs1 = lat.baselineMs1;
            rep.baselineLatencyMs64 = lat.baselineMs64;
        }
        if (s.settings.trainBaseline) {
            const TrainResult& base = s.trainedBaseline();
            rep.baseline = baselineMetrics(base, s.layout);
            if (base.ok) m.baselineAccuracy = base.bestValidation;
        } else {
            rep.baseline.flops = s.layout.baselineFlops();
            rep.baseline.flopsRatio = 1;
        }
        out.ok = true;
    } catch (const std::exception& e) {
        out.ok = false;
        out.failure = oneLine(e.what());
    }
    return rep;
}

EvalReport TrainingEvaluator::baselineReport() {
    State& s = *state_;
    EvalReport rep;
    try {
        const TrainResult& base = s.trainedBaseline();
        rep.baseline = baselineMetrics(base, s.layout);
        rep.validationByEpoch = base.validationByEpoch;
        rep.outcome.metrics = rep.baseline;
        rep.outcome.ok = base.ok;
        rep.outcome.failure = base.failure;
        if (base.ok && s.settings.measureLatency) {
            const ModelLatency lat = measureModelLatency(s.layout, nullptr, nullptr, s.budget.latencyRuns);
            rep.outcome.metrics.latencyMs = rep.baseline.latencyMs = lat.baselineMs1;
            rep.outcome.metrics.latencyRatio = rep.baseline.latencyRatio = 1;
            rep.latencyMs64 = rep.baselineLatencyMs64 = lat.baselineMs64;
            rep.baselineLatencyMs1 = lat.baselineMs1;
        }
    } catch (const std::exception& e) {
        rep.outcome.ok = false;
        rep.outcome.failure = oneLine(e.what());
    }
    return rep;
}

std::unique_ptr<search::Evaluator> makeTrainingEvaluator(const EvalSettings& settings) {
    return std::make_unique<TrainingEvaluator>(settings);
}

}  // namespace syno::evaluation
