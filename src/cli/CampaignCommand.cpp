// `syno campaign`: the whole job for one network, resumable step by step. A speed search on the proxy
// budget (stopped by a time budget), then the best candidates and the paper's Operators 1 and 2 re-trained
// at the final budget over several seeds beside the original network, each timed on the deployment
// instance at batch 1 and 16 on 1 and 2 threads, and a result table (markdown and JSON). Every step is a
// child `syno search` / `syno eval` whose result is a file in the campaign's folder: a killed campaign
// resumes where it stopped and never redoes a finished step.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/AtomicFile.h"
#include "base/Error.h"
#include "base/ReadFile.h"
#include "cli/CampaignResults.h"
#include "cli/Commands.h"
#include "cli/Options.h"
#include "cli/Subprocess.h"
#include "evaluation/ModelCatalog.h"
#include "ir/Library.h"
#include "storage/RunDatabase.h"

namespace syno::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CampaignOptions {
    std::string dir;
    // The campaign's identity (stored in campaign.json; a resume must agree).
    std::string model = "resnet18";
    std::string data = "fashion-mnist";
    uint64_t seed = 1;
    int finalists = 3, seeds = 2, baselineSeeds = 3;
    std::vector<std::string> compare{"operator1", "operator2"};
    // Proxy accuracy loss tolerated by the reward: a little above the proxy's seed noise, since the final
    // budget's target is a 1-point loss (docs/campaigns.md has the proxy figures).
    double maxAccuracyLoss = 0.02, minSpeedup = 1.5, killMargin = 0.15, targetSpeedup = 3;
    double minFlopsRatio = 0.15, maxFlopsRatio = 0.9;
    int threads = 2, latencyRuns = 15;
    int proxyEpochs = -1, finalEpochs = -1;
    int64_t proxySubset = -1, finalSubset = -1;
    std::string reuse;  // another campaign's folder: take its finalists instead of searching
    // Per session.
    double hours = 4;
    int64_t searchBudget = 1'000'000;
    double quietWait = 600;
    std::string dataDir;
    std::string checkpointDir;  // "": <dir>/checkpoints
    bool resultsOnly = false;
};

json identityJson(const CampaignOptions& o) {
    return {{"model", o.model},
            {"data", o.data},
            {"seed", o.seed},
            {"finalists", o.finalists},
            {"seeds", o.seeds},
            {"baseline_seeds", o.baselineSeeds},
            {"compare", o.compare},
            {"max_accuracy_loss", o.maxAccuracyLoss},
            {"min_speedup", o.minSpeedup},
            {"target_speedup", o.targetSpeedup},
            {"kill_margin", o.killMargin},
            {"min_flops_ratio", o.minFlopsRatio},
            {"max_flops_ratio", o.maxFlopsRatio},
            {"threads", o.threads},
            {"latency_runs", o.latencyRuns},
            {"proxy_epochs", o.proxyEpochs},
            {"proxy_subset", o.proxySubset},
            {"final_epochs", o.finalEpochs},
            {"final_subset", o.finalSubset},
            {"reuse", o.reuse}};
}

std::string readFile(const fs::path& p) { return readInputFile(p.string(), "campaign file"); }

void validate(const CampaignOptions& o) {
    evaluation::modelLayout(o.model);  // names the known models
    if (o.finalists < 0 || o.finalists > 50) throw Error(fmt::format("--finalists must lie in [0, 50], not {}", o.finalists));
    if (o.seeds < 1 || o.seeds > 20) throw Error(fmt::format("--seeds must lie in [1, 20], not {}", o.seeds));
    if (o.baselineSeeds < 1 || o.baselineSeeds > 20)
        throw Error(fmt::format("--baseline-seeds must lie in [1, 20], not {}", o.baselineSeeds));
    for (const auto& name : o.compare)
        if (!library::isKnown(name)) throw Error(fmt::format("--compare: unknown layer '{}' (known: {})", name, library::names()));
    if (!(o.hours > 0 && o.hours <= 1000)) throw Error(fmt::format("--hours must lie in (0, 1000], not {}", o.hours));
    if (o.data != "fashion-mnist" && o.data != "cifar10" && o.data != "cifar100")
        throw Error(fmt::format("unknown --data '{}' (fashion-mnist, cifar10, cifar100)", o.data));
    for (auto [value, name] : {std::pair{int64_t{o.proxyEpochs}, "--proxy-epochs"}, std::pair{o.proxySubset, "--proxy-subset"},
                               std::pair{int64_t{o.finalEpochs}, "--final-epochs"}, std::pair{o.finalSubset, "--final-subset"}})
        if (value == 0 || value < -1) throw Error(fmt::format("{} must be at least 1, not {}", name, value));
    if (!o.reuse.empty() && !fs::exists(fs::path(o.reuse) / "finalists.json"))
        throw Error(fmt::format("--reuse {}: no finalists.json there (a campaign that chose its finalists)", o.reuse));
}

// The campaign's folder and identity: created on the first run, compared on every later one.
void openCampaign(CampaignOptions& o, const CLI::App& cmd) {
    const fs::path dir(o.dir);
    const fs::path idFile = dir / "campaign.json";
    if (fs::exists(idFile)) {
        json stored = json::parse(readFile(idFile), nullptr, false);
        if (stored.is_discarded() || !stored.is_object())
            throw Error(fmt::format("{}: not a campaign description (corrupt JSON)", idFile.string()));
        const json mine = identityJson(o);
        for (const auto& [key, value] : mine.items()) {
            const std::string option = "--" + [&] {
                std::string k = key;
                for (char& c : k)
                    if (c == '_') c = '-';
                return k;
            }();
            if (!stored.contains(key) && key == "data") stored[key] = "fashion-mnist";  // added later: the old default
            if (!stored.contains(key))
                throw Error(fmt::format("{}: made by another syno version (no {})", idFile.string(), key));
            if (cmd.count(option) > 0 && stored[key] != value)
                throw Error(fmt::format("cannot resume {}: it was made with {} {}, not {}", o.dir, option,
                                        stored[key].dump(), value.dump()));
        }
        // Adopt the stored identity.
        o.model = stored["model"];
        o.data = stored["data"];
        o.seed = stored["seed"];
        o.finalists = stored["finalists"];
        o.seeds = stored["seeds"];
        o.baselineSeeds = stored["baseline_seeds"];
        o.compare = stored["compare"].get<std::vector<std::string>>();
        o.maxAccuracyLoss = stored["max_accuracy_loss"];
        o.minSpeedup = stored["min_speedup"];
        o.targetSpeedup = stored["target_speedup"];
        o.killMargin = stored["kill_margin"];
        o.minFlopsRatio = stored["min_flops_ratio"];
        o.maxFlopsRatio = stored["max_flops_ratio"];
        o.threads = stored["threads"];
        o.latencyRuns = stored["latency_runs"];
        o.proxyEpochs = stored["proxy_epochs"];
        o.proxySubset = stored["proxy_subset"];
        o.finalEpochs = stored["final_epochs"];
        o.finalSubset = stored["final_subset"];
        o.reuse = stored["reuse"];
        validate(o);
        return;
    }
    validate(o);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error(fmt::format("cannot create {}: {}", o.dir, ec.message()));
    writeFileAtomically(idFile.string(), identityJson(o).dump(2) + "\n");
}

void step(const std::string& what) {
    fmt::print(stderr, "syno campaign: {}\n", what);
    std::fflush(stderr);
}

void search(const CampaignOptions& o) {
    const fs::path db = fs::path(o.dir) / "search.db";
    std::vector<std::string> args{"search", "-q"};
    if (fs::exists(db)) {
        args.insert(args.end(), {"--resume", db.string()});
    } else {
        args.insert(args.end(), {"--db", db.string(), "--model", o.model, "--data", o.data, "--reward", "speed", "--latency-weight", "1",
                                 "--seed", std::to_string(o.seed), "--max-accuracy-loss", fmt::format("{}", o.maxAccuracyLoss),
                                 "--min-speedup", fmt::format("{}", o.minSpeedup), "--target-speedup",
                                 fmt::format("{}", o.targetSpeedup), "--kill-margin",
                                 fmt::format("{}", o.killMargin), "--min-flops-ratio", fmt::format("{}", o.minFlopsRatio),
                                 "--max-flops-ratio", fmt::format("{}", o.maxFlopsRatio), "--latency-runs",
                                 std::to_string(o.latencyRuns)});
        if (o.proxyEpochs > 0) args.insert(args.end(), {"--epochs", std::to_string(o.proxyEpochs)});
        if (o.proxySubset > 0) args.insert(args.end(), {"--subset", std::to_string(o.proxySubset)});
    }
    args.insert(args.end(), {"--budget", std::to_string(o.searchBudget), "--max-hours", fmt::format("{}", o.hours),
                             "--threads", std::to_string(o.threads), "--quiet-wait", fmt::format("{}", o.quietWait)});
    if (!o.dataDir.empty()) args.insert(args.end(), {"--data-dir", o.dataDir});
    step(fmt::format("search ({} h of evaluations at most, {})", o.hours, db.string()));
    const ChildStatus st = runSyno(args);
    if (!st.ok()) throw Error(fmt::format("the search stopped: {} (resume with the same command)", st.describe()));
}

// The best distinct candidates by reward (the speed reward ranks the fastest within the allowed loss
// first), or those of the campaign named by --reuse.
std::vector<CampaignEntry> chooseFinalists(const CampaignOptions& o) {
    const fs::path file = fs::path(o.dir) / "finalists.json";
    std::vector<CampaignEntry> out;
    if (!o.reuse.empty()) {
        json j = json::parse(readFile(fs::path(o.reuse) / "finalists.json"), nullptr, false);
        if (j.is_discarded() || !j.is_array()) throw Error(fmt::format("--reuse {}: corrupt finalists.json", o.reuse));
        for (const auto& e : j) out.push_back(entryFromJson(e));
        for (auto& e : out) e.source = "from " + o.reuse;
    } else {
        auto db = storage::RunDatabase::open((fs::path(o.dir) / "search.db").string(), false);
        std::set<std::string> seen;
        for (const auto& r : db.candidates("reward")) {
            if (static_cast<int>(out.size()) >= o.finalists || !std::isfinite(r.reward)) break;
            if (!seen.insert(r.canonicalId).second) continue;
            CampaignEntry e;
            e.name = r.canonicalId;
            e.source = fmt::format("search candidate {}", r.seq);
            e.operatorText = r.operatorText;
            e.proxy = r.metrics;
            out.push_back(e);
        }
    }
    json j = json::array();
    for (const auto& e : out) j.push_back(entryJson(e));
    writeFileAtomically(file.string(), j.dump(2) + "\n");
    return out;
}

// One final training (or latency measurement): skipped when its result file exists; a child that dies
// without writing one leaves a failure record instead, so a resume does not retry a crashing operator.
void runStep(const CampaignOptions& o, const fs::path& result, std::vector<std::string> args, const std::string& what) {
    if (fs::exists(result)) return;
    step(what);
    args.insert(args.end(), {"--json", result.string(), "--model", o.model, "--threads", std::to_string(o.threads)});
    const ChildStatus st = runSyno(args);
    if (fs::exists(result)) return;
    if (st.signal == SIGINT || st.signal == SIGTERM || st.signal == SIGKILL)
        throw Error("interrupted (resume with the same command)");
    if (!st.signal)  // it said why on stderr (a missing data set, an unwritable folder): fix it and resume
        throw Error(fmt::format("{} stopped ({}) without a result: resume once its error is fixed", what, st.describe()));
    // A crash (SIGSEGV, SIGABRT, ...) is the operator's: recorded, so a resume does not crash again.
    writeFileAtomically(result.string(),
                        json{{"ok", false}, {"failure", "the evaluation ended with " + st.describe()}}.dump(2) + "\n");
}

std::vector<std::string> sourceArgs(const CampaignOptions& o, const CampaignEntry& e) {
    if (e.name == "baseline") return {"--baseline"};
    if (library::isKnown(e.name)) return {"--library", e.name};
    const fs::path file = fs::path(o.dir) / "operators" / (e.name + ".op");
    if (!fs::exists(file)) writeFileAtomically(file.string(), e.operatorText);
    return {"--op", file.string()};
}

// Per-session settings a resume keeps unless given again (settings.json): the search's time and budget.
void sessionSettings(CampaignOptions& o, const CLI::App& cmd) {
    const fs::path file = fs::path(o.dir) / "settings.json";
    json stored = fs::exists(file) ? json::parse(readFile(file), nullptr, false) : json::object();
    if (!stored.is_object()) stored = json::object();
    if (cmd.count("--hours") == 0 && stored.contains("hours") && stored["hours"].is_number()) o.hours = stored["hours"];
    if (cmd.count("--search-budget") == 0 && stored.contains("search_budget") && stored["search_budget"].is_number())
        o.searchBudget = stored["search_budget"];
    const json now{{"hours", o.hours}, {"search_budget", o.searchBudget}};
    if (now != stored) writeFileAtomically(file.string(), now.dump(2) + "\n");
}

void runCampaign(CampaignOptions o, const CLI::App& cmd) {
    openCampaign(o, cmd);
    // One campaign process per folder (its search child then locks search.db the same way).
    const auto lock = storage::WriterLock::acquire(o.dir, storage::WriterLock::Wait::No);
    if (!o.resultsOnly) sessionSettings(o, cmd);
    const fs::path dir(o.dir);
    for (const char* sub : {"operators", "finals", "latency"}) fs::create_directories(dir / sub);
    std::vector<CampaignEntry> entries{CampaignEntry{"baseline", "the original network", "", {}}};
    auto addCompared = [&] {
        for (const auto& name : o.compare) entries.push_back(CampaignEntry{name, "library (the paper's)", "", {}});
    };
    if (o.resultsOnly) {
        // Before the search has chosen any, the table holds the baseline and the compared layers only.
        const json j = fs::exists(dir / "finalists.json") ? json::parse(readFile(dir / "finalists.json"), nullptr, false)
                                                          : json::array();
        if (j.is_array())
            for (const auto& e : j) entries.push_back(entryFromJson(e));
        addCompared();
    } else {
        if (o.reuse.empty()) search(o);
        for (const auto& e : chooseFinalists(o)) entries.push_back(e);
        addCompared();
        // Latency first: minutes on a machine kept idle, where the finals take hours and tolerate a neighbour.
        for (const auto& e : entries) {
            if (e.name == "baseline") continue;
            std::vector<std::string> args{"eval", "--latency-only", "--latency-batches", "1,16", "--latency-threads", "1,2",
                                          "--latency-runs", std::to_string(o.latencyRuns), "--quiet-wait",
                                          fmt::format("{}", o.quietWait)};
            const auto src = sourceArgs(o, e);
            args.insert(args.end(), src.begin(), src.end());
            runStep(o, dir / "latency" / (e.name + ".json"), args,
                    fmt::format("deployment latency of {} (keep the machine otherwise idle)", e.name));
        }
        // Seed by seed rather than operator by operator: after the first round every operator has one
        // final figure beside the baseline's, which is what an interrupted campaign should leave.
        const auto seedsOf = [&](const CampaignEntry& e) { return e.name == "baseline" ? o.baselineSeeds : o.seeds; };
        for (int s = 1; s <= std::max(o.baselineSeeds, o.seeds); ++s) {
            for (const auto& e : entries) {
                const int seeds = seedsOf(e);
                if (s > seeds) continue;
                std::vector<std::string> args{"eval", "--budget", "final", "--seed", std::to_string(s), "--no-latency",
                                              "--data", o.data};
                if (!o.dataDir.empty()) args.insert(args.end(), {"--data-dir", o.dataDir});
                if (e.name != "baseline") args.push_back("--skip-baseline");
                if (o.finalEpochs > 0) args.insert(args.end(), {"--epochs", std::to_string(o.finalEpochs)});
                if (o.finalSubset > 0) args.insert(args.end(), {"--subset", std::to_string(o.finalSubset)});
                const auto src = sourceArgs(o, e);
                args.insert(args.end(), src.begin(), src.end());
                // Seed 1's trained network, to use without syno (docs/export.md); not committed (large).
                if (s == 1) args.insert(args.end(), {"--export", (dir / "finals" / (e.name + "-seed1.pt")).string()});
                // An hour or more each: a kill (or the end of a session) costs at most the epoch it was in.
                args.insert(args.end(), {"--checkpoint-dir", o.checkpointDir.empty() ? (dir / "checkpoints").string()
                                                                                      : o.checkpointDir});
                runStep(o, dir / "finals" / fmt::format("{}-seed{}.json", e.name, s), args,
                        fmt::format("final training of {} ({}), seed {} of {}", e.name, e.source, s, seeds));
            }
        }
    }
    const CampaignTable table = collectResults(dir.string(), o.model, entries);
    writeFileAtomically((dir / "results.md").string(), table.markdown);
    writeFileAtomically((dir / "results.json").string(), table.json.dump(2) + "\n");
    // The operator to take away (results/<network>.op in the repository is a copy of it).
    const auto& best = table.json["best"];
    if (best.is_object() && best["meets_target"].get<bool>())
        writeFileAtomically((dir / "best.op").string(), best["operator"].get<std::string>());
    else
        fs::remove(dir / "best.op");
    fmt::print("{}", table.markdown);
    fmt::print("\nwritten: {} and {}\n", (dir / "results.md").string(), (dir / "results.json").string());
}

}  // namespace

void addCampaignCommand(CLI::App& app) {
    auto o = std::make_shared<CampaignOptions>();
    auto* cmd = app.add_subcommand(
        "campaign", "The whole job for one network: a speed search, final re-training over seeds, deployment "
                    "latency, a result table; resumable");
    auto& s = *o;
    cmd->add_option("--dir", s.dir, "the campaign's folder (created; run again to resume)")->required();
    cmd->add_option("--model", s.model, std::string("network: ") + evaluation::modelNames())->capture_default_str();
    cmd->add_option("--data", s.data, "training data: fashion-mnist, cifar10 or cifar100")->capture_default_str();
    cmd->add_option("--data-dir", s.dataDir, "the data set's folder (CIFAR: its binary distribution)");
    cmd->add_option("--checkpoint-dir", s.checkpointDir,
                    "where final trainings keep their per-epoch state until they finish (default: DIR/checkpoints; "
                    "somewhere that outlives the folder's checkout when sessions are short)")
        ->check(notBlank());
    cmd->add_option("--hours", s.hours, "search time (the run's evaluations, over all sessions); kept for resumes "
                                        "(settings.json), raise it to search on")
        ->capture_default_str()
        ->check(bounded(0.001, 1000));
    cmd->add_option("--search-budget", s.searchBudget, "most candidates the search evaluates")
        ->capture_default_str()
        ->check(bounded(1, 10'000'000));
    cmd->add_option("--seed", s.seed, "the search's seed")->capture_default_str()->check(seedValue());
    cmd->add_option("--finalists", s.finalists, "best search candidates re-trained at the final budget")->capture_default_str()->check(bounded(1, 20));
    cmd->add_option("--seeds", s.seeds, "final trainings per operator (seeds 1..N)")->capture_default_str()->check(bounded(1, 20));
    cmd->add_option("--baseline-seeds", s.baselineSeeds, "final trainings of the original network")->capture_default_str()->check(bounded(1, 20));
    cmd->add_option("--compare", s.compare, "library layers re-trained and timed beside the finalists")
        ->delimiter(',')
        ->capture_default_str();
    cmd->add_option("--max-accuracy-loss", s.maxAccuracyLoss, "speed reward: proxy accuracy loss tolerated")
        ->capture_default_str()
        ->check(bounded(0.0, 1.0));
    cmd->add_option("--min-speedup", s.minSpeedup, "search: candidates slower than this are not trained")
        ->capture_default_str()
        ->check(bounded(0.0, 100.0));
    cmd->add_option("--target-speedup", s.targetSpeedup, "speed reward: the speedup that earns the full reward")
        ->capture_default_str()
        ->check(bounded(1.01, 100.0));
    cmd->add_option("--kill-margin", s.killMargin, "search: stop a training this far below the baseline's curve")
        ->capture_default_str()
        ->check(bounded(0.0, 0.99));
    cmd->add_option("--min-flops-ratio", s.minFlopsRatio, "FLOPs window, lower end (of the replaced layers)")
        ->capture_default_str()
        ->check(bounded(0.0, 100.0));
    cmd->add_option("--max-flops-ratio", s.maxFlopsRatio, "FLOPs window, upper end")->capture_default_str()->check(bounded(0.0, 100.0));
    s.threads = defaultThreads(s.threads);
    cmd->add_option("--threads", s.threads, "libtorch threads for training and the search's latency")
        ->capture_default_str()
        ->check(threadCount());
    cmd->add_option("--latency-runs", s.latencyRuns, "interleaved latency rounds")->capture_default_str()->check(bounded(1, 10000));
    cmd->add_option("--proxy-epochs", s.proxyEpochs, "search: epochs (default: the proxy budget's)")->check(bounded(-1, 1000));
    cmd->add_option("--proxy-subset", s.proxySubset, "search: training images (default: the proxy budget's)")->check(bounded(-1, 100000000));
    cmd->add_option("--final-epochs", s.finalEpochs, "finals: epochs (default: the final budget's)")->check(bounded(-1, 1000));
    cmd->add_option("--final-subset", s.finalSubset, "finals: training images (default: the final budget's)")->check(bounded(-1, 100000000));
    cmd->add_option("--reuse", s.reuse, "take the finalists of this other campaign's folder instead of searching "
                                        "(ResNet-34 reusing ResNet-18's operators, as the paper does)");
    cmd->add_option("--quiet-wait", s.quietWait, "the most each latency point may spend waiting for other processes "
                                                 "to go quiet (before timing, and again while its attempts come out "
                                                 "busy)")
        ->capture_default_str()
        ->check(bounded(0.0, 86400.0));
    cmd->add_flag("--results-only", s.resultsOnly, "only rewrite the result table from what the folder holds");
    cmd->footer("Steps (each a child syno process whose result is a file in --dir; a resumed campaign skips\n"
                "finished ones): search.db (syno search --reward speed, stopped after --hours), finalists.json,\n"
                "latency/<operator>.json (syno eval --latency-only at batch 1 and 16, 1 and 2 threads),\n"
                "finals/<operator>-seed<N>.json (syno eval --budget final; seed 1 of every operator first; seed 1's\n"
                "trained network also as TorchScript, finals/<operator>-seed1.pt and .pt.json: docs/export.md),\n"
                "results.md and results.json, and best.op: the fastest synthesized operator within 1 point of the\n"
                "baseline's mean final accuracy (at batch 1 on 2 threads), once there is one.\n"
                "Keep the machine otherwise idle while it runs: latency is part of the reward.\n"
                "Examples:\n"
                "  syno campaign --model resnet18 --hours 4 --dir campaigns/resnet18\n"
                "  syno campaign --dir campaigns/resnet18                 resume it\n"
                "  syno campaign --dir campaigns/resnet18 --hours 6       search longer, then finals again\n"
                "  syno campaign --model resnet34 --reuse campaigns/resnet18 --dir campaigns/resnet34\n"
                "  syno campaign --dir campaigns/resnet18 --results-only  rewrite the table");
    cmd->callback([o, cmd] { runCampaign(*o, *cmd); });
}

}  // namespace syno::cli
