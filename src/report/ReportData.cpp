#include "report/ReportData.h"

#include <algorithm>
#include <cmath>

#include "report/Hypervolume.h"
#include "search/Pareto.h"

namespace syno::report {

using nlohmann::json;

namespace {

json number(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

double median(std::vector<double> v) {
    std::erase_if(v, [](double x) { return !std::isfinite(x); });
    if (v.empty()) return NAN;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

bool finished(const storage::CandidateRow& r) { return r.status == "done" || r.status == "failed"; }

}  // namespace

double speedupOf(const storage::CandidateRow& r) {
    return std::isfinite(r.metrics.latencyRatio) ? r.metrics.latencyRatio : r.metrics.flopsRatio;
}

RunData runData(storage::RunDatabase& db, const std::vector<storage::CandidateRow>& rows, int top) {
    RunData out;
    // The front over rewarded results, as `syno runs top --pareto` computes it.
    std::vector<search::ParetoPoint> points;
    for (const auto& r : rows) points.push_back({std::isfinite(r.reward) ? r.metrics.accuracy : NAN, speedupOf(r)});
    for (size_t i : search::paretoFront(points)) {
        out.front.insert(rows[i].seq);
        out.drawn.push_back(rows[i].seq);
    }
    std::vector<const storage::CandidateRow*> byReward;
    for (const auto& r : rows)
        if (std::isfinite(r.reward)) byReward.push_back(&r);
    std::stable_sort(byReward.begin(), byReward.end(), [](auto* a, auto* b) { return a->reward > b->reward; });
    for (size_t i = 0; i < byReward.size() && static_cast<int>(i) < top; ++i)
        if (!out.front.count(byReward[i]->seq)) out.drawn.push_back(byReward[i]->seq);
    const std::set<int64_t> drawn(out.drawn.begin(), out.drawn.end());
    std::set<int64_t> topSeqs;
    for (size_t i = 0; i < byReward.size() && static_cast<int>(i) < top; ++i) topSeqs.insert(byReward[i]->seq);

    // Wall time from the first candidate queued; finished evaluations in the order they finished.
    double start = INFINITY;
    for (const auto& r : rows)
        if (std::isfinite(r.queuedAt)) start = std::min(start, r.queuedAt);
    if (!std::isfinite(start)) start = 0;
    std::vector<const storage::CandidateRow*> byFinish;
    for (const auto& r : rows)
        if (finished(r)) byFinish.push_back(&r);
    std::stable_sort(byFinish.begin(), byFinish.end(), [](auto* a, auto* b) {
        const double x = std::isfinite(a->finishedAt) ? a->finishedAt : 0, y = std::isfinite(b->finishedAt) ? b->finishedAt : 0;
        return x < y;
    });
    json progress = json::array();
    IncrementalFront front;
    double best = NAN, last = start;
    for (size_t i = 0; i < byFinish.size(); ++i) {
        const auto& r = *byFinish[i];
        if (std::isfinite(r.reward)) {
            best = std::isfinite(best) ? std::max(best, r.reward) : r.reward;
            front.add({r.metrics.accuracy, speedupOf(r)});
        }
        if (std::isfinite(r.finishedAt)) last = std::max(last, r.finishedAt);
        progress.push_back({{"evaluations", i + 1}, {"seq", r.seq}, {"wall_minutes", (last - start) / 60},
                            {"best_reward", number(best)}, {"hypervolume", front.hypervolume()}});
    }

    json candidates = json::array();
    bool anyLatency = false;
    std::vector<double> baseAcc, baseMs;
    for (const auto& r : rows) {
        const auto& m = r.metrics;
        anyLatency |= std::isfinite(m.latencyRatio);
        if (r.status == "done") {
            baseAcc.push_back(m.baselineAccuracy);
            baseMs.push_back(m.latencyMs * m.latencyRatio);
        }
        candidates.push_back({{"seq", r.seq}, {"status", r.status}, {"failure", r.failure}, {"reward", number(r.reward)},
                              {"accuracy", number(m.accuracy)}, {"test_accuracy", number(m.testAccuracy)},
                              {"speedup", number(r.status == "done" ? speedupOf(r) : NAN)},
                              {"latency_ratio", number(m.latencyRatio)}, {"flops_ratio", number(m.flopsRatio)},
                              {"flops", number(m.flops)}, {"params", number(m.params)}, {"latency_ms", number(m.latencyMs)},
                              {"eval_seconds", number(r.evalSeconds)}, {"canonical", r.canonicalId},
                              {"front", out.front.count(r.seq) > 0}, {"top", topSeqs.count(r.seq) > 0},
                              {"section", drawn.count(r.seq) > 0}, {"op", r.operatorText}});
    }

    const storage::RunInfo info = db.info();
    const storage::StatusCounts counts = db.counts();
    json options = json::parse(info.optionsJson, nullptr, false);
    json settings = json::parse(db.meta("settings").value_or("{}"), nullptr, false);
    if (options.is_discarded()) options = json::object();
    if (settings.is_discarded()) settings = json::object();
    const int64_t budget = settings.value("budget", int64_t{0});
    const bool open = counts.running + counts.queued > 0;
    const std::string status = open ? "in progress, or stopped mid-evaluation (resume continues it)"
                               : budget > 0 && counts.done + counts.failed >= budget ? "finished (budget reached)"
                                                                                     : "stopped before its budget";
    out.json = {{"run",
                 {{"path", db.path()}, {"created_at", info.createdAt}, {"syno_version", info.synoVersion},
                  {"algorithm", info.algorithm}, {"seed", info.seed}, {"fingerprint", info.fingerprint},
                  {"options", options}, {"settings", settings}, {"sessions", db.sessions()}, {"status", status},
                  {"counts", {{"done", counts.done}, {"failed", counts.failed}, {"running", counts.running}, {"queued", counts.queued}}},
                  {"wall_minutes", progress.empty() ? json(0) : progress.back()["wall_minutes"]},
                  {"eval_hours", [&] {
                       double s = 0;
                       for (const auto& r : rows) if (std::isfinite(r.evalSeconds)) s += r.evalSeconds;
                       return s / 3600;
                   }()},
                  {"baseline_accuracy", number(median(baseAcc))}, {"baseline_latency_ms", number(median(baseMs))}}},
                {"speed_axis", anyLatency ? "latency" : "flops"},
                {"candidates", std::move(candidates)},
                {"progress", std::move(progress)}};
    return out;
}

}  // namespace syno::report
