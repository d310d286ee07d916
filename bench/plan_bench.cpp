// Execution plans against torch::conv2d, measured in the same run (not a test: prints figures).
//
// For each layer size (ResNet-18: 64@56, 128@28, 256@14, 512@7; small ResNet: 16@28, 32@14, 64@7), batch,
// thread count and mode (inference; one training step = forward + backward), times torch::conv2d 3x3 and,
// interleaved round by round in the same loop, the plans of: conv2d built from primitives, the paper's
// Operators 1 and 2, and operators sampled from the synthesis space (fixed seed, staged FLOPs within
// --flops-window of the conv's at every layer of the family: the paper's ResNet-18 window by default); optionally the same operators lowered to unfold + einsum (the
// public Syno lowering, a second baseline), timed in rounds of their own with the conv again, since their
// large buffers slow whatever shares their rounds. Ratio = conv2d time / operator time (> 1: faster).
//
//   plan_bench [--runs 20] [--min-runs 3] [--budget 2] [--batches 1,32,128] [--threads 1,2]
//              [--modes inference,training] [--sizes resnet18,small|64@56,...] [--samples 10] [--seed 1]
//              [--flops-window 0.15,0.9] [--window-batches 1,32,128]
//              [--einsum-batches 1] [--layout auto|nchw|nhwc|both] [--conv-nhwc] [--ops all|paper] [--describe]
//
// SYNO_SYSTEM_MALLOC=1 in the environment leaves glibc's allocator as it is (plans::retainFreedMemory).
// --window-batches: the batches at which a sampled operator's FLOPs must lie in --flops-window (batch 1
// always; default: every batch timed). `--window-batches 1` is the selection before the window was checked
// at every batch, when weight-only stages let operators at 0.02x the conv's FLOPs at batch 128 in.
// --budget is seconds per cell (one size, batch, thread count, mode): a cell whose rounds would take
// longer runs fewer of them (at least --min-runs), and its row says so.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/Error.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "plans/Execute.h"
#include "sizes/Parse.h"
#include "synthesis/Problem.h"
#include "synthesis/Space.h"
#include "sizes/ParseContext.h"

namespace {

using namespace syno;

std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string item; std::getline(ss, item, ',');)
        if (!item.empty()) out.push_back(item);
    return out;
}

struct LayerSize {
    int64_t c, hw;
    std::string family;
};

// One family of layers: the paper's ResNet-18 setting (g=32) or the small ResNet for Fashion-MNIST
// (g=8, so that C/(g*s) divides at 16 channels). Library operators use [N, C_in, H, W]; the sampled ones
// come from the paper's space over [N, C_in, H, H] (synthesis_bench's setting).
struct Family {
    std::string name;
    int64_t groups = 32;
    std::vector<LayerSize> layers;
    VariableTable libVars, spaceVars;
    std::vector<Operator> ops;        // conv2d-p, operator1, operator2, sampled...
    std::vector<std::string> names;
    std::vector<bool> sampled;
};

VariableTable libraryVars(int64_t g) {
    return parseVariables("N=1, C_in=64, C_out=64, H=56, W=56", fmt::format("k=3, g={}, s=2", g));
}

VariableTable spaceVars(int64_t g) {
    return parseVariables("N=1: 0, C_in: 2, C_out: 4, H: 0", fmt::format("k_1=3: 2, k_2=7: 2, s=2: 2, g={}: 3", g));
}

double convFlops(int64_t n, int64_t c, int64_t hw) { return 2.0 * static_cast<double>(n * c * c * hw * hw * 9); }

// `count` operators from the paper's space at this family's layers, in sampling order, keeping those whose
// staged FLOPs lie in [lo, hi) x the 3x3 conv's at every layer and every batch timed (weight-only stages do
// not grow with the batch, so an operator at 0.2x at batch 1 can be at 0.02x at batch 128; its rows must
// fall in the window the summary claims), and whose plans compile everywhere. The
// default window, 0.15-0.9x, is the one the paper's ResNet-18 search used: operators far below it are
// bound by moving their tensors (an 0.003x operator would have to finish in ~5 us), not by arithmetic.
void sampleOperators(Family& f, int count, uint64_t seed, double lo, double hi, const std::vector<int64_t>& batches,
                     bool describe) {
    std::string bindings;  // the space samples at batch 1 (its bindings 0..layers-1)
    for (const auto& l : f.layers)
        bindings += fmt::format("{}C_in={}, C_out={}, H={}", bindings.empty() ? "" : "; ", l.c, l.c, l.hw);
    SizeContext ctx(f.spaceVars, parseBindings(bindings));
    std::string timed;  // every layer at every batch timed: where the window is checked
    std::vector<double> timedConv;
    for (int64_t n : batches)
        for (const auto& l : f.layers) {
            timed += fmt::format("{}N={}, C_in={}, C_out={}, H={}", timed.empty() ? "" : "; ", n, l.c, l.c, l.hw);
            timedConv.push_back(convFlops(n, l.c, l.hw));
        }
    SizeContext timedCtx(f.spaceVars, parseBindings(timed));
    SynthesisOptions o;
    o.depth = 12;
    o.maxReductions = 5;
    o.maxWeights = 2;
    o.maxChainLength = 6;
    o.maxOfKind[static_cast<size_t>(StepKind::Merge)] = 1;
    o.maxOfKind[static_cast<size_t>(StepKind::Split)] = 3;
    o.maxOfKind[static_cast<size_t>(StepKind::Shift)] = 2;
    o.maxOfKind[static_cast<size_t>(StepKind::Stride)] = 0;
    double total = 0;
    for (const auto& l : f.layers) total += convFlops(1, l.c, l.hw);
    o.maxFlops = hi * total;  // a first cut on the sum over layers; each layer is checked below
    o.minFlops = lo * total;
    Space space(Problem::make(ctx, "[N, C_in, H, H]", "[N, C_out, H, H]", o));
    auto found = space.sample(100 * count, seed, SampleMode::Uniform);
    int kept = 0;
    for (const auto& s : found) {
        if (kept == count) break;
        bool ok = true;
        try {
            for (int b = 0; b < timedCtx.bindingCount() && ok; ++b) {
                const double ratio = plans::compilePlan(s.op, timedCtx, b).flops / timedConv[static_cast<size_t>(b)];
                ok = ratio >= lo && ratio < hi;
            }
        } catch (const Error&) {
            ok = false;
        }
        if (!ok) continue;
        f.ops.push_back(s.op);
        f.names.push_back(fmt::format("sample{}", ++kept));
        f.sampled.push_back(true);
        fmt::print("# {} {}: id {}, steps: ", f.name, f.names.back(), s.op.idHex());
        for (size_t k = 0; k < s.stepTexts.size(); ++k) fmt::print("{}{}", k ? " ; " : "", s.stepTexts[k]);
        fmt::print("\n");
        if (describe) {  // the operator as text, for `syno plan - --profile` (strip the leading "#   ")
            std::stringstream text(printOperator(s.op));
            for (std::string line; std::getline(text, line);) fmt::print("#   {}\n", line);
        }
    }
    if (kept < count)
        fmt::print("# {}: only {} sampled operator(s) within {}-{}x the conv's FLOPs at every layer and batch\n", f.name,
                   kept, lo, hi);
}

double geomean(const std::vector<double>& v) {
    if (v.empty()) return 0;
    double s = 0;
    for (double x : v) s += std::log(x);
    return std::exp(s / static_cast<double>(v.size()));
}

struct Options {
    int runs = 20, minRuns = 3, samples = 10;
    double budget = 2.0, flopsLo = 0.15, flopsHi = 0.9;
    uint64_t seed = 1;
    std::vector<std::string> batches = {"1", "32", "128"}, threads = {"1", "2"}, modes = {"inference", "training"},
                             sizes = {"resnet18", "small"}, einsumBatches = {"1"}, windowBatches;
    std::string layout = "auto", ops = "all";
    bool convNhwc = false, describe = false;
};

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "plan_bench: %s needs a value\n", a.c_str());
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--runs") o.runs = std::atoi(next().c_str());
        else if (a == "--min-runs") o.minRuns = std::atoi(next().c_str());
        else if (a == "--budget") o.budget = std::atof(next().c_str());
        else if (a == "--samples") o.samples = std::atoi(next().c_str());
        else if (a == "--flops-window") {
            auto w = splitList(next());
            if (w.size() != 2) {
                std::fprintf(stderr, "plan_bench: --flops-window takes LO,HI (fractions of the conv's FLOPs)\n");
                std::exit(2);
            }
            o.flopsLo = std::atof(w[0].c_str());
            o.flopsHi = std::atof(w[1].c_str());
        }
        else if (a == "--seed") o.seed = std::strtoull(next().c_str(), nullptr, 10);
        else if (a == "--batches") o.batches = splitList(next());
        else if (a == "--threads") o.threads = splitList(next());
        else if (a == "--modes") o.modes = splitList(next());
        else if (a == "--sizes") o.sizes = splitList(next());
        else if (a == "--einsum-batches") o.einsumBatches = splitList(next());
        else if (a == "--no-einsum") o.einsumBatches.clear();
        else if (a == "--window-batches") o.windowBatches = splitList(next());  // default: 1 and every batch timed
        else if (a == "--layout") o.layout = next();
        else if (a == "--conv-nhwc") o.convNhwc = true;
        else if (a == "--describe") o.describe = true;
        else if (a == "--ops") o.ops = next();
        else {
            std::fprintf(stderr, "plan_bench: unknown option %s (see the comment at the top of plan_bench.cpp)\n", a.c_str());
            std::exit(2);
        }
    }
    return o;
}

// The families and layers selected by --sizes: family names or single layers "C@HW".
std::vector<Family> makeFamilies(const Options& o) {
    Family r18{"resnet18", 32, {}, libraryVars(32), spaceVars(32), {}, {}, {}};
    Family small{"small", 8, {}, libraryVars(8), spaceVars(8), {}, {}, {}};
    const std::vector<LayerSize> all18 = {{64, 56, "resnet18"}, {128, 28, "resnet18"}, {256, 14, "resnet18"}, {512, 7, "resnet18"}};
    const std::vector<LayerSize> allSmall = {{16, 28, "small"}, {32, 14, "small"}, {64, 7, "small"}};
    std::vector<LayerSize> pick18, pickSmall;
    for (const auto& s : o.sizes) {
        if (s == "resnet18") pick18 = all18;
        else if (s == "small") pickSmall = allSmall;
        else
            for (const auto* fam : {&all18, &allSmall})
                for (const auto& l : *fam)
                    if (fmt::format("{}@{}", l.c, l.hw) == s) (fam == &all18 ? pick18 : pickSmall).push_back(l);
    }
    std::vector<Family> out;
    for (auto* f : {&r18, &small}) {
        f->layers = f == &r18 ? all18 : allSmall;  // sampling sees every layer of the family
        if ((f == &r18 ? pick18 : pickSmall).empty()) continue;
        f->ops = {library::conv2d(f->libVars), library::operator1(f->libVars), library::operator2(f->libVars)};
        f->names = {"conv2d-p", "operator1", "operator2"};
        f->sampled = {false, false, false};
        if (o.ops == "all" && o.samples > 0) {
            std::vector<int64_t> batches = {1};  // the space's own binding, and every batch timed
            for (const auto& b : o.windowBatches.empty() ? o.batches : o.windowBatches)
                if (std::atoll(b.c_str()) != 1) batches.push_back(std::atoll(b.c_str()));
            sampleOperators(*f, o.samples, o.seed, o.flopsLo, o.flopsHi, batches, o.describe);
        }
        f->layers = f == &r18 ? pick18 : pickSmall;
        out.push_back(*f);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parseArgs(argc, argv);
    plans::retainFreedMemory();  // as syno does
    const auto start = std::chrono::steady_clock::now();
    try {
        std::vector<Family> families = makeFamilies(o);
        std::vector<plans::Layout> layouts;
        if (o.layout == "auto") layouts = {plans::Layout::Auto};
        else if (o.layout == "nchw") layouts = {plans::Layout::Contiguous};
        else if (o.layout == "nhwc") layouts = {plans::Layout::ChannelsLast};
        else if (o.layout == "both") layouts = {plans::Layout::Contiguous, plans::Layout::ChannelsLast};
        else throw Error(fmt::format("unknown --layout '{}' (auto, nchw, nhwc, both)", o.layout));
        fmt::print("# plan_bench: median of up to {} rounds (at least {}; fewer when a cell would exceed {} s, marked *);\n"
                   "# ratio = torch::conv2d (NCHW) time / operator time, interleaved in the same loop;\n"
                   "# flops = the operator's FLOPs / the conv's (all stages, as the search counts them); call = FLOPs run per\n"
                   "# call / the conv's (inference prepares weight-only stages once); eff = ratio x flops; GF/s per call\n",
                   o.runs, o.minRuns, o.budget);
        fmt::print("{:<8} {:>4} {:>3} {:>3} {:<5} {:<10} {:<4} {:>6} {:>6} {:>9} {:>7} {:>9} {:>7} {:>7} {:>6} {:>9} {:>7} {:>5} {:>5}\n",
                   "family", "C@HW", "N", "thr", "mode", "operator", "lay", "flops", "call", "conv ms", "GF/s", "op ms", "GF/s",
                   "ratio", "eff", "einsum ms", "ratio", "lib", "runs");
        // Collected for the summary lines.
        std::vector<double> convP, samplesEff, samplesEffCall, samplesBound;
        std::map<std::string, std::vector<double>> effByMode, boundByMode, layoutGain;
        std::vector<std::pair<std::string, double>> op2Target;
        int libStages = 0, allStages = 0;
        std::vector<double> nhwcConvGain;
        for (const auto& mode : o.modes)
            for (const auto& t : o.threads)
                for (const auto& nb : o.batches)
                    for (auto& f : families)
                        for (const auto& l : f.layers) {
                            const int64_t n = std::atoll(nb.c_str());
                            SizeContext lib(f.libVars, parseBindings(fmt::format(
                                                           "N={}, C_in={}, C_out={}, H={}, W={}", n, l.c, l.c, l.hw, l.hw)));
                            SizeContext space(f.spaceVars, parseBindings(fmt::format("N={}, C_in={}, C_out={}, H={}", n,
                                                                                     l.c, l.c, l.hw)));
                            const bool withEinsum =
                                std::find(o.einsumBatches.begin(), o.einsumBatches.end(), nb) != o.einsumBatches.end();
                            std::vector<std::shared_ptr<const plans::Plan>> keep;
                            std::vector<const plans::Plan*> list, einsumList;
                            plans::CellOptions co;
                            struct Row {
                                size_t op;
                                plans::Layout layout;
                                int planIndex, einsumIndex = -1;
                            };
                            std::vector<Row> rows;
                            const bool training = mode == "training";
                            std::vector<double> nominalFlops;  // per operator: all stages of the training order
                            for (size_t i = 0; i < f.ops.size(); ++i) {
                                const SizeContext& ctx = f.sampled[i] ? space : lib;
                                auto p = std::make_shared<const plans::Plan>(plans::compilePlan(
                                    f.ops[i], ctx, 0, PaddingPolicy::Exact, plans::PlanOptions{false, !training}));
                                nominalFlops.push_back(training ? p->flops : plans::compilePlan(f.ops[i], ctx, 0).flops);
                                keep.push_back(p);
                                if (o.describe) fmt::print("# {} {}\n{}", f.name, f.names[i], p->describe());
                                int einsumIndex = -1;
                                if (withEinsum) {
                                    auto e = std::make_shared<const plans::Plan>(
                                        plans::compilePlan(f.ops[i], ctx, 0, PaddingPolicy::Exact, plans::PlanOptions{true}));
                                    keep.push_back(e);
                                    einsumIndex = static_cast<int>(einsumList.size());
                                    einsumList.push_back(e.get());
                                }
                                for (auto lay : layouts) {
                                    rows.push_back({i, lay, static_cast<int>(list.size()), einsumIndex});
                                    list.push_back(p.get());
                                    co.layouts.push_back(lay);
                                }
                                libStages += p->libraryStages();
                                allStages += static_cast<int>(p->stages.size());
                            }
                            co.runs = o.runs;
                            co.minRuns = o.minRuns;
                            co.budgetSeconds = o.budget;
                            co.threads = std::atoi(t.c_str());
                            co.training = training;
                            co.baselineChannelsLast = o.convNhwc;
                            plans::CellTiming ct = plans::timeCell(list, co);
                            // The einsum lowerings in rounds of their own (with the conv again): their unfold
                            // buffers, ~10x a plan's memory, slowed everything timed in the same rounds (Operator 2
                            // at 64@56, batch 1: the plan 0.42 -> 0.75 ms, the conv 1.10 -> 1.31 ms).
                            plans::CellTiming et;
                            if (!einsumList.empty()) {
                                plans::CellOptions eo = co;
                                eo.layouts.assign(einsumList.size(), plans::Layout::Contiguous);
                                eo.baselineChannelsLast = false;
                                et = plans::timeCell(einsumList, eo);
                            }
                            const double mult = co.training ? 3.0 : 1.0;  // backward ~ 2x forward FLOPs
                            const double cf = ct.baselineFlops;
                            if (o.convNhwc) nhwcConvGain.push_back(ct.baselineMs / ct.baselineChannelsLastMs);
                            std::map<size_t, double> nchwMs;
                            for (const auto& r : rows) {
                                const plans::Plan& p = *list[static_cast<size_t>(r.planIndex)];
                                const double ms = ct.planMs[static_cast<size_t>(r.planIndex)];
                                // FLOPs per call: inference prepares weight-only stages once (HoistWeights.h).
                                const double opFlops = co.training ? p.flops : p.inferenceFlops;
                                const double ratio = ct.baselineMs / ms, flopsRatio = nominalFlops[r.op] / cf,
                                             callRatio = opFlops / cf;
                                const double eff = ratio * flopsRatio;  // (conv/op time) / (conv/op FLOPs)
                                // What an ideal kernel would reach: the conv's GFLOP/s on the FLOPs run per call,
                                // but no faster than one pass over input and output (three for a training step).
                                const double floorMs = ct.copyMs * (co.training ? 3.0 : 1.0);
                                const double idealMs = std::max(ct.baselineMs * (co.training ? flopsRatio : callRatio), floorMs);
                                const double bound = ct.baselineMs / idealMs * flopsRatio;
                                const double ems = r.einsumIndex >= 0 ? et.planMs[static_cast<size_t>(r.einsumIndex)] : 0;
                                const double econv = r.einsumIndex >= 0 ? et.baselineMs : 0;  // the conv in those rounds
                                // "auto": the plan has convolutions that prefer NHWC; fed NCHW here, Auto runs
                                // them NHWC only on intermediates of at least 14x14.
                                const char* lay = r.layout != plans::Layout::Auto ? plans::layoutName(r.layout)
                                                  : plans::chooseLayout(p, co.training) == plans::Layout::Contiguous ? "nchw"
                                                                                                                      : "auto";
                                fmt::print("{:<8} {:>4} {:>3} {:>3} {:<5} {:<10} {:<4} {:>6.3f} {:>6.3f} {:>9.3f} {:>7.1f} {:>9.3f} {:>7.1f} "
                                           "{:>6.2f}x {:>6.2f} {:>9} {:>7} {:>2}/{:<2} {:>4}{}\n",
                                           f.name, fmt::format("{}@{}", l.c, l.hw), n, t, co.training ? "train" : "infer",
                                           f.names[r.op], lay, flopsRatio, callRatio, ct.baselineMs,
                                           mult * cf / ct.baselineMs / 1e6, ms, mult * opFlops / ms / 1e6, ratio, eff,
                                           ems > 0 ? fmt::format("{:.3f}", ems) : "-",
                                           ems > 0 ? fmt::format("{:.2f}x", econv / ems) : "-", p.libraryStages(),
                                           p.stages.size(), ct.runs, ct.budgetCut ? "*" : "");
                                if (layouts.size() == 2) {
                                    if (r.layout == plans::Layout::Contiguous) nchwMs[r.op] = ms;
                                    else layoutGain[f.names[r.op].substr(0, 6) + " " + mode].push_back(nchwMs[r.op] / ms);
                                }
                                if (r.layout != layouts.back()) continue;  // summaries use the last layout given
                                if (r.op == 0) convP.push_back(ratio);
                                if (f.names[r.op] == "operator2" && f.name == "resnet18" && n == 1 && t == "2" && !co.training)
                                    op2Target.push_back({fmt::format("{}@{}", l.c, l.hw), ratio});
                                if (f.sampled[r.op]) {
                                    samplesEff.push_back(eff);
                                    samplesEffCall.push_back(ratio * callRatio);
                                    samplesBound.push_back(bound);
                                    effByMode[fmt::format("{} {}", f.name, mode)].push_back(eff);
                                    boundByMode[fmt::format("{} {}", f.name, mode)].push_back(bound);
                                    if (n == 1 && t == "2" && !co.training) {
                                        effByMode["  batch 1, 2 threads, inference"].push_back(eff);
                                        boundByMode["  batch 1, 2 threads, inference"].push_back(bound);
                                    }
                                }
                            }
                            if (o.convNhwc)
                                fmt::print("{:<8} {:>4} {:>3} {:>3} {:<5} conv2d on NHWC tensors: {:.3f} ms ({:.2f}x the NCHW conv)\n",
                                           f.name, fmt::format("{}@{}", l.c, l.hw), n, t, co.training ? "train" : "infer",
                                           ct.baselineChannelsLastMs, ct.baselineMs / ct.baselineChannelsLastMs);
                            std::fflush(stdout);
                        }
        // ---- summary lines (the targets of issue 8) ----
        fmt::print("\n# summary ({:.0f} s)\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        if (!convP.empty()) {
            auto [lo, hi] = std::minmax_element(convP.begin(), convP.end());
            int within = 0;
            for (double r : convP) within += r >= 0.95;
            fmt::print("conv2d-from-primitives vs torch::conv2d: geometric mean {:.3f}x, range {:.2f}x..{:.2f}x, not more than "
                       "5% slower in {} of {} cells (target: within 5%)\n",
                       geomean(convP), *lo, *hi, within, convP.size());
        }
        if (!op2Target.empty()) {
            std::string parts;
            bool ok = true;
            for (const auto& [layer, r] : op2Target) {
                parts += fmt::format("{}{} {:.2f}x", parts.empty() ? "" : ", ", layer, r);
                ok = ok && r >= 2.0;
            }
            fmt::print("Operator 2, ResNet-18 layers, batch 1, 2 threads, inference: {} ({}; target >= 2x each)\n", parts,
                       ok ? "met" : "NOT met");
        }
        if (!samplesEff.empty()) {
            fmt::print("sampled operators: geometric mean of (conv time / op time) / (conv FLOPs / op FLOPs) = {:.3f} over {} "
                       "rows (every sampled row above; target >= 0.7)\n",
                       geomean(samplesEff), samplesEff.size());
            fmt::print("  the same with the FLOPs run per call (inference: weight-only stages prepared once): {:.3f}\n",
                       geomean(samplesEffCall));
            fmt::print("  bound: an ideal kernel (the conv's GFLOP/s on the FLOPs run per call, but at least one copy of the "
                       "input, three for a training step, timed in each cell) would reach {:.3f}\n",
                       geomean(samplesBound));
            for (const auto& [k, v] : effByMode)
                fmt::print("  {}: {:.3f} over {} rows (bound {:.3f})\n", k, geomean(v), v.size(), geomean(boundByMode[k]));
        }
        fmt::print("stages on library kernels (not einsum): {} of {} ({:.1f}%), over every plan timed\n", libStages, allStages,
                   allStages ? 100.0 * libStages / allStages : 0.0);
        for (const auto& [k, v] : layoutGain)
            fmt::print("layout: {} NCHW time / NHWC time, geometric mean {:.3f} over {} cells\n", k, geomean(v), v.size());
        if (!nhwcConvGain.empty())
            fmt::print("torch::conv2d itself on NHWC tensors: NCHW time / NHWC time, geometric mean {:.3f} over {} cells\n",
                       geomean(nhwcConvGain), nhwcConvGain.size());
    } catch (const Error& e) {
        std::fprintf(stderr, "plan_bench: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
