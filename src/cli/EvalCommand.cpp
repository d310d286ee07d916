// `syno eval`: train a model whose placeholders run an operator (from a file or the library) on
// Fashion-MNIST at a budget, and print its accuracy, FLOPs, parameters and latency against the same model
// with its original layers, trained and timed in the same run.
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/AtomicFile.h"
#include "base/Error.h"
#include "base/ReadFile.h"
#include "cli/Commands.h"
#include "cli/Options.h"
#include "evaluation/FashionMnist.h"
#include "evaluation/ModelCatalog.h"
#include "evaluation/TrainingEvaluator.h"
#include "ir/Library.h"
#include "ir/TextForm.h"

namespace syno::cli {

namespace {

struct EvalCommandOptions {
    evaluation::EvalSettings settings;
    std::string file, library;
    bool baseline = false, spec = false, noLatency = false, skipBaseline = false, latencyOnly = false;
    std::string json;  // write the report here as JSON (atomically)
};

nlohmann::json jsonNumber(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

// Refuses a path whose folder does not exist, before any work.
void checkWritable(const std::string& path) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (!dir.empty() && !std::filesystem::is_directory(dir))
        throw Error(fmt::format("cannot write {}: no directory {}", path, dir.string()));
}

// Creates the folder when missing; one line when that is impossible or it cannot be written.
void checkDirectory(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec || !std::filesystem::is_directory(path))
        throw Error(fmt::format("cannot use {} as a folder: {}", path, ec ? ec.message() : "not a directory"));
    if (::access(path.c_str(), W_OK) != 0) throw Error(fmt::format("cannot write into {}: {}", path, std::strerror(errno)));
}

// The exported network's sidecar (written by training) gains what was measured after it: FLOPs and the
// deployment latency against the original network.
void completeSidecar(const std::string& exportPath, const evaluation::EvalReport& rep) {
    const std::string path = exportPath + ".json";
    nlohmann::json j = nlohmann::json::parse(readInputFile(path, "the exported network's sidecar"));
    j["flops"] = jsonNumber(rep.outcome.metrics.flops);
    j["flops_ratio"] = jsonNumber(rep.outcome.metrics.flopsRatio);
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : rep.latency.points)
        points.push_back(nlohmann::json{{"batch", p.batch}, {"threads", p.threads}, {"ms", jsonNumber(p.ms)},
                                        {"baseline_ms", jsonNumber(p.baselineMs)}, {"ratio", jsonNumber(p.ratio)},
                                        {"spread", jsonNumber(p.spread)}, {"noisy", p.noisy},
                                        {"estimator", p.estimator}});
    j["latency"] = points;
    writeFileAtomically(path, j.dump(2) + "\n");
}


nlohmann::json metricsJson(const search::Metrics& m) {
    return {{"accuracy", jsonNumber(m.accuracy)},         {"test_accuracy", jsonNumber(m.testAccuracy)},
            {"baseline_accuracy", jsonNumber(m.baselineAccuracy)}, {"flops", jsonNumber(m.flops)},
            {"flops_ratio", jsonNumber(m.flopsRatio)},     {"params", jsonNumber(m.params)},
            {"latency_ms", jsonNumber(m.latencyMs)},       {"latency_ratio", jsonNumber(m.latencyRatio)},
            {"train_seconds", jsonNumber(m.trainSeconds)}};
}

// What `--json` writes: the run's identity, the outcome, its metrics and the evaluator's details.
void writeReportJson(const EvalCommandOptions& o, const std::string& budget, const std::optional<Operator>& op,
                     const evaluation::EvalReport& rep, bool baselineTrained) {
    nlohmann::json j{{"syno_version", SYNO_VERSION},
                     {"model", o.settings.model},
                     {"budget", budget},
                     {"seed", o.settings.seed},
                     {"ok", rep.outcome.ok},
                     {"metrics", metricsJson(rep.outcome.metrics)}};
    if (op) j["operator"] = {{"id", op->idHex()}, {"library", o.library}, {"text", printOperator(*op)}};
    if (!rep.outcome.ok) j["failure"] = rep.outcome.failure;
    if (baselineTrained) j["baseline"] = metricsJson(rep.baseline);
    if (!rep.outcome.details.empty()) j["details"] = nlohmann::json::parse(rep.outcome.details);
    writeFileAtomically(o.json, j.dump(2) + "\n");
}

std::string percent(double v) { return std::isnan(v) ? "-" : fmt::format("{:.2f}%", 100 * v); }
std::string number(double v, const char* unit) {
    if (std::isnan(v)) return "-";
    if (v >= 1e6) return fmt::format("{:.2f} M{}", v / 1e6, unit);
    if (v >= 1e3) return fmt::format("{:.1f} k{}", v / 1e3, unit);
    return fmt::format("{:.0f} {}", v, unit);
}
std::string ms(double v) { return std::isnan(v) ? "-" : fmt::format("{:.3f} ms", v); }
std::string seconds(double v) { return std::isnan(v) ? "-" : fmt::format("{:.1f} s", v); }

void row(const std::string& what, const std::string& base, const std::string& mine, const std::string& ratio) {
    fmt::print("{:<20} {:>12} {:>12}   {}\n", what, base, mine, ratio);
}

std::string ratioText(double baseline, double mine, const char* better, const char* worse) {
    if (std::isnan(baseline) || std::isnan(mine) || mine <= 0) return "";
    const double r = baseline / mine;
    return r >= 1 ? fmt::format("{:.2f}x {}", r, better) : fmt::format("{:.2f}x {}", 1 / r, worse);
}

void printSpec(const std::string& model) {
    const auto layout = evaluation::modelLayout(model);
    fmt::print("# the placeholders of model {} ({} of them), as `syno sample` options:\n", model, layout.slots.size());
    fmt::print("--primary '{}' --coef '{}' \\\n  --input '{}' --output '{}' \\\n  --bindings '{}'\n", layout.spec.primaries,
               layout.spec.coefficients, layout.spec.input, layout.spec.output, layout.spec.bindings);
}

std::string latencyLabel(const evaluation::LatencyPoint& p) {
    return fmt::format("latency b{} t{}", p.batch, p.threads);
}

std::string latencyNote(const evaluation::LatencyPoint& p, bool withRatio) {
    std::string r = withRatio ? ratioText(p.baselineMs, p.ms, "faster", "slower") + " " : "";
    r += fmt::format("(spread {:.1f}%", 100 * p.spread);
    if (p.otherCores > 0.05) r += fmt::format(", others used {:.2f} cores", p.otherCores);
    if (p.attempts > 1) r += fmt::format(", {} attempts", p.attempts);
    return r + (p.noisy ? ", NOISY: fastest rounds)" : ")");
}

void printLatency(const evaluation::ModelLatency& lat, bool withOperator) {
    for (const auto& p : lat.points)
        row(latencyLabel(p), ms(p.baselineMs), withOperator ? ms(p.ms) : "", latencyNote(p, withOperator));
}

// Each kind of placeholder alone: which layers the operator speeds up.
void printPlaceholders(const std::vector<evaluation::PlaceholderLatency>& layers) {
    if (!layers.empty()) fmt::print("each placeholder alone at batch 1 (output map @side, s2: strided, xN: slots):\n");
    for (const auto& p : layers)
        row(fmt::format("  {} x{}", p.layer, p.slots), ms(p.baselineMs), ms(p.ms),
            ratioText(p.baselineMs, p.ms, "faster", "slower") + fmt::format(" (spread {:.1f}%{})", 100 * p.spread,
                                                                             p.noisy ? ", NOISY: fastest rounds" : ""));
}

// Deployment latency alone: no data set, no training.
void runLatencyOnly(const EvalCommandOptions& o, const std::optional<Operator>& op) {
    if (o.settings.threads < 1 || o.settings.threads > 256)
        throw Error(fmt::format("--threads must lie in [1, 256], not {}", o.settings.threads));
    const auto deployment = evaluation::modelLayout(o.settings.model, evaluation::Instance::Deployment);
    evaluation::LatencySettings ls;
    ls.rounds = o.settings.latencyRuns;
    ls.quietWaitSeconds = o.settings.quietWaitSeconds;
    ls.batches = o.settings.latencyBatches;
    ls.threads = o.settings.latencyThreads.empty() ? std::vector<int>{o.settings.threads} : o.settings.latencyThreads;
    std::optional<SizeContext> ctx;
    if (op) ctx = evaluation::placeholderContext(deployment, *op);
    fmt::print("# model {} (deployment: {}x{}x{}, {} placeholders), {} interleaved rounds per point\n", deployment.name,
               deployment.inChannels, deployment.imageSize, deployment.imageSize, deployment.slots.size(), ls.rounds);
    std::fflush(stdout);
    evaluation::EvalReport rep;
    rep.latency = evaluation::measureModelLatency(deployment, op ? &*op : nullptr, op ? &*ctx : nullptr, ls);
    if (op) rep.placeholders = evaluation::measurePlaceholderLatency(deployment, *op, *ctx, ls);
    rep.outcome.ok = true;
    if (const auto* p = rep.latency.find(ls.batches.front(), ls.threads.front())) {
        rep.outcome.metrics.latencyMs = op ? p->ms : p->baselineMs;
        rep.outcome.metrics.latencyRatio = op ? p->ratio : 1;
    }
    rep.outcome.details = evaluation::detailsJson(rep);
    if (!o.json.empty()) writeReportJson(o, "latency-only", op, rep, false);
    row("", "baseline", op ? "operator" : "", "");
    printLatency(rep.latency, op.has_value());
    printPlaceholders(rep.placeholders);
}

void runEvalCommand(EvalCommandOptions o) {
    if (o.spec) return printSpec(o.settings.model);
    if (!o.json.empty()) checkWritable(o.json);
    if (!o.settings.exportPath.empty()) {
        checkWritable(o.settings.exportPath);
        if (o.latencyOnly) throw Error("--export needs a trained network: it cannot go with --latency-only");
    }
    if (!o.settings.checkpointDir.empty()) {
        if (o.latencyOnly) throw Error("--checkpoint-dir needs a training: it cannot go with --latency-only");
        checkDirectory(o.settings.checkpointDir);
    }
    const int sources = int(!o.file.empty()) + int(!o.library.empty()) + int(o.baseline);
    if (sources != 1 && !(o.latencyOnly && sources == 0))
        throw Error("give exactly one of --op FILE, --library NAME or --baseline (or --spec)");
    if (o.baseline && o.skipBaseline) throw Error("--skip-baseline cannot go with --baseline");
    if (o.latencyOnly && o.noLatency) throw Error("--latency-only cannot go with --no-latency");
    o.settings.measureLatency = !o.noLatency;
    o.settings.trainBaseline = !o.skipBaseline;
    o.settings.progress = true;
    // Build the candidate before loading anything: a bad operator fails in a moment, with one line.
    const auto layout = evaluation::modelLayout(o.settings.model);
    const VariableTable vars = evaluation::placeholderVariables(layout.spec);
    std::optional<Operator> op;
    if (!o.library.empty()) op = library::byName(o.library, vars);
    if (!o.file.empty()) op = loadOperatorFile(o.file, &vars);
    if (op) evaluation::placeholderContext(layout, *op);  // throws when it does not fit the placeholders
    if (o.latencyOnly) return runLatencyOnly(o, op);

    evaluation::TrainingEvaluator evaluator(o.settings);
    const auto& b = evaluator.budget();
    fmt::print("# model {}: {} placeholder(s), coefficients {}\n", layout.name, layout.slots.size(),
               layout.spec.coefficients);
    fmt::print("# budget {}: {} epoch(s) of {} images, batch {}, {} validation images, seed {}, {} thread(s)\n", b.name,
               b.epochs, b.subset, b.batch, b.validation, b.seed, b.threads);
    std::fflush(stdout);
    evaluation::EvalReport rep;
    if (op) {
        search::Candidate c{printOperator(*op), op->idHex(), ""};
        rep = evaluator.report(c);
        fmt::print("# operator {}{}\n", op->idHex(), o.library.empty() ? "" : " (library " + o.library + ")");
    } else {
        rep = evaluator.baselineReport();
    }
    if (!o.json.empty()) writeReportJson(o, b.describe(), op, rep, !op || o.settings.trainBaseline);
    if (!rep.outcome.ok)
        throw Error(fmt::format("{} failed: {}", op ? "the operator" : "the baseline", rep.outcome.failure));
    if (!o.settings.exportPath.empty()) {
        completeSidecar(o.settings.exportPath, rep);
        fmt::print("# exported the trained network to {} (TorchScript) and {}.json\n", o.settings.exportPath,
                   o.settings.exportPath);
    }
    const auto& m = rep.outcome.metrics;
    const auto& base = rep.baseline;
    if (!op) {
        row("", "baseline", "", "");
        row("best validation", percent(base.accuracy), "", "");
        row("test accuracy", percent(base.testAccuracy), "", "");
        row("FLOPs / image", number(base.flops, ""), "", "");
        row("parameters", number(base.params, ""), "", "");
        printLatency(rep.latency, false);
        row("training time", seconds(base.trainSeconds), "", "");
        return;
    }
    auto points = [](double mine, double theirs) {
        return std::isnan(mine) || std::isnan(theirs) ? std::string() : fmt::format("{:+.2f} points", 100 * (mine - theirs));
    };
    row("", "baseline", "operator", "");
    row("best validation", percent(base.accuracy), percent(m.accuracy), points(m.accuracy, base.accuracy));
    row("test accuracy", percent(base.testAccuracy), percent(m.testAccuracy), points(m.testAccuracy, base.testAccuracy));
    row("FLOPs / image", number(base.flops, ""), number(m.flops, ""), ratioText(base.flops, m.flops, "fewer", "more"));
    row("parameters", number(base.params, ""), number(m.params, ""), ratioText(base.params, m.params, "fewer", "more"));
    printLatency(rep.latency, true);
    printPlaceholders(rep.placeholders);
    row("training time", seconds(base.trainSeconds), seconds(m.trainSeconds), "");
}

}  // namespace

void addEvalCommand(CLI::App& app) {
    auto o = std::make_shared<EvalCommandOptions>();
    auto* cmd = app.add_subcommand(
        "eval", "Train a model with an operator in its placeholders on Fashion-MNIST; compare it with the original model");
    auto& s = o->settings;
    cmd->add_option("--model", s.model, std::string("model with placeholders: ") + evaluation::modelNames())
        ->capture_default_str();
    cmd->add_option("--op", o->file, "operator file (text or JSON form) to put in every placeholder");
    cmd->add_option("--library", o->library, std::string("a known layer instead of --op: ") + library::names());
    cmd->add_flag("--baseline", o->baseline, "train and measure only the original model");
    cmd->add_flag("--spec", o->spec, "print what the model's placeholders ask of an operator (syno sample options)");
    cmd->add_option("--budget", s.budget, "proxy (inside the search, ~1 min) or final (re-training the best)")
        ->capture_default_str();
    cmd->add_option("--epochs", s.epochs, "epochs (default: the budget's)")->check(bounded(-1, 1000));
    cmd->add_option("--subset", s.subset, "training images (default: the budget's)")->check(bounded(-1, 100000000));
    cmd->add_option("--batch", s.batch, "batch size (default: the budget's)")->check(bounded(-1, 65536));
    cmd->add_option("--lr", s.maxLr, "peak learning rate of the one-cycle schedule (default: the budget's, 0.1)")
        ->check(bounded(-1, 10));
    s.threads = defaultThreads(s.threads);
    cmd->add_option("--threads", s.threads, "libtorch intra-op threads")->capture_default_str()->check(threadCount());
    cmd->add_option("--time-limit", s.timeLimitSeconds, "seconds of training before it stops as a failure (0: none)")
        ->capture_default_str()->check(bounded(0, 1000000));
    cmd->add_option("--seed", s.seed, "seed of initialisation, order and augmentation (same seed, same numbers)")
        ->capture_default_str()->check(seedValue());
    cmd->add_option("--data", s.dataSet, std::string("training data: ") + evaluation::dataSetNames() +
                                             " (CIFAR: real networks only)")
        ->capture_default_str();
    cmd->add_option("--data-dir", s.dataDir, "the data set's folder (default: Debian's dataset-fashion-mnist; CIFAR: "
                                             "its binary distribution, cifar-10-batches-bin or cifar-100-binary)");
    cmd->add_option("--latency-runs", s.latencyRuns, "interleaved rounds per batch and thread count (medians)")
        ->capture_default_str()
        ->check(bounded(1, 10000));
    cmd->add_option("--latency-batches", s.latencyBatches, "batch sizes timed (comma-separated)")
        ->delimiter(',')
        ->capture_default_str()
        ->check(bounded(1, 4096));
    cmd->add_option("--latency-threads", s.latencyThreads, "thread counts timed (comma-separated; default: --threads)")
        ->delimiter(',')
        ->check(threadCount());
    cmd->add_option("--quiet-wait", s.quietWaitSeconds,
                    "the most each point may spend waiting for other processes to go quiet: before it is timed, and again while its attempts come out busy or wide")
        ->capture_default_str()
        ->check(bounded(0.0, 86400.0));
    cmd->add_flag("--no-latency", o->noLatency, "skip the latency measurement");
    cmd->add_flag("--latency-only", o->latencyOnly,
                  "only time the deployment instance against the original network (no data set, no training)");
    cmd->add_option("--min-speedup", s.minSpeedup,
                    "do not train an operator whose batch-1 latency ratio is clearly below this (0: train every one)")
        ->capture_default_str()
        ->check(bounded(0.0, 100.0));
    cmd->add_option("--kill-margin", s.killMargin,
                    "stop training when validation accuracy after an epoch is this far below the baseline's "
                    "after the same epoch (0: never)")
        ->capture_default_str()
        ->check(bounded(0.0, 0.99));
    cmd->add_option("--json", o->json, "also write the report as JSON to this file (replaced atomically)");
    cmd->add_option("--export", o->settings.exportPath,
                    "save the trained network (the operator in its placeholders; the original with --baseline) as a "
                    "TorchScript archive, loadable with torch.jit.load without syno, and PATH.json beside it: "
                    "accuracy, FLOPs, latency, normalisation, operator, seed and the first 1,000 test predictions")
        ->check(notBlank());
    cmd->add_option("--checkpoint-dir", o->settings.checkpointDir,
                    "save each training's state here after every epoch (created if missing) and resume from it: run "
                    "the same command again after a kill and it goes on after the last finished epoch, with the "
                    "same numbers; a training's file is removed once it has its result")
        ->check(notBlank());
    cmd->add_flag("--skip-baseline", o->skipBaseline,
                  "do not train the original model (no accuracy comparison): for sweeps over many operators");
    cmd->footer(fmt::format(
        "Models ({}):\n"
        "  resnet18, resnet34, resnext29 (2x64d), densenet121: torchvision's layouts, each in two instances of\n"
        "          the same blocks and widths: deployment (224x224x3, ImageNet stem; latency is timed here) and\n"
        "          training (Fashion-MNIST padded to 32x32, 3x3 stem + max pool; accuracy is measured here).\n"
        "          Every 3x3 conv is a placeholder (ResNeXt's grouped one too); a strided one is 2x2 average\n"
        "          pooling then a placeholder. One operator must fit both instances' bindings (`--spec`).\n"
        "  resnet  3x3 stem, 3 stages of one basic block (widths 16/32/64 at 28/14/7), 6 placeholders; a\n"
        "          strided conv is 2x2 average pooling followed by a placeholder, as in the paper\n"
        "  vgg     3x3 stem, 2 placeholders per stage (16/32/64 at 28/14/7), average pooling between stages\n"
        "  mlp     linear placeholders 784->256 and 256->256 ([N, C_in] -> [N, C_out]), then a classifier\n"
        "Every same-padding 3x3 stride-1 conv (every hidden linear for mlp) is a placeholder with its own binding;\n"
        "all run the one operator. The stem (1 input channel) and the classifier stay original. The operator maps\n"
        "[N, C_in, H, W] -> [N, C_out, H, W] (H = W) with coefficients k=3, s=2, g=4 (mlp: s=2, g=4): g*s = 8\n"
        "divides every channel count, so grouped layers and the paper's Operators 1 and 2 fit; `--spec` prints it.\n"
        "Budgets (SGD + Nesterov, one-cycle LR peak 0.1, weight decay 5e-4, flip + 2-px shift; a NaN/inf loss, a\n"
        "loss still at chance half-way through epoch 1, validation below 25% after epoch 1, or the time limit\n"
        "stop training as a failure):\n"
        "  {}\n"
        "Latency: whole-network inference of the deployment instance (224x224 for the real networks), the\n"
        "original network timed in the same run, --latency-runs interleaved rounds per batch and thread count;\n"
        "the ratio of the medians, with the spread of the per-round ratios. A busy machine or a wide spread is\n"
        "re-measured after a pause (after a wait for quiet, with --quiet-wait) and flagged NOISY when it stays\n"
        "so; a NOISY ratio is of the fastest rounds, which a neighbour disturbs least.\n"
        "Examples:\n"
        "  syno eval --model resnet --baseline --budget final\n"
        "  syno eval --model resnet --library operator2\n"
        "  syno eval --model resnet --op op.txt --budget final --threads 2\n"
        "  syno eval --model mlp --library linear --epochs 1 --subset 5000\n"
        "  syno eval --model vgg --spec\n"
        "  syno eval --model resnet18 --library operator2 --latency-only --latency-threads 1,2\n"
        "  syno eval --model resnet18 --op op.txt --budget final --kill-margin 0.05\n"
        "  syno eval --model resnet18 --baseline --data cifar10 --data-dir ~/cifar-10-batches-bin\n"
        "  syno eval --model resnet --library operator2 --export net.pt   # then in Python: torch.jit.load('net.pt')",
        evaluation::modelNames(), evaluation::budgetHelp()));
    cmd->callback([o] { runEvalCommand(*o); });
}

}  // namespace syno::cli
