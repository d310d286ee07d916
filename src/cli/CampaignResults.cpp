#include "cli/CampaignResults.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The accuracy target of a campaign's best operator: mean final test accuracy at most this many points
// below the baseline's.
constexpr double kTargetLossPoints = 1.0;

json num(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double get(const json& j, const char* key) {
    return j.is_object() && j.contains(key) && j[key].is_number() ? j[key].get<double>() : NAN;
}

json readJson(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return json();
    std::stringstream ss;
    ss << in.rdbuf();
    json j = json::parse(ss.str(), nullptr, false);
    return j.is_discarded() ? json() : j;
}

struct SeedStats {
    int runs = 0, ok = 0;
    double mean = NAN, std = NAN;         // of the test accuracy over the runs that finished
    double meanValidation = NAN;
    std::vector<std::string> failures;
    double flopsRatio = NAN, params = NAN;
    std::string text;
};

SeedStats finals(const fs::path& dir, const std::string& name) {
    SeedStats s;
    std::vector<double> test, val;
    for (int seed = 1; seed <= 100; ++seed) {
        const fs::path p = dir / "finals" / fmt::format("{}-seed{}.json", name, seed);
        if (!fs::exists(p)) continue;
        const json j = readJson(p);
        ++s.runs;
        if (!j.is_object() || !j.value("ok", false)) {
            s.failures.push_back(j.is_object() ? j.value("failure", std::string("unreadable result")) : "unreadable result");
            continue;
        }
        ++s.ok;
        const json& m = j["metrics"];
        test.push_back(get(m, "test_accuracy"));
        val.push_back(get(m, "accuracy"));
        s.flopsRatio = get(m, "flops_ratio");
        s.params = get(m, "params");
        if (j.contains("operator") && j["operator"].contains("text")) s.text = j["operator"]["text"];
    }
    auto meanOf = [](const std::vector<double>& v) {
        double sum = 0;
        for (double x : v) sum += x;
        return v.empty() ? NAN : sum / static_cast<double>(v.size());
    };
    s.mean = meanOf(test);
    s.meanValidation = meanOf(val);
    if (test.size() >= 2) {
        double ss = 0;
        for (double x : test) ss += (x - s.mean) * (x - s.mean);
        s.std = std::sqrt(ss / static_cast<double>(test.size() - 1));
    }
    return s;
}

std::string pct(double v) { return std::isfinite(v) ? fmt::format("{:.2f}", 100 * v) : "-"; }

std::string accuracyCell(const SeedStats& s) {
    if (s.runs == 0) return "-";
    std::string r = std::isfinite(s.mean) ? fmt::format("{}{} (n={})", pct(s.mean),
                                                         std::isfinite(s.std) ? " ± " + pct(s.std) : "", s.ok)
                                          : "-";
    if (!s.failures.empty()) r += fmt::format(", {} failed", s.failures.size());
    return r;
}

// The speed at batch 1 on 2 threads (the target's figure), NaN where it was not measured.
double speedupB1T2(const json& row) {
    for (const auto& p : row["latency"])
        if (p.value("batch", 0) == 1 && p.value("threads", 0) == 2) return get(p, "ratio");
    return NAN;
}

// The fastest synthesized operator (library layers are only compared) whose every final training finished
// within kTargetLossPoints of the baseline's mean; else the one with the smallest loss, marked as missing it.
json pickBest(const json& rows) {
    const json* best = nullptr;
    const json* closest = nullptr;
    for (const auto& r : rows) {
        if (r["source"].get<std::string>().starts_with("library")) continue;
        const json& f = r["final"];
        const double loss = get(r, "loss_points");
        if (f["ok"].get<int>() < 1 || f["ok"] != f["runs"] || !std::isfinite(loss)) continue;
        if (!closest || loss < get(*closest, "loss_points")) closest = &r;
        const double speed = speedupB1T2(r);
        if (loss <= kTargetLossPoints && std::isfinite(speed) && (!best || speed > speedupB1T2(*best))) best = &r;
    }
    const json* chosen = best ? best : closest;
    if (!chosen) return json(nullptr);
    return {{"name", (*chosen)["name"]},
            {"operator", (*chosen)["operator"]},
            {"loss_points", (*chosen)["loss_points"]},
            {"speedup_b1_t2", num(speedupB1T2(*chosen))},
            {"final_runs", (*chosen)["final"]["ok"]},
            {"target_loss_points", kTargetLossPoints},
            {"meets_target", best != nullptr}};
}

std::string bestLine(const json& best) {
    if (best.is_null()) return "\nNo synthesized operator has finished its final trainings yet.\n";
    if (best["meets_target"].get<bool>())
        return fmt::format("\nBest synthesized operator: `{}`, {:.2f}x at batch 1 on 2 threads, {:.2f} points of "
                           "accuracy loss over {} seed(s) (within the {:.1f}-point target; best.op).\n",
                           best["name"].get<std::string>(), get(best, "speedup_b1_t2"), get(best, "loss_points"),
                           best["final_runs"].get<int>(), kTargetLossPoints);
    return fmt::format("\nNo synthesized operator is within {:.1f} point of the baseline yet; the closest is `{}` at "
                       "{:.2f} points ({:.2f}x at batch 1 on 2 threads).\n",
                       kTargetLossPoints, best["name"].get<std::string>(), get(best, "loss_points"),
                       get(best, "speedup_b1_t2"));
}

}  // namespace

json entryJson(const CampaignEntry& e) {
    return {{"name", e.name},
            {"source", e.source},
            {"operator", e.operatorText},
            {"proxy", {{"accuracy", num(e.proxy.accuracy)},
                       {"baseline_accuracy", num(e.proxy.baselineAccuracy)},
                       {"latency_ratio", num(e.proxy.latencyRatio)},
                       {"flops_ratio", num(e.proxy.flopsRatio)}}}};
}

CampaignEntry entryFromJson(const json& j) {
    if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("operator"))
        throw Error("malformed finalist entry (needs name and operator)");
    CampaignEntry e;
    e.name = j["name"];
    e.source = j.value("source", std::string());
    e.operatorText = j["operator"];
    if (j.contains("proxy")) {
        e.proxy.accuracy = get(j["proxy"], "accuracy");
        e.proxy.baselineAccuracy = get(j["proxy"], "baseline_accuracy");
        e.proxy.latencyRatio = get(j["proxy"], "latency_ratio");
        e.proxy.flopsRatio = get(j["proxy"], "flops_ratio");
    }
    return e;
}

CampaignTable collectResults(const std::string& dirName, const std::string& model,
                             const std::vector<CampaignEntry>& entries) {
    const fs::path dir(dirName);
    CampaignTable t;
    const SeedStats base = finals(dir, "baseline");
    const char* points[][2] = {{"1", "1"}, {"1", "2"}, {"16", "1"}, {"16", "2"}};
    std::string md = fmt::format("# {}: campaign results\n\n", model);
    md += fmt::format("Baseline (the original network, final budget): test accuracy {}% over {} seed(s){}.\n\n",
                      accuracyCell(base), base.ok, base.failures.empty() ? "" : " (some failed)");
    md += "| operator | source | FLOPs | params | proxy accuracy (loss) | final test accuracy, % | loss, points |"
          " speedup b1 t1 | b1 t2 | b16 t1 | b16 t2 |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
    json rows = json::array();
    std::string texts;
    for (const auto& e : entries) {
        if (e.name == "baseline") continue;
        const SeedStats s = finals(dir, e.name);
        const json lat = readJson(dir / "latency" / (e.name + ".json"));
        json latRows = json::array();
        std::string latCells;
        for (auto [b, th] : points) {
            std::string cell = "-";
            if (lat.is_object() && lat.contains("details") && lat["details"].contains("latency"))
                for (const auto& p : lat["details"]["latency"])
                    if (std::to_string(p.value("batch", 0)) == b && std::to_string(p.value("threads", 0)) == th) {
                        cell = fmt::format("{:.2f}x ({:.1f} vs {:.1f} ms{}{})", get(p, "ratio"), get(p, "ms"),
                                           get(p, "baseline_ms"), get(p, "spread") > 0.1 ? ", wide" : "",
                                           p.value("noisy", false) ? ", NOISY" : "");
                        latRows.push_back(p);
                    }
            latCells += " " + cell + " |";
        }
        const double loss = base.mean - s.mean;
        const std::string proxy =
            std::isfinite(e.proxy.accuracy)
                ? fmt::format("{}% ({:+.2f})", pct(e.proxy.accuracy), 100 * (e.proxy.baselineAccuracy - e.proxy.accuracy))
                : "-";
        md += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} |{}\n", e.name, e.source,
                          std::isfinite(s.flopsRatio) ? fmt::format("{:.2f}x fewer", s.flopsRatio) : "-",
                          std::isfinite(s.params) ? fmt::format("{:.2f} M", s.params / 1e6) : "-", proxy,
                          accuracyCell(s), std::isfinite(loss) ? fmt::format("{:.2f}", 100 * loss) : "-", latCells);
        const std::string text = e.operatorText.empty() ? s.text : e.operatorText;
        if (!text.empty()) texts += fmt::format("\n### `{}` ({})\n\n```\n{}```\n", e.name, e.source, text);
        rows.push_back({{"name", e.name},
                        {"source", e.source},
                        {"operator", text},
                        {"flops_ratio", num(s.flopsRatio)},
                        {"params", num(s.params)},
                        {"proxy", entryJson(e)["proxy"]},
                        {"final", {{"runs", s.runs}, {"ok", s.ok}, {"test_accuracy_mean", num(s.mean)},
                                   {"test_accuracy_std", num(s.std)}, {"validation_mean", num(s.meanValidation)},
                                   {"failures", s.failures}}},
                        {"loss_points", num(std::isfinite(loss) ? 100 * loss : NAN)},
                        {"latency", latRows}});
    }
    const json best = pickBest(rows);
    md += bestLine(best);
    md += "\nSpeedup: the original network's latency over the operator's on the deployment instance (224x224, "
          "torchvision's stem), batch b, t threads, ratio of the medians of interleaved rounds (operator vs "
          "original ms in parentheses); 'wide' marks a spread of the per-round ratios above 10%, NOISY a "
          "measurement that stayed busy or wide after every attempt (its ratio is then of the fastest rounds). Loss: the baseline's mean final test accuracy "
          "minus the operator's, in points.\n";
    md += "\n## Operators\n" + texts;
    t.markdown = md;
    t.json = {{"model", model},
              {"baseline", {{"runs", base.runs}, {"ok", base.ok}, {"test_accuracy_mean", num(base.mean)},
                            {"test_accuracy_std", num(base.std)}, {"validation_mean", num(base.meanValidation)}}},
              {"operators", rows},
              {"best", best}};
    return t;
}

}  // namespace syno::cli
