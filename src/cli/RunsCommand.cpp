// `syno runs`: inspect a run database without resuming it (read-only: safe while the search runs).
#include <cmath>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/Error.h"
#include "cli/CandidateReport.h"
#include "cli/Commands.h"
#include "cli/Options.h"
#include "search/Pareto.h"
#include "storage/RunDatabase.h"

namespace syno::cli {

namespace {

struct RunsOptions {
    std::string db;
    int64_t seq = 0;
    int count = 10;
    bool pareto = false, json = false;
};

std::string num(double x, const char* fmtSpec = "{:.4f}") { return std::isfinite(x) ? fmt::format(fmt::runtime(fmtSpec), x) : "-"; }
std::string ratio(double x) { return std::isfinite(x) ? fmt::format("{:.3f}x", x) : "-"; }

nlohmann::json rowJson(const storage::CandidateRow& r, bool withText) {
    auto n = [](double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); };
    nlohmann::json j{{"seq", r.seq}, {"batch", r.batch}, {"status", r.status}, {"canonical", r.canonicalId},
                     {"path", r.path}, {"reward", n(r.reward)}, {"accuracy", n(r.metrics.accuracy)},
                     {"test_accuracy", n(r.metrics.testAccuracy)}, {"baseline_accuracy", n(r.metrics.baselineAccuracy)},
                     {"flops", n(r.metrics.flops)}, {"flops_ratio", n(r.metrics.flopsRatio)}, {"params", n(r.metrics.params)},
                     {"latency_ms", n(r.metrics.latencyMs)}, {"latency_ratio", n(r.metrics.latencyRatio)},
                     {"baseline_latency_ms", n(r.metrics.latencyMs * r.metrics.latencyRatio)},
                     {"eval_seconds", n(r.evalSeconds)}, {"attempts", r.attempts}};
    if (!r.failure.empty()) j["failure"] = r.failure;
    if (!r.family.empty()) j["family"] = r.family;
    if (!r.details.empty()) j["details"] = nlohmann::json::parse(r.details, nullptr, false);
    if (withText) j["operator"] = r.operatorText;
    return j;
}

void printTable(const std::vector<storage::CandidateRow>& rows) {
    fmt::print("{:>5} {:<7} {:>7} {:>8} {:>9} {:>9} {:>8}  {:<16}  {}\n", "seq", "status", "reward", "accuracy",
               "latency", "FLOPs", "seconds", "canonical", "failure");
    for (const auto& r : rows)
        fmt::print("{:>5} {:<7} {:>7} {:>8} {:>9} {:>9} {:>8}  {:<16}  {}\n", r.seq, r.status, num(r.reward),
                   num(r.metrics.accuracy), ratio(r.metrics.latencyRatio), ratio(r.metrics.flopsRatio),
                   num(r.evalSeconds, "{:.1f}"), r.canonicalId, r.failure);
}

void runList(const RunsOptions& o) {
    auto db = storage::RunDatabase::open(o.db, false);
    auto rows = db.candidates("seq");
    if (o.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& r : rows) arr.push_back(rowJson(r, false));
        fmt::print("{}\n", arr.dump(2));
        return;
    }
    printTable(rows);
}

void runShow(const RunsOptions& o) {
    auto db = storage::RunDatabase::open(o.db, false);
    if (o.seq > 0) {
        auto row = db.candidate(o.seq);
        if (!row) throw Error(fmt::format("{} has no candidate {}", o.db, o.seq));
        if (o.json) {
            fmt::print("{}\n", rowJson(*row, true).dump(2));
            return;
        }
        printTable({*row});
        fmt::print("# path: {}\n", row->path);
        if (!row->family.empty()) fmt::print("# family of functions (functional fingerprint): {}\n", row->family);
        fmt::print("{}", row->operatorText);
        return;
    }
    auto info = db.info();
    auto c = db.counts();
    auto settings = nlohmann::json::parse(db.meta("settings").value_or("{}"), nullptr, false);
    if (o.json) {
        fmt::print("{}\n", nlohmann::json{{"options", nlohmann::json::parse(info.optionsJson)},
                                          {"options_hash", info.optionsHash}, {"fingerprint", info.fingerprint},
                                          {"created_at", info.createdAt}, {"syno_version", info.synoVersion},
                                          {"settings", settings}, {"done", c.done}, {"failed", c.failed},
                                          {"running", c.running}, {"queued", c.queued}, {"sessions", db.sessions()}}
                               .dump(2));
        return;
    }
    fmt::print("run database {}\n", o.db);
    fmt::print("  created {} by syno {}; {} session(s)\n", info.createdAt, info.synoVersion, db.sessions());
    fmt::print("  algorithm {}, seed {}, options hash {}\n", info.algorithm, info.seed, info.optionsHash);
    fmt::print("  evaluator {}\n", info.fingerprint);
    if (!settings.is_discarded() && settings.contains("budget"))
        fmt::print("  budget {}\n", settings["budget"].dump());
    fmt::print("  candidates {}: done {}, failed {}, running {}, queued {}\n", c.total(), c.done, c.failed, c.running,
               c.queued);
    fmt::print("  options {}\n", info.optionsJson);
}

void runTop(const RunsOptions& o) {
    auto db = storage::RunDatabase::open(o.db, false);
    std::vector<storage::CandidateRow> rows;
    if (o.pareto) {
        auto all = db.candidates("seq");
        std::vector<search::ParetoPoint> points;
        for (const auto& r : all)
            points.push_back({std::isfinite(r.reward) ? r.metrics.accuracy : NAN,
                              std::isfinite(r.metrics.latencyRatio) ? r.metrics.latencyRatio : r.metrics.flopsRatio});
        for (size_t i : search::paretoFront(points)) rows.push_back(all[i]);
    } else {
        rows = db.candidates("reward", o.count);
        std::erase_if(rows, [](const storage::CandidateRow& r) { return !std::isfinite(r.reward); });
    }
    if (o.json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& r : rows) arr.push_back(rowJson(r, true));
        fmt::print("{}\n", arr.dump(2));
        return;
    }
    printTable(rows);
    fmt::print("\n");
    printAgainstBaseline(rows, false);
}

}  // namespace

void addRunsCommand(CLI::App& app) {
    auto o = std::make_shared<RunsOptions>();
    auto* runs = app.add_subcommand("runs", "Inspect a search's run database (read-only; works while it runs)");
    runs->require_subcommand(1);
    runs->footer("Examples:\n"
                 "  syno runs show --db run.db           what the run is and how far it got\n"
                 "  syno runs list --db run.db           every candidate, in proposal order\n"
                 "  syno runs top --db run.db -n 5       the best by reward\n"
                 "  syno runs top --db run.db --pareto   the accuracy/speed Pareto front\n"
                 "  syno runs show --db run.db --seq 7   one candidate with its operator");
    auto* list = runs->add_subcommand("list", "Every candidate in proposal order: status, reward, metrics");
    auto* show = runs->add_subcommand("show", "The run's options, evaluator and progress, or one candidate (--seq)");
    auto* top = runs->add_subcommand("top", "The best candidates by reward, or the Pareto front");
    for (auto* c : {list, show, top}) {
        c->add_option("--db", o->db, "run database (made by syno search)")->required();
        c->add_flag("--json", o->json, "print JSON for machines");
    }
    show->add_option("--seq", o->seq, "a candidate's sequence number (from 1)")->check(bounded(1, 1e15));
    top->add_option("-n,--count", o->count, "how many")->capture_default_str()->check(bounded(1, 1000000));
    top->add_flag("--pareto", o->pareto, "the accuracy vs speed (latency, else FLOPs ratio) Pareto front instead");
    list->footer("Example: syno runs list --db run.db --json");
    show->footer("Examples:\n  syno runs show --db run.db\n  syno runs show --db run.db --seq 3");
    top->footer("Examples:\n  syno runs top --db run.db -n 5\n  syno runs top --db run.db --pareto");
    list->callback([o] { runList(*o); });
    show->callback([o] { runShow(*o); });
    top->callback([o] { runTop(*o); });
}

}  // namespace syno::cli
