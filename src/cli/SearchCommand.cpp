// `syno search`: search the operator space (MCTS, random or beam search), evaluating candidates on local
// workers (training on Fashion-MNIST, or the synthetic reward), recording everything in a run database
// that `--resume` continues and `syno runs` inspects.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/Error.h"
#include "cli/CandidateReport.h"
#include "cli/Commands.h"
#include "cli/Options.h"
#include "cli/SynthesisFlags.h"
#include "evaluation/ModelCatalog.h"
#include "distributed/MpiBackend.h"
#include "distributed/MpiWorker.h"
#include "evaluation/TrainingEvaluator.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "report/Report.h"
#include "search/BeamSearch.h"
#include "search/Mcts.h"
#include "search/Pareto.h"
#include "search/RandomSearch.h"
#include "search/SyntheticEvaluator.h"
#include "semantics/Realize.h"
#include "semantics/Stages.h"
#include "storage/CheckReplay.h"
#include "storage/RunRecorder.h"
#include "synthesis/FunctionalFingerprint.h"
#include "synthesis/OverParametrised.h"
#include "synthesis/Problem.h"
#include "sizes/ParseContext.h"

namespace syno::cli {

namespace {

using nlohmann::json;

// Options that identify a run are registered as fields: they are stored as JSON (keys are the option
// names), hashed, and compared on --resume. The others (budget, workers, ...) may change between sessions.
struct Field {
    std::string name;
    std::function<json()> get;
    std::function<void(const json&)> set;
    // For an option added after runs were recorded: the value those runs implied. A run recorded without
    // it takes it, and its options JSON (and hash) is rebuilt without it while it holds that value.
    std::optional<json> legacy;
};

struct SearchOptions {
    std::string algorithm = "mcts";
    uint64_t seed = 1;
    std::string evaluator = "train";
    std::string model = "resnet";
    std::string data = "fashion-mnist";
    std::string dataDir;  // per session: where the data set is
    std::string reward = "accuracy";
    search::RewardOptions rewardOptions;
    int batch = 0;  // 0: the number of workers
    std::string input, output, primary, coef, bindings, fixed = "N";  // empty: from the model (train) or the conv space
    SynthesisOptions synth;
    // The FLOPs window, relative to the layers the placeholders replace (the model's original layers; conv2d
    // on the bindings otherwise), as the paper's 0.15-0.9x. 0: no such bound.
    double minFlopsRatio = 0.15, maxFlopsRatio = 0.9;
    double minSpeedup = 0;   // training evaluator: candidates slower than this are not trained
    double killMargin = 0;   // training evaluator: stop when this far below the baseline's validation
    int latencyRuns = 15;
    int beamWidth = 4, beamProbes = 2;
    double failureRate = 0;
    int epochs = -1;
    int64_t subset = -1;
    double timeLimit = 300;
    bool keepOverParametrised = false;  // train operators one weight would express (OverParametrised.h)
    // Train operators of a family of functions already trained (FunctionalFingerprint.h); runs recorded
    // before the fingerprint did, and replay only that way.
    bool keepFunctionalDuplicates = false;
    // Where they are skipped: in synthesis, so the search never proposes them. Runs recorded before
    // refused them after proposing and replay only that way.
    bool synthesisSkipsOverParametrised = true;
    bool synthesisBoundsFlopsFromAbove = true;  // SynthesisOptions::boundFlopsFromAbove; older runs had no such bound
    bool synthesisStagesEachBinding = true;     // SynthesisOptions::stageEachBinding; older runs staged jointly
    int synthesisRulesRevision = kRulesRevision;  // SynthesisOptions::rulesRevision; older runs had revision 1
    int synthesisDescentRestartAfter = SynthesisOptions{}.descentRestartAfter;  // older runs never restarted
    // Per session.
    int64_t budget = 12;  // with no options: the baseline and 12 candidates, ~3 minutes on 2 cores (measured)
    bool waitLock = false;
    double maxHours = 0;  // stop once the run's evaluations (all sessions) took this long; 0: no limit
    double quietWait = 0;  // training evaluator: seconds to wait for a quiet machine before timing
    int workers = 1;
    int threads = 2;
    std::string db, resume;
    std::string report;  // HTML page rewritten as evaluations finish (syno report's)
    double delay = 0;
    bool quiet = false;
    int top = 3;
    size_t maxNodes = 2'000'000;
    std::vector<Field> fields;
};

template <class T>
CLI::Option* identity(CLI::App& cmd, SearchOptions& o, const std::string& name, T& ref, const std::string& help,
                      std::optional<json> legacy = std::nullopt) {
    o.fields.push_back({name, [&ref] { return json(ref); }, [&ref](const json& j) { ref = j.get<T>(); }, legacy});
    return cmd.add_option("--" + name, ref, help)->capture_default_str();
}

// The same for a flag; `legacy` is the value of runs recorded before the flag existed.
CLI::Option* identityFlag(CLI::App& cmd, SearchOptions& o, const std::string& name, bool& ref, const std::string& help,
                          json legacy) {
    o.fields.push_back({name, [&ref] { return json(ref); }, [&ref](const json& j) { ref = j.get<bool>(); }, legacy});
    return cmd.add_flag("--" + name, ref, help);
}

// An identity setting with no option of its own: what a new run does, `legacy` what older runs did.
template <class T>
void internalIdentity(SearchOptions& o, const std::string& name, T& ref, json legacy) {
    o.fields.push_back({name, [&ref] { return json(ref); }, [&ref](const json& j) { ref = j.get<T>(); }, legacy});
}

// Every identity option; for a resumed run, only those it recorded (plus any that left its legacy value).
json optionsJson(const SearchOptions& o, const json* recorded = nullptr) {
    json j = json::object();
    for (const auto& f : o.fields)
        if (!recorded || recorded->contains(f.name) || !f.legacy || f.get() != *f.legacy) j[f.name] = f.get();
    return j;
}

std::string utcNow(const char* format) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

// Empty problem strings take the model's placeholder spec (training) or `syno sample`'s conv space.
void resolveProblemDefaults(SearchOptions& o) {
    evaluation::PlaceholderSpec spec;
    if (o.evaluator == "train") {
        spec = evaluation::placeholderSpec(o.model);
    } else {
        spec = {kSmallConvSpace.primaries, kSmallConvSpace.coefficients, kSmallConvSpace.input, kSmallConvSpace.output, ""};
    }
    if (o.primary.empty()) o.primary = spec.primaries;
    if (o.coef.empty()) o.coef = spec.coefficients;
    if (o.input.empty()) o.input = spec.input;
    if (o.output.empty()) o.output = spec.output;
    if (o.bindings.empty()) o.bindings = spec.bindings;
}

// conv2d's FLOPs on the problem, the synthetic evaluator's reference; 0 when conv2d does not fit it.
double conv2dFlops(const Problem& problem) {
    try {
        Operator conv = library::conv2d(problem.ctx.vars());
        const auto policy = problem.options.requireExactDivision ? PaddingPolicy::Exact : PaddingPolicy::Pad;
        return planStages(conv, paddedContext(conv, problem.ctx, policy)).flops;
    } catch (const Error&) {
        return 0;
    }
}

// The FLOPs of the layers the window is relative to, summed over the bindings: the model's original
// layers when the problem is the model's own, conv2d's otherwise; 0 when neither applies.
double referenceFlops(const SearchOptions& o, const Problem& problem) {
    if (o.evaluator == "train" && o.bindings == evaluation::placeholderSpec(o.model).bindings) {
        double sum = 0;
        for (double f : evaluation::referenceFlopsPerBinding(o.model)) sum += f;
        return sum;
    }
    return conv2dFlops(problem);
}

Problem makeProblem(const SearchOptions& o) {
    SizeContext ctx = parseContext(o.primary, o.coef, o.bindings);
    SynthesisOptions synth = o.synth;
    synth.skipOverParametrised = !o.keepOverParametrised && o.synthesisSkipsOverParametrised;
    synth.boundFlopsFromAbove = o.synthesisBoundsFlopsFromAbove;
    synth.stageEachBinding = o.synthesisStagesEachBinding;
    if (o.synthesisRulesRevision < 1 || o.synthesisRulesRevision > kRulesRevision)
        throw Error(fmt::format("the run was recorded with revision {} of the synthesis rules; this syno knows "
                                "revisions 1 to {}",
                                o.synthesisRulesRevision, kRulesRevision));
    synth.rulesRevision = o.synthesisRulesRevision;
    synth.descentRestartAfter = o.synthesisDescentRestartAfter;
    Problem problem = Problem::make(ctx, o.input, o.output, synth, o.fixed);
    // Syno's FLOPs window relative to the layers replaced: operators far costlier than them are not worth
    // training, nor are those too cheap to keep their accuracy.
    const double reference = o.maxFlopsRatio > 0 || o.minFlopsRatio > 0 ? referenceFlops(o, problem) : 0;
    if (reference <= 0) return problem;
    return Problem::make(ctx, o.input, o.output, withFlopsWindow(synth, reference, o.minFlopsRatio, o.maxFlopsRatio),
                         o.fixed);
}

// What runs recorded before synthesis skipped over-parametrised operators (a costlier form of a one-weight
// operator the space also holds) refused after proposing: those runs replay only with it.
std::function<std::optional<std::string>(const search::Candidate&)> refusal(const SearchOptions& o, const Problem& problem) {
    if (o.keepOverParametrised || o.synthesisSkipsOverParametrised) return {};
    return [ctx = problem.ctx](const search::Candidate& c) -> std::optional<std::string> {
        const auto found = overParametrised(parseOperator(c.operatorText, &ctx.vars()), ctx);
        if (!found) return std::nullopt;
        return found->reason;
    };
}

// The family of functions a proposal computes (its functional fingerprint), so that one of each is trained.
std::function<std::string(const search::Candidate&)> family(const SearchOptions& o, const Problem& problem) {
    if (o.keepFunctionalDuplicates) return {};
    return [ctx = problem.ctx, probes = fingerprintProbes(problem)](const search::Candidate& c) -> std::string {
        const auto f = functionalFingerprint(parseOperator(c.operatorText, &ctx.vars()), probes);
        return f ? fmt::format("{:016x}", *f) : std::string{};
    };
}

search::DriverOptions driverOptions(const SearchOptions& o, const Problem& problem) {
    search::DriverOptions d;
    d.budget = o.budget;
    d.batch = o.batch;
    d.refuse = refusal(o, problem);
    d.family = family(o, problem);
    return d;
}

std::unique_ptr<search::Evaluator> makeEvaluator(const SearchOptions& o, const Problem& problem) {
    if (o.evaluator == "synthetic") {
        search::SyntheticSettings s;
        s.seed = o.seed;
        s.referenceFlops = conv2dFlops(problem);
        s.failureRate = o.failureRate;
        s.delaySeconds = o.delay;
        return std::make_unique<search::SyntheticEvaluator>(s);
    }
    evaluation::EvalSettings s;
    s.model = o.model;
    s.epochs = o.epochs;
    s.subset = o.subset;
    s.threads = o.threads;
    s.timeLimitSeconds = o.timeLimit;
    s.seed = o.seed;
    s.dataSet = o.data;
    s.dataDir = o.dataDir;
    s.minSpeedup = o.minSpeedup;
    s.killMargin = o.killMargin;
    s.latencyRuns = o.latencyRuns;
    s.latencyBatches = {1};  // the reward's; `syno eval` and the campaign's finals time more
    s.quietWaitSeconds = o.quietWait;
    return evaluation::makeTrainingEvaluator(s);
}

std::unique_ptr<search::Proposer> makeProposer(const SearchOptions& o, const Problem& problem) {
    if (o.algorithm == "mcts") return std::make_unique<search::Mcts>(problem, o.seed);
    if (o.algorithm == "random") return std::make_unique<search::RandomSearch>(problem, o.seed);
    return std::make_unique<search::BeamSearch>(problem, o.seed, search::BeamOptions{o.beamWidth, o.beamProbes});
}

void validate(const SearchOptions& o) {
    if (o.algorithm != "mcts" && o.algorithm != "random" && o.algorithm != "beam")
        throw Error(fmt::format("unknown --algorithm '{}' (mcts, random, beam)", o.algorithm));
    if (o.evaluator != "train" && o.evaluator != "synthetic")
        throw Error(fmt::format("unknown --evaluator '{}' (train, synthetic)", o.evaluator));
    if (o.reward != "accuracy" && o.reward != "speed")
        throw Error(fmt::format("unknown --reward '{}' (accuracy, speed)", o.reward));
    auto ratioInRange = [](double v, const char* name) {
        if (!std::isfinite(v) || v < 0 || v > 100)
            throw Error(fmt::format("--{} must be a number in [0, 100], not {}", name, v));
    };
    ratioInRange(o.minFlopsRatio, "min-flops-ratio");
    if (o.reward == "speed" && o.evaluator == "train" && o.workers > 1)
        throw Error("--reward speed times each candidate's latency, which another worker's training would disturb: "
                    "use --workers 1 (each evaluation uses --threads cores)");
    if (o.latencyRuns < 1 || o.latencyRuns > 10000)
        throw Error(fmt::format("--latency-runs must lie in [1, 10000], not {}", o.latencyRuns));
    if (!(o.minSpeedup >= 0 && o.minSpeedup <= 100))
        throw Error(fmt::format("--min-speedup must lie in [0, 100], not {}", o.minSpeedup));
    if (!(o.killMargin >= 0 && o.killMargin < 1))
        throw Error(fmt::format("--kill-margin must lie in [0, 1), not {}", o.killMargin));
    if (!(o.rewardOptions.maxAccuracyLoss >= 0 && o.rewardOptions.maxAccuracyLoss <= 1))
        throw Error(fmt::format("--max-accuracy-loss must lie in [0, 1], not {}", o.rewardOptions.maxAccuracyLoss));
    ratioInRange(o.maxFlopsRatio, "max-flops-ratio");
    if (o.maxFlopsRatio > 0 && o.minFlopsRatio > o.maxFlopsRatio)
        throw Error(fmt::format("--min-flops-ratio {} is above --max-flops-ratio {}", o.minFlopsRatio, o.maxFlopsRatio));
}

std::string duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    long s = std::lround(seconds);
    return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60) : fmt::format("{}m{:02}s", s / 60, s % 60);
}

// Records into the database and, on a terminal, keeps a one-line progress bar on stderr.
class ProgressRecorder : public storage::RunRecorder {
public:
    ProgressRecorder(storage::RunDatabase& db, int64_t budget, int workers, bool show)
        : RunRecorder(db), budget_(budget), workers_(workers), show_(show) {}

    void started(const search::Dispatch& d) override {
        RunRecorder::started(d);
        ++running_;
        draw();
    }
    void finished(const search::Dispatch& d, const search::Outcome& o, std::optional<double> r, double seconds,
                  bool replayed) override {
        RunRecorder::finished(d, o, r, seconds, replayed);
        if (!replayed) {
            --running_;
            evalSeconds_ += seconds;
            ++evaluatedHere_;
        }
        (r ? done_ : failed_)++;
        if (r && std::isfinite(o.metrics.accuracy)) bestAccuracy_ = std::max(bestAccuracy_, o.metrics.accuracy);
        if (r && std::isfinite(o.metrics.latencyRatio)) bestSpeedup_ = std::max(bestSpeedup_, o.metrics.latencyRatio);
        draw();
        if (!replayed && afterEvaluation) afterEvaluation();
    }
    std::function<void()> afterEvaluation;  // after each evaluation of this session is recorded (--report)
    void close() {
        if (show_ && drawn_) fmt::print(stderr, "\n");
    }

private:
    void draw() {
        if (!show_) return;
        const int64_t finished = done_ + failed_;
        const int width = 24;
        const int filled = budget_ ? static_cast<int>(width * std::min<int64_t>(finished, budget_) / budget_) : width;
        double eta = evaluatedHere_ ? evalSeconds_ / evaluatedHere_ * static_cast<double>(budget_ - finished) / workers_
                                    : NAN;
        fmt::print(stderr, "\r[{}{}] {}/{}  done {} failed {} running {}  best acc {}  best speedup {}  ETA {}   ",
                   std::string(static_cast<size_t>(filled), '#'), std::string(static_cast<size_t>(width - filled), '.'),
                   finished, budget_, done_, failed_, running_,
                   bestAccuracy_ >= 0 ? fmt::format("{:.4f}", bestAccuracy_) : "-",
                   bestSpeedup_ > 0 ? fmt::format("{:.2f}x", bestSpeedup_) : "-", duration(eta));
        std::fflush(stderr);
        drawn_ = true;
    }
    int64_t budget_;
    int workers_;
    bool show_, drawn_ = false;
    int64_t done_ = 0, failed_ = 0, running_ = 0, evaluatedHere_ = 0;
    double evalSeconds_ = 0, bestAccuracy_ = -1, bestSpeedup_ = 0;
};

std::string ratio(double x) { return std::isfinite(x) ? fmt::format("{:.3f}x", x) : "-"; }
std::string number(double x, int digits = 4) { return std::isfinite(x) ? fmt::format("{:.{}f}", x, digits) : "-"; }

void printBest(storage::RunDatabase& db, int top) {
    auto rows = db.candidates("reward", top);
    std::erase_if(rows, [](const storage::CandidateRow& r) { return !std::isfinite(r.reward); });
    fmt::print("best operators (of {} evaluated):\n", db.counts().done + db.counts().failed);
    printAgainstBaseline(rows, true);
    if (rows.empty()) return;
    auto all = db.candidates("seq");
    std::vector<search::ParetoPoint> points;
    for (const auto& r : all)
        points.push_back({std::isfinite(r.reward) ? r.metrics.accuracy : NAN,
                          std::isfinite(r.metrics.latencyRatio) ? r.metrics.latencyRatio : r.metrics.flopsRatio});
    auto front = search::paretoFront(points);
    if (!front.empty()) {
        fmt::print("\nPareto front (accuracy, speedup):");
        for (size_t i : front) fmt::print("  #{} ({}, {})", all[i].seq, number(points[i].accuracy), ratio(points[i].speedup));
        fmt::print("\n");
    }
}

// The settings two evaluator fingerprints ("name key=value ...") disagree on: "threads=1, now threads=2".
std::string fingerprintDifference(const std::string& was, const std::string& now) {
    auto words = [](const std::string& text) {
        std::vector<std::string> out;
        std::istringstream in(text);
        for (std::string w; in >> w;) out.push_back(w);
        return out;
    };
    const auto a = words(was), b = words(now);
    std::string was_, now_;
    for (const auto& w : a)
        if (std::find(b.begin(), b.end(), w) == b.end()) was_ += (was_.empty() ? "" : " ") + w;
    for (const auto& w : b)
        if (std::find(a.begin(), a.end(), w) == a.end()) now_ += (now_.empty() ? "" : " ") + w;
    return fmt::format("it had {}, now {}", was_.empty() ? "-" : was_, now_.empty() ? "-" : now_);
}

// What an evaluating rank needs to build the same evaluator as rank 0: the run's identity options (as
// resolved, or as a resumed run recorded them) and this session's evaluator settings.
std::string evaluatorSpec(const SearchOptions& o) {
    return json{{"options", optionsJson(o)},
                {"threads", o.threads},
                {"synthetic-delay", o.delay},
                {"data-dir", o.dataDir},
                {"quiet-wait", o.quietWait}}
        .dump();
}

std::unique_ptr<search::Evaluator> evaluatorFromSpec(SearchOptions& o, const std::string& text) {
    const json spec = json::parse(text);
    const json& options = spec.at("options");
    for (auto& f : o.fields) {
        if (options.contains(f.name))
            f.set(options[f.name]);
        else if (f.legacy)
            f.set(*f.legacy);
    }
    o.threads = spec.at("threads").get<int>();
    o.delay = spec.at("synthetic-delay").get<double>();
    o.dataDir = spec.at("data-dir").get<std::string>();
    o.quietWait = spec.at("quiet-wait").get<double>();
    return makeEvaluator(o, makeProblem(o));
}

// A resumed run's identity as recorded, read before anything is written.
struct RecordedRun {
    storage::RunInfo info;
    json options;
};

// --resume: takes the writer lock and adopts the run's recorded options (any given must match) and its
// per-session settings unless given again. Writes nothing: a refused file stays byte-identical.
std::unique_ptr<storage::RunDatabase> openRecordedRun(SearchOptions& o, const CLI::App& cmd, RecordedRun& recorded) {
    if (!o.db.empty() && o.db != o.resume) throw Error("give either --db or --resume, not both");
    auto db = std::make_unique<storage::RunDatabase>(storage::RunDatabase::open(
        o.resume, true, o.waitLock ? storage::WriterLock::Wait::Yes : storage::WriterLock::Wait::No));
    recorded.info = db->info();
    json stored = json::parse(recorded.info.optionsJson, nullptr, false);
    if (stored.is_discarded() || !stored.is_object())
        throw Error(fmt::format("{}: the recorded options are not JSON (corrupt run database)", o.resume));
    recorded.options = stored;
    for (auto& f : o.fields) {
        if (!stored.contains(f.name) && f.legacy) stored[f.name] = *f.legacy;
        if (!stored.contains(f.name))
            throw Error(fmt::format("{}: the run has no option --{} (made by another syno version)", o.resume, f.name));
        const bool given = cmd.get_option_no_throw("--" + f.name) && cmd.count("--" + f.name) > 0;
        if (given && f.get() != stored[f.name])
            throw Error(fmt::format("cannot resume {}: it was made with --{} {}, not {}", o.resume, f.name,
                                    stored[f.name].dump(), f.get().dump()));
        f.set(stored[f.name]);
    }
    json settings = json::parse(db->meta("settings").value_or("{}"), nullptr, false);
    if (cmd.count("--budget") == 0 && settings.contains("budget")) o.budget = settings["budget"].get<int64_t>();
    if (cmd.count("--max-hours") == 0 && settings.contains("max_hours")) o.maxHours = settings["max_hours"].get<double>();
    // Threads shape the evaluator's numbers (its fingerprint names them): a resume keeps the run's.
    if (cmd.count("--threads") == 0 && settings.contains("threads")) o.threads = settings["threads"].get<int>();
    if (cmd.count("--workers") == 0 && settings.contains("workers")) o.workers = settings["workers"].get<int>();
    o.db = o.resume;
    return db;
}

// A resumed run must match this evaluator, these options and replay its history through a fresh proposer;
// a new run's space must hold an operator before its database is made. Throws before any write.
std::unique_ptr<storage::RunDatabase> checkOrCreateRun(const SearchOptions& o, std::unique_ptr<storage::RunDatabase> db,
                                                       const RecordedRun* recorded, const Problem& problem,
                                                       const search::Evaluator& evaluator,
                                                       const search::RewardOptions& reward) {
    const std::string optionsText = optionsJson(o, recorded ? &recorded->options : nullptr).dump();
    if (recorded) {
        if (recorded->info.fingerprint != evaluator.fingerprint())
            throw Error(fmt::format("cannot resume {}: its evaluator differs ({})", o.resume,
                                    fingerprintDifference(recorded->info.fingerprint, evaluator.fingerprint())));
        if (recorded->info.optionsHash != storage::stableHashHex(optionsText))
            throw Error(fmt::format("cannot resume {}: its options do not match this syno's reading of them", o.resume));
        auto fresh = makeProposer(o, problem);
        storage::checkReplay(*db, *fresh, reward, driverOptions(o, problem));
        return db;
    }
    search::Proposal first;
    if (makeProposer(o, problem)->propose(first) == search::ProposeStatus::Exhausted)
        throw Error(fmt::format("no operator maps {} to {} within these limits (depth {}): nothing to search", o.input,
                                o.output, o.synth.depth));
    storage::RunInfo info{optionsText, storage::stableHashHex(optionsText), o.seed, o.algorithm, evaluator.fingerprint(),
                          utcNow("%Y-%m-%dT%H:%M:%SZ"), SYNO_VERSION};
    return std::make_unique<storage::RunDatabase>(storage::RunDatabase::create(o.db, info));
}

// --max-hours: true once the run's finished evaluations (every session) and this session's time reach it.
std::function<bool()> timeLimit(storage::RunDatabase& db, double hours) {
    double spent = 0;
    for (const auto& r : db.candidates("seq"))
        if (std::isfinite(r.evalSeconds) && (r.status == "done" || r.status == "failed")) spent += r.evalSeconds;
    const auto start = std::chrono::steady_clock::now();
    return [spent, start, limit = hours * 3600] {
        return spent + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= limit;
    };
}

// --report: the page follows the run, rewritten (atomically) after an evaluation at most once a second
// (a large run's page takes a fraction of a second to build) and once more at the end. A page that cannot
// be written costs a warning, not the search.
class ReportWriter {
public:
    ReportWriter(storage::RunDatabase& db, std::string path) : db_(db), path_(std::move(path)) {}
    void write(bool force) {
        const auto now = std::chrono::steady_clock::now();
        if (path_.empty() || failed_ || (!force && now - last_ < std::chrono::seconds(1))) return;
        last_ = now;
        try {
            builder_.write(db_, path_);
        } catch (const Error& e) {
            failed_ = true;
            fmt::print(stderr, "\nsyno search: warning: --report not written: {}\n", e.message());
        }
    }

private:
    storage::RunDatabase& db_;
    std::string path_;
    report::ReportBuilder builder_;
    std::chrono::steady_clock::time_point last_{};
    bool failed_ = false;
};

void printSummary(const SearchOptions& o, storage::RunDatabase& db, const search::SearchSummary& summary) {
    if (summary.refused > 0)
        fmt::print("skipped {} over-parametrised operator(s) without training them (one weight expresses the product "
                   "of their two; --keep-over-parametrised trains them)\n",
                   summary.refused);
    if (summary.sameFamily > 0)
        fmt::print("skipped {} proposal(s) computing the same family of functions as an operator already evaluated "
                   "(--keep-functional-duplicates trains them)\n",
                   summary.sameFamily);
    if (summary.exhausted)
        fmt::print("the search space holds no further operator: stopped after {} evaluations\n", summary.evaluated);
    if (summary.stopped)
        fmt::print("--max-hours {} reached: stopped after {} evaluations (--resume with a larger --max-hours continues)\n",
                   o.maxHours, summary.evaluated);
    printBest(db, o.top);
    fmt::print("\ndatabase: {}  (syno runs top --db {}; continue with syno search --resume {} --budget N)\n", o.db, o.db,
               o.db);
}

// The search, in order: MPI roles, the run's options (recorded or given), problem and evaluator, the run
// database checked or made, the backend, the driver with its recorder, the summary.
void runSearch(SearchOptions& o, CLI::App& cmd) {
    // Under mpirun or srun: the other ranks only evaluate; rank 0 runs everything below with them as its
    // workers (distributed/MpiBackend.h).
    std::optional<distributed::MpiSession> mpi;
    if (distributed::launchedByMpi()) mpi.emplace();
    if (mpi && mpi->rank() > 0)
        return distributed::serveEvaluations(*mpi, [&](const std::string& spec) { return evaluatorFromSpec(o, spec); });
    std::unique_ptr<distributed::MpiBackend> remote;  // tells the other ranks to stop, whatever happens below
    if (mpi && mpi->size() > 1) {
        remote = std::make_unique<distributed::MpiBackend>(*mpi);
        if (cmd.count("--workers") > 0)
            throw Error("under mpirun each evaluating rank trains one candidate at a time: set their number with "
                        "-np (ranks - 1), not --workers");
    }
    if (!o.report.empty()) {  // refused before any run database is made or touched
        const auto dir = std::filesystem::path(o.report).parent_path();
        if (!std::filesystem::is_directory(dir.empty() ? "." : dir))
            throw Error(fmt::format("--report {}: no directory {}", o.report, dir.string()));
    }

    const bool resuming = !o.resume.empty();
    RecordedRun recorded;
    std::unique_ptr<storage::RunDatabase> db;
    if (resuming) {
        db = openRecordedRun(o, cmd, recorded);
    } else {
        validate(o);
        resolveProblemDefaults(o);
        if (o.batch <= 0) o.batch = remote ? remote->workers() : o.workers;
        if (o.db.empty()) o.db = "syno-search-" + utcNow("%Y%m%d-%H%M%S") + ".db";
    }
    search::RewardOptions reward = o.rewardOptions;
    reward.kind = o.reward;
    search::checkRewardOptions(reward);
    const Problem problem = makeProblem(o);
    auto evaluator = makeEvaluator(o, problem);
    // Every evaluating rank builds its evaluator before the database is made or touched: a rank that cannot
    // (its node lacks the data set) stops the job with one line and nothing written.
    if (remote) remote->start(evaluatorSpec(o), evaluator->fingerprint());
    db = checkOrCreateRun(o, std::move(db), resuming ? &recorded : nullptr, problem, *evaluator, reward);

    const int64_t session = db->beginSession(resuming ? "resume" : "search");
    db->setMeta("settings", json{{"budget", o.budget}, {"workers", o.workers}, {"threads", o.threads},
                                 {"max_hours", o.maxHours}}.dump());
    const int64_t requeued = resuming ? db->requeueRunning() : 0;
    if (!o.quiet)
        fmt::print(stderr, "syno search: {} over {} -> {}, budget {}, {} worker(s), evaluator {}{}; database {}\n",
                   o.algorithm, o.input, o.output, o.budget, remote ? remote->workers() : o.workers, o.evaluator,
                   resuming ? fmt::format(", resuming ({} re-queued)", requeued) : "", o.db);

    std::optional<search::LocalWorkerPool> local;
    if (!remote) local.emplace(*evaluator, o.workers);
    search::EvaluationBackend& backend = remote ? static_cast<search::EvaluationBackend&>(*remote) : *local;
    search::DriverOptions options = driverOptions(o, problem);
    if (o.maxHours > 0) options.stop = timeLimit(*db, o.maxHours);
    auto proposer = makeProposer(o, problem);
    search::SearchDriver driver(*proposer, backend, reward, options);
    ProgressRecorder recorder(*db, o.budget, backend.workers(), !o.quiet && isatty(STDERR_FILENO));
    ReportWriter report(*db, o.report);
    recorder.afterEvaluation = [&] { report.write(false); };
    const search::SearchSummary summary = driver.run(recorder);
    recorder.close();
    if (db->counts().total() > 0) report.write(true);
    db->endSession(session, fmt::format("evaluated {} (replayed {}), failed {}{}", summary.evaluated, summary.replayed,
                                        summary.failed, summary.exhausted ? ", space exhausted" : ""));
    printSummary(o, *db, summary);
}

}  // namespace

void addSearchCommand(CLI::App& app) {
    auto o = std::make_shared<SearchOptions>();
    auto* cmd = app.add_subcommand("search", "Search for operators: MCTS (or random, beam) with evaluations recorded "
                                             "in a resumable SQLite run database");
    auto& s = *o;
    identity(*cmd, s, "algorithm", s.algorithm, "mcts, random or beam");
    identity(*cmd, s, "seed", s.seed, "random seed: the same seed and options give the same candidates in the same order")->check(seedValue());
    identity(*cmd, s, "evaluator", s.evaluator, "train (proxy training on Fashion-MNIST) or synthetic (a cheap "
                                                "deterministic reward, no training)");
    identity(*cmd, s, "model", s.model, "model whose placeholder layers the operator replaces (see syno eval --help)");
    identity(*cmd, s, "data", s.data, "training evaluator: fashion-mnist, cifar10 or cifar100 (real networks)",
             json("fashion-mnist"));
    identity(*cmd, s, "reward", s.reward, "accuracy (the paper's) or speed (faster at bounded accuracy loss)");
    identity(*cmd, s, "reward-lb", s.rewardOptions.lowerBound, "accuracy reward: accuracy at or below it earns 0")->check(bounded(0, 1));
    identity(*cmd, s, "reward-ub", s.rewardOptions.upperBound, "accuracy reward: accuracy at or above it earns 1")->check(bounded(0, 1));
    identity(*cmd, s, "reward-power", s.rewardOptions.power, "accuracy reward: power of the normalized accuracy")->check(bounded(0.01, 100));
    identity(*cmd, s, "max-accuracy-loss", s.rewardOptions.maxAccuracyLoss, "speed reward: accuracy loss tolerated vs the baseline")->check(bounded(0, 1));
    identity(*cmd, s, "target-speedup", s.rewardOptions.targetSpeedup, "speed reward: the speedup that earns full reward")->check(bounded(1, 1000));
    identity(*cmd, s, "batch", s.batch, "candidates in flight at once (0: --workers); part of the run's identity, "
                                        "unlike --workers")->check(bounded(0, 4096));
    identity(*cmd, s, "input", s.input, "input shape (default: the model's placeholder, or the conv space)");
    identity(*cmd, s, "output", s.output, "output shape (default: as --input)");
    identity(*cmd, s, "primary", s.primary, "primary variables (default: the model's)");
    identity(*cmd, s, "coef", s.coef, "coefficient variables (default: the model's)");
    identity(*cmd, s, "bindings", s.bindings, "values per layer (default: the model's placeholders)")->check(notBlank());
    identity(*cmd, s, "fixed", s.fixed, "variable passed from output to input untouched");
    identity(*cmd, s, "beam-width", s.beamWidth, "beam search: nodes kept per level")->check(bounded(1, 4096));
    identity(*cmd, s, "beam-probes", s.beamProbes, "beam search: random operators scoring each child")->check(bounded(1, 1000));
    identity(*cmd, s, "failure-rate", s.failureRate, "synthetic evaluator: share of operators that fail")->check(bounded(0, 1));
    identity(*cmd, s, "epochs", s.epochs, "training evaluator: epochs (-1: the proxy budget's)")->check(bounded(-1, 1000));
    identity(*cmd, s, "subset", s.subset, "training evaluator: training images (-1: the proxy budget's)")->check(bounded(-1, 100000000));
    identity(*cmd, s, "time-limit", s.timeLimit, "training evaluator: seconds per candidate before it counts as failed")->check(bounded(0, 1000000));
    forEachSynthesisFlag(s.synth, [&](const std::string& name, auto& field, const std::string& help, double lo, double hi) {
        identity(*cmd, s, name, field, help)->check(bounded(lo, hi));
    });
    identityFlag(*cmd, s, "keep-over-parametrised", s.keepOverParametrised,
                 "keep operators whose two weights multiply into a product one weight would express (skipped by "
                 "default: more parameters and FLOPs for the same functions)", json(true));
    identityFlag(*cmd, s, "keep-functional-duplicates", s.keepFunctionalDuplicates,
                 "train an operator whose family of functions equals one already trained up to reparametrising "
                 "its weights (skipped by default: it learns nothing new)", json(true));
    internalIdentity(s, "synthesis-skips-over-parametrised", s.synthesisSkipsOverParametrised, json(false));
    internalIdentity(s, "synthesis-bounds-flops-from-above", s.synthesisBoundsFlopsFromAbove, json(false));
    internalIdentity(s, "synthesis-stages-each-binding", s.synthesisStagesEachBinding, json(false));
    internalIdentity(s, "synthesis-rules-revision", s.synthesisRulesRevision, json(1));
    internalIdentity(s, "synthesis-descent-restart-after", s.synthesisDescentRestartAfter, json(0));
    identity(*cmd, s, "max-flops-ratio", s.maxFlopsRatio, "largest FLOPs relative to the layers replaced (the model's "
                                                          "original layers, else conv2d on the bindings; 0: no bound)")->check(bounded(0, 100));
    identity(*cmd, s, "min-flops-ratio", s.minFlopsRatio, "smallest FLOPs relative to the layers replaced (0: no bound)",
             json(0.0))->check(bounded(0, 100));
    identity(*cmd, s, "min-speedup", s.minSpeedup, "training evaluator: a candidate whose whole-network latency "
                                                   "ratio at batch 1 is below this is not trained (0: train all)",
             json(0.0))->check(bounded(0, 100));
    identity(*cmd, s, "kill-margin", s.killMargin, "training evaluator: stop a candidate whose validation accuracy "
                                                   "after an epoch is this far below the baseline's (0: never)",
             json(0.0))->check(bounded(0, 0.99));
    identity(*cmd, s, "latency-runs", s.latencyRuns, "training evaluator: interleaved latency rounds per candidate",
             json(20))->check(bounded(1, 10000));
    identity(*cmd, s, "latency-weight", s.rewardOptions.latencyWeight, "speed reward: share of measured latency "
                                                                       "(vs FLOPs) in the speedup it rewards",
             json(0.75))->check(bounded(0, 1));
    cmd->add_option("--budget", s.budget, "evaluations in the run (done or failed), resumed ones included; on --resume, "
                                          "raise it to continue further")
        ->capture_default_str()
        ->check(bounded(1, 10'000'000));
    cmd->add_option("--max-hours", s.maxHours, "stop once the run's evaluations (over all its sessions) took this "
                                               "many hours (0: no limit); --resume with more continues")
        ->capture_default_str()
        ->check(bounded(0, 10000));
    cmd->add_option("--quiet-wait", s.quietWait, "training evaluator: the most a latency point may spend waiting "
                                                 "for other processes to go quiet (before timing, and again while "
                                                 "its attempts come out busy; a point still noisy is timed again "
                                                 "after training)")
        ->capture_default_str()
        ->check(bounded(0, 86400));
    cmd->add_option("--data-dir", s.dataDir, "training evaluator: the data set's folder (default: Debian's "
                                             "Fashion-MNIST; CIFAR: its binary distribution)");
    cmd->add_option("--workers", s.workers, "evaluations running at once on this machine (under mpirun: the ranks "
                                            "but 0 evaluate, one candidate each at a time)")->capture_default_str()->check(bounded(1, 256));
    s.threads = defaultThreads(s.threads);
    cmd->add_option("--threads", s.threads, "training evaluator: libtorch threads per evaluation")
        ->capture_default_str()
        ->check(threadCount());
    cmd->add_option("--db", s.db, "run database to create (default: syno-search-<UTC time>.db here)");
    cmd->add_option("--resume", s.resume, "continue the run in this database (its options are reused; options given "
                                          "must match)");
    cmd->add_option("--report", s.report, "an HTML page of the run (as syno report writes) rewritten after each "
                                          "evaluation (at most once a second) and at the end: reload it to watch");
    cmd->add_flag("--wait-lock", s.waitLock, "with --resume: wait for another process writing the run to end instead "
                                             "of refusing");
    cmd->add_option("--synthetic-delay", s.delay, "synthetic evaluator: seconds per evaluation (results unchanged)")
        ->capture_default_str()
        ->check(bounded(0, 3600));
    cmd->add_option("--top", s.top, "best operators printed at the end")->capture_default_str()->check(bounded(0, 1000));
    cmd->add_flag("-q,--quiet", s.quiet, "no progress bar or header");
    cmd->footer("Examples:\n"
                "  syno search                                      a short real search (ResNet placeholders, Fashion-MNIST)\n"
                "  syno search --budget 40 --workers 2 --db run.db  a longer one, two candidates trained at once\n"
                "  syno search --resume run.db --budget 80          continue it (killed or finished) up to 80 evaluations\n"
                "  syno search --evaluator synthetic --budget 200 --algorithm random --db r.db   no training\n"
                "  syno search --reward speed --max-accuracy-loss 0.01   faster operators at <= 1% accuracy loss\n"
                "  syno search --model resnet18 --reward speed --min-speedup 1.2 --kill-margin 0.05 --db r18.db\n"
                "                                                   ResNet-18: latency at 224x224 first, then training\n"
                "  syno search --evaluator synthetic --budget 200 --db s.db --report s.html   watch it in a browser\n"
                "  syno runs top --db run.db                        inspect without resuming\n"
                "  mpirun -np 9 syno search --budget 400 --batch 8 --db run.db\n"
                "                                                   rank 0 searches, 8 ranks train (docs/distributed.md)");
    cmd->callback([o, cmd] { runSearch(*o, *cmd); });
}

}  // namespace syno::cli
