// `syno sample`: build the search space for an input/output shape pair and draw operators from it
// (random descent or exhaustive enumeration), or locate a hand-built operator in it.
#include <algorithm>
#include <chrono>
#include <optional>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/Error.h"
#include "cli/Commands.h"
#include "cli/Options.h"
#include "cli/SynthesisFlags.h"
#include "ir/TextForm.h"
#include "semantics/LoopPrinter.h"
#include "synthesis/Distance.h"
#include "synthesis/FunctionalFingerprint.h"
#include "synthesis/Problem.h"
#include "synthesis/OverParametrised.h"
#include "synthesis/ParallelSample.h"
#include "synthesis/Space.h"

namespace syno::cli {

namespace {

struct SampleOptions {
    std::string input = kSmallConvSpace.input;
    std::string output = kSmallConvSpace.output;
    VariableOptions vars;
    SynthesisOptions synth;
    int count = 20;
    uint64_t seed = 1;
    std::string mode = "uniform";
    bool enumerate = false, loops = false, json = false, stats = false;
    std::string pathOf, follow;
    std::string fixed = "N";
    size_t maxNodes = 2'000'000;
    double minFlopsRatio = 0, maxFlopsRatio = 0;  // of denseConvFlops; 0: no bound
    int threads = 1;
};

// The problem with its FLOPs window narrowed by --min/--max-flops-ratio of a dense 3x3 conv.
Problem windowed(const SampleOptions& o, Problem plain) {
    if (o.minFlopsRatio <= 0 && o.maxFlopsRatio <= 0) return plain;
    const double reference = denseConvFlops(plain);
    if (reference <= 0) throw Error("--min/--max-flops-ratio need shapes with channels at position 1 and spatial dims after");
    const SynthesisOptions synth = withFlopsWindow(o.synth, reference, o.minFlopsRatio, o.maxFlopsRatio);
    if (synth.minFlops > synth.maxFlops)
        throw Error(fmt::format("the FLOPs window is empty: at least {:.4g} and at most {:.4g}", synth.minFlops, synth.maxFlops));
    return Problem::make(plain.ctx, o.input, o.output, synth, o.fixed);
}

// Quantiles of the returned operators' FLOPs against a dense 3x3 conv's, and a histogram on a log scale.
void printFlopsRatios(const Problem& problem, const std::vector<Sampled>& found) {
    const double reference = denseConvFlops(problem);
    if (reference <= 0 || found.empty()) return;
    std::vector<double> r;
    for (const auto& f : found) r.push_back(f.flops / reference);
    std::sort(r.begin(), r.end());
    auto q = [&r](double p) { return r[static_cast<size_t>(p * static_cast<double>(r.size() - 1) + 0.5)]; };
    fmt::print("  FLOPs against a dense 3x3 conv ({:.4g}): min {:.3f}x, 10% {:.3f}x, median {:.3f}x, 90% {:.3f}x, max {:.3f}x\n",
               reference, r.front(), q(0.1), q(0.5), q(0.9), r.back());
    const double edges[] = {0, 0.01, 0.05, 0.15, 0.3, 0.5, 0.9, 1.5, 1e300};
    fmt::print("   ");
    for (size_t i = 0; i + 1 < std::size(edges); ++i) {
        const auto n = std::count_if(r.begin(), r.end(), [&](double x) { return x >= edges[i] && x < edges[i + 1]; });
        if (i + 2 < std::size(edges)) fmt::print(" [{}, {}) {}", edges[i], edges[i + 1], n);
        else fmt::print(" >= {} {}\n", edges[i], n);
    }
}

void printStats(const Problem& problem, const SynthesisStats& s, size_t nodeCount, const std::vector<Sampled>& found,
                double seconds) {
    fmt::print("\nstatistics ({:.3f} s):\n", seconds);
    fmt::print("  partial operators expanded {}, nodes in the DAG {}, edges kept {}\n", s.nodes, nodeCount, s.edges);
    fmt::print("  finished operators built {}, dead ends {} ({} descents begun again), structural duplicates among "
               "returned {}\n",
               s.finals, s.deadEnds, s.restarts, s.duplicates);
    // Functional duplicates: same family of functions up to reparametrising the weights (FunctionalFingerprint.h).
    // Operators of more than kStatsTerms loop points at a probe are left out: a second or more each.
    constexpr int64_t kStatsTerms = 10'000'000;
    const SizeContext probes = fingerprintProbes(problem);
    std::set<uint64_t> families;
    size_t fingerprinted = 0;
    for (const auto& f : found)
        if (const auto fp = functionalFingerprint(f.op, probes, kStatsTerms)) {
            ++fingerprinted;
            families.insert(*fp);
        }
    fmt::print("  functional duplicates among returned {} ({} families in {} fingerprinted at {} and {}; {} without "
               "a fingerprint: too large at the probes or not divisible there)\n",
               fingerprinted - families.size(), families.size(), fingerprinted, probes.describeBinding(0),
               probes.describeBinding(1), found.size() - fingerprinted);
    int over = 0;
    for (const auto& f : found) over += overParametrised(f.op, problem.ctx).has_value();
    fmt::print("  over-parametrised among returned {} (two weights one weight would express; syno search and --skip-over-parametrised drop them)\n",
               over);
    fmt::print("  pruned:");
    for (int p = 0; p < kPruneCount; ++p) fmt::print(" {} {}{}", pruneName(static_cast<Prune>(p)), s.pruned[static_cast<size_t>(p)], p + 1 < kPruneCount ? "," : "\n");
    printFlopsRatios(problem, found);
    fmt::print("  canonicalization rules fired:\n");
    for (int r = 0; r < kRuleCount; ++r)
        if (s.rules[static_cast<size_t>(r)] > 0)
            fmt::print("    {:<26} {:>10}  ({})\n", ruleName(static_cast<Rule>(r)), s.rules[static_cast<size_t>(r)],
                       ruleDoc(static_cast<Rule>(r)));
}

void runSample(const SampleOptions& o) {
    auto start = std::chrono::steady_clock::now();
    const Problem problem = windowed(o, Problem::make(o.vars.context(), o.input, o.output, o.synth, o.fixed));
    Space space(problem);
    space.setNodeLimit(o.maxNodes);
    if (o.mode != "uniform" && o.mode != "type-first") throw Error(fmt::format("unknown --mode '{}' (uniform, type-first)", o.mode));
    SampleMode mode = o.mode == "uniform" ? SampleMode::Uniform : SampleMode::TypeFirst;

    std::vector<Sampled> found;
    std::optional<ParallelSample> parallel;  // --threads above 1: the threads' own spaces and their stats
    if (o.threads > 1 && (!o.pathOf.empty() || !o.follow.empty() || o.enumerate))
        throw Error("--threads applies to random sampling, not to --enumerate, --path-of or --follow");
    if (!o.pathOf.empty()) {
        Operator target = loadOperatorFile(o.pathOf, &problem.ctx.vars());
        auto path = space.pathOf(target);
        if (!path) throw Error(fmt::format("operator {} is not in this search space (check --depth and the limits)", target.idHex()));
        found.push_back(space.follow(*path));
    } else if (!o.follow.empty()) {
        found.push_back(space.follow(Path::parse(o.follow)));
    } else if (o.enumerate) {
        found = space.enumerate(static_cast<size_t>(o.count));
    } else if (o.threads > 1) {
        ParallelSample p = sampleOnThreads(problem, o.count, o.seed, mode, o.threads, o.maxNodes);
        found = std::move(p.found);
        parallel = std::move(p);
    } else {
        found = space.sample(o.count, o.seed, mode);
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const bool exhausted = parallel ? parallel->budgetExhausted : space.budgetExhausted();
    if (found.empty() && exhausted)
        throw Error(fmt::format("the search space grew past {} partial operators without finishing one: tighten the "
                                "limits (--depth, --max-*) or raise --max-nodes", o.maxNodes));
    if (found.empty()) {
        int dist = space.rootDistance();
        throw Error(fmt::format("no operator maps {} to {} within depth {}{}", o.input, o.output, problem.options.depth,
                                dist >= kUnreachable ? " (a variable of one shape cannot be placed in the other)"
                                : dist > problem.options.depth ? fmt::format(" (at least {} steps are needed)", dist)
                                                               : " under these limits"));
    }
    if (o.json) {
        nlohmann::ordered_json arr = nlohmann::ordered_json::array();
        for (const auto& s : found) {
            nlohmann::ordered_json j;
            j["id"] = s.op.idHex();
            j["canonical"] = fmt::format("{:016x}", s.canonical);
            j["path"] = s.path.serialize();
            j["steps"] = s.stepTexts;
            j["flops"] = s.flops;
            j["params"] = s.params;
            j["operator"] = nlohmann::ordered_json::parse(operatorToJson(s.op, -1));
            arr.push_back(j);
        }
        fmt::print("{}\n", arr.dump(2));
    } else {
        for (size_t i = 0; i < found.size(); ++i) {
            const auto& s = found[i];
            fmt::print("# operator {} of {}: id {}  FLOPs {:.4g}  params {:.4g}\n# steps: ", i + 1, found.size(), s.op.idHex(),
                       s.flops, s.params);
            for (size_t k = 0; k < s.stepTexts.size(); ++k) fmt::print("{}{}", k ? " ; " : "", s.stepTexts[k]);
            fmt::print("\n# path: {}\n{}", s.path.serialize(), printOperator(s.op));
            if (o.loops) fmt::print("{}", printForwardLoops(s.op));
            fmt::print("\n");
        }
        if (exhausted)
            fmt::print("# stopped at the node limit (--max-nodes {}) after {} operator(s)\n", o.maxNodes, found.size());
        else if (!o.enumerate && o.pathOf.empty() && o.follow.empty() && static_cast<int>(found.size()) < o.count)
            fmt::print("# the space holds only {} distinct operator(s) within these limits\n", found.size());
    }
    if (o.stats) {
        if (parallel) printStats(problem, parallel->stats, parallel->nodes, found, seconds);
        else printStats(problem, space.stats(), space.nodeCount(), found, seconds);
    }
}

}  // namespace

void addSampleCommand(CLI::App& app) {
    auto o = std::make_shared<SampleOptions>();
    auto* cmd = app.add_subcommand("sample", "Draw operators from the search space between two shapes");
    cmd->add_option("--input", o->input, "input shape")->capture_default_str();
    cmd->add_option("--output", o->output, "output shape")->capture_default_str();
    o->vars.addTo(*cmd, kSmallConvSpace.primaries, kSmallConvSpace.coefficients);
    cmd->add_option("-n,--count", o->count, "how many distinct operators")->capture_default_str()->check(bounded(1, 1000000));
    cmd->add_option("--seed", o->seed, "random seed: the same seed and options give the same operators")->capture_default_str()->check(seedValue());
    cmd->add_option("--mode", o->mode, "random descent: uniform (every step equally likely) or type-first (a primitive "
                                       "kind first, then a step)")->capture_default_str();
    cmd->add_flag("--enumerate", o->enumerate, "enumerate the space exhaustively (up to -n operators) instead of sampling");
    cmd->add_option("--path-of", o->pathOf, "find the path of the operator in this file (text or JSON) instead of sampling");
    cmd->add_option("--follow", o->follow, "replay a path printed earlier");
    cmd->add_flag("--loops", o->loops, "print each operator's loop nest");
    cmd->add_flag("--json", o->json, "print JSON for machines");
    cmd->add_flag("--skip-over-parametrised", o->synth.skipOverParametrised,
                  "drop operators whose two weights multiply into a product one weight would express, as syno "
                  "search does (counted under pruned)");
    cmd->add_flag("--stats", o->stats, "print counts: nodes, prunes by reason, rules fired, structural and "
                                       "functional duplicates (each returned operator is run at two small "
                                       "bindings: up to seconds each), and the distribution of FLOPs against a "
                                       "dense 3x3 conv");
    cmd->add_option("--threads", o->threads, "threads for random sampling, each descending its own copy of the space "
                                             "(deterministic for a given seed and thread count; memory grows with it)")
        ->capture_default_str()->check(threadCount());
    cmd->add_option("--min-flops-ratio", o->minFlopsRatio, "smallest FLOPs relative to a dense 3x3 conv from the input to "
                                                           "the output shape, summed over bindings (0: no bound)")
        ->capture_default_str()->check(bounded(0, 1000));
    cmd->add_option("--max-flops-ratio", o->maxFlopsRatio, "largest FLOPs relative to that conv (0: no bound)")
        ->capture_default_str()->check(bounded(0, 1000));
    cmd->add_option("--restart-after", o->synth.descentRestartAfter,
                    "a random descent that meets this many dead ends begins again from the top, keeping what it "
                    "learnt (0: it backtracks until it finds an operator)")
        ->capture_default_str()
        ->check(bounded(0, 1000000));
    cmd->add_option("--fixed", o->fixed, "variable passed from output to input untouched when both shapes have it")->capture_default_str();
    cmd->add_option("--max-nodes", o->maxNodes, "most partial operators kept in memory (about 1 KB each)")
        ->capture_default_str()
        ->check(bounded(1, 1e9));
    forEachSynthesisFlag(o->synth, [&](const std::string& name, auto& field, const std::string& help, double lo, double hi) {
        cmd->add_option("--" + name, field, help)->capture_default_str()->check(bounded(lo, hi));
    });
    cmd->footer("Examples:\n"
                "  syno sample -n 5 --seed 1 --stats\n"
                "  syno sample --input '[N, C_in, H, W]' --output '[N, C_out, H, W]' --primary 'N=1, C_in: 2, C_out, H, W' \\\n"
                "      --coef 'k=3, g=4' --bindings 'C_in=32, C_out=32, H=16, W=16; C_in=64, C_out=64, H=8, W=8' -n 10\n"
                "  syno show --library conv2d --primary 'N=1, C_in=32, C_out=32, H=16, W=16' --coef 'k=3, s=2, g=4' > c.op\n"
                "  syno sample --path-of c.op\n"
                "  syno sample --min-flops-ratio 0.15 --max-flops-ratio 0.9 -n 20 --stats   # the paper's window");
    cmd->callback([o] { runSample(*o); });
}

}  // namespace syno::cli
