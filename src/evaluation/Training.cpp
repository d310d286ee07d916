#include "evaluation/Training.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <deque>
#include <filesystem>
#include <memory>
#include <limits>
#include <numbers>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/AtomicFile.h"
#include "base/Error.h"
#include "base/StableHash.h"
#include "evaluation/TrainingCheckpoint.h"
#include "evaluation/ScriptNetwork.h"
#include "ir/TextForm.h"

#include "evaluation/Latency.h"
#include "evaluation/Models.h"

namespace syno::evaluation {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The first line of an exception's text: c10 errors carry a backtrace after it.
std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

// Images at `indices` (into `set`), normalised per channel, as [B, channels, rows, cols] floats, with their
// labels.
std::pair<torch::Tensor, torch::Tensor> gather(const ImageSet& set, const int64_t* indices, int64_t count,
                                               const DataSplit& split) {
    const int64_t size = set.imageSize();
    auto images = torch::empty({count, set.channels, set.rows, set.cols}, torch::kUInt8);
    auto labels = torch::empty({count}, torch::kLong);
    uint8_t* dst = images.data_ptr<uint8_t>();
    int64_t* lab = labels.data_ptr<int64_t>();
    for (int64_t i = 0; i < count; ++i) {
        std::memcpy(dst + i * size, set.pixels.data() + indices[i] * size, static_cast<size_t>(size));
        lab[i] = set.labels[static_cast<size_t>(indices[i])];
    }
    auto x = images.to(torch::kFloat).div_(255.0);
    for (int64_t c = 0; c < set.channels; ++c) {
        auto channel = x.select(1, c);
        channel.sub_(split.mean[static_cast<size_t>(c)]).div_(split.std[static_cast<size_t>(c)]);
    }
    return {x, labels};
}

// Random horizontal flips per image, and one random translation by up to 2 pixels per batch (a roll: the
// border of Fashion-MNIST images is black, so wrapping around is harmless).
torch::Tensor augment(const torch::Tensor& x, at::Generator& gen) {
    auto flip = torch::rand({x.size(0), 1, 1, 1}, gen, torch::kFloat) < 0.5;
    auto y = torch::where(flip, x.flip({3}), x);
    auto shift = torch::randint(-2, 3, {2}, gen, torch::kLong);
    return torch::roll(y, {shift[0].item<int64_t>(), shift[1].item<int64_t>()}, {2, 3});
}

double cosineBetween(double from, double to, double progress) {
    return to + (from - to) * 0.5 * (1 + std::cos(std::numbers::pi * progress));
}

// torch's OneCycleLR (cos annealing, div 25, final div 1e4) at step t of total.
double oneCycle(const Budget& b, int64_t t, int64_t total) {
    const double start = b.maxLr / 25, end = start / 1e4;
    const auto warm = std::max<int64_t>(1, static_cast<int64_t>(b.warmupFraction * static_cast<double>(total)));
    if (t < warm) return cosineBetween(start, b.maxLr, static_cast<double>(t) / static_cast<double>(warm));
    return cosineBetween(b.maxLr, end, static_cast<double>(t - warm) / static_cast<double>(std::max<int64_t>(1, total - warm)));
}

// Images are classified in chunks of this many (an exported network gets a plan of its own for it).
constexpr int64_t kChunk = 500;

// The predicted class of each image at `indices`, in evaluation mode.
std::vector<int64_t> predictions(Net& net, const ImageSet& set, const std::vector<int64_t>& indices,
                                 const DataSplit& split) {
    torch::NoGradGuard noGrad;
    net->eval();
    std::vector<int64_t> out;
    const auto n = static_cast<int64_t>(indices.size());
    for (int64_t i = 0; i < n; i += kChunk) {
        auto [x, y] = gather(set, indices.data() + i, std::min(kChunk, n - i), split);
        const torch::Tensor p = net->forward(x).argmax(1).contiguous();
        out.insert(out.end(), p.data_ptr<int64_t>(), p.data_ptr<int64_t>() + p.numel());
    }
    net->train();
    return out;
}

double accuracy(Net& net, const ImageSet& set, const std::vector<int64_t>& indices, const DataSplit& split) {
    const std::vector<int64_t> p = predictions(net, set, indices, split);
    int64_t correct = 0;
    for (size_t i = 0; i < p.size(); ++i) correct += p[i] == set.labels[static_cast<size_t>(indices[i])];
    return p.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(p.size());
}

// The trained network as TorchScript, and its sidecar (Training.h).
void exportTrained(Net& net, const TrainingJob& job, const TrainResult& result) {
    std::vector<int64_t> first(static_cast<size_t>(std::min<int64_t>(1000, job.data->test.count)));
    for (size_t i = 0; i < first.size(); ++i) first[i] = static_cast<int64_t>(i);
    const std::vector<int64_t> predicted = predictions(net, job.data->test, first, *job.split);
    const ModelLayout& m = *job.layout;
    nlohmann::json meta{
        {"syno_version", SYNO_VERSION},
        {"model", m.name},
        {"data_set", job.data->name},
        {"input", {m.inChannels, m.imageSize, m.imageSize}},
        {"classes", job.data->classes},
        {"normalisation", {{"mean", job.split->mean}, {"std", job.split->std}, {"scale", 1.0 / 255}}},
        {"operator", job.op ? printOperator(*job.op) : ""},
        {"operator_id", job.op ? job.op->idHex() : "baseline"},
        {"seed", job.budget.seed},
        {"budget", job.budget.describe()},
        {"best_validation_accuracy", result.bestValidation},
        {"test_accuracy", std::isfinite(result.testAccuracy) ? nlohmann::json(result.testAccuracy) : nlohmann::json()},
        {"parameters", result.params},
        {"test_predictions", predicted},
    };
    const std::string text = meta.dump(2);
    net->eval();
    writeNetworkScript(*net, job.op, job.ctx, {1, 16, kChunk}, text, job.exportPath);
    net->train();
    writeFileAtomically(job.exportPath + ".json", text + "\n");
}

// One line redrawn in place on a terminal; nothing at all otherwise (logs stay clean).
class ProgressBar {
public:
    ProgressBar(bool wanted, std::string label) : on_(wanted && isatty(STDERR_FILENO)), label_(std::move(label)) {}
    void update(int epoch, int epochs, int64_t step, int64_t steps, double loss, double seconds) {
        if (!on_ || (step + 1 != steps && seconds - lastDrawn_ < 0.25)) return;
        lastDrawn_ = seconds;
        constexpr int kWidth = 24;
        const double done = static_cast<double>(step + 1) / static_cast<double>(steps);
        const int filled = static_cast<int>(done * kWidth);
        fmt::print(stderr, "\r{} epoch {}/{} [{}{}] {:3.0f}% loss {:.3f} {:.0f}s ", label_, epoch + 1, epochs,
                   std::string(static_cast<size_t>(filled), '#'), std::string(static_cast<size_t>(kWidth - filled), '.'),
                   100 * done, loss, seconds);
        std::fflush(stderr);
    }
    void epochDone(int epoch, double validation, double seconds) {
        if (!on_) return;
        fmt::print(stderr, "\r\033[K{} epoch {}: validation {:.2f}%, {:.0f}s\n", label_, epoch + 1, 100 * validation, seconds);
    }
    void clear() {
        if (on_) fmt::print(stderr, "\r\033[K");
    }

private:
    bool on_;
    std::string label_;
    double lastDrawn_ = -1;
};

// Mean of the recent losses: "still at chance" is ln(classes).
constexpr double kStuckMargin = 0.05;
constexpr size_t kLossWindow = 20;
// Steps timed before projecting the whole training's time, and how far past the time limit it may project
// before it stops (the first steps include warm-up).
constexpr int64_t kProjectionSteps = 5;
constexpr double kProjectionSlack = 1.5;
constexpr double kQuietCores = 0.5;  // other processes' CPU use below which the machine counts as quiet

}  // namespace

double timeLimitUnderLoad(double limitSeconds, double otherCores) {
    if (!(otherCores >= kQuietCores)) return limitSeconds;
    return limitSeconds * std::min(4.0, 1.0 + otherCores);
}

namespace {

// What a checkpoint must match: everything that decides the training's numbers.
std::string checkpointKey(const TrainingJob& job) {
    return fmt::format("model={} data={} {} operator={}", job.layout->name, job.data->name, job.budget.describe(),
                       job.op ? printOperator(*job.op) : "none");
}

std::string checkpointPath(const TrainingJob& job) {
    if (job.checkpointDir.empty()) return "";
    return (std::filesystem::path(job.checkpointDir) /
            fmt::format("{}-{:016x}.ckpt", job.op ? job.op->idHex() : "baseline", hashString(checkpointKey(job))))
        .string();
}

// A fresh network, its optimizer and the generator every random draw comes from.
struct TrainingState {
    at::Generator gen;
    Net net;
    std::unique_ptr<torch::optim::SGD> optimizer;

    explicit TrainingState(const TrainingJob& job)
        : gen(at::detail::createCPUGenerator(job.budget.seed)),
          net(*job.layout, job.op, job.op ? *job.ctx : SizeContext(), job.budget.seed) {
        const Budget& b = job.budget;
        net->train();
        optimizer = std::make_unique<torch::optim::SGD>(
            net->parameters(),
            torch::optim::SGDOptions(b.maxLr).momentum(b.momentum).nesterov(true).weight_decay(b.weightDecay));
    }
};

TrainResult train(const TrainingJob& job, TrainResult& result) {
    const Budget& b = job.budget;
    const auto start = Clock::now();
    const std::string checkpoint = checkpointPath(job);
    auto state = std::make_unique<TrainingState>(job);
    TrainingProgress resumed;
    if (!checkpoint.empty()) {
        try {
            if (auto p = loadCheckpoint(checkpoint, checkpointKey(job), *state->net, *state->optimizer, state->gen))
                resumed = *p;
        } catch (const Error& e) {
            // Not a result, only saved time: start again rather than fail the operator.
            fmt::print(stderr, "syno: {}; training from the start\n", e.message());
            std::filesystem::remove(checkpoint);
            state = std::make_unique<TrainingState>(job);
        }
    }
    at::Generator& gen = state->gen;
    Net& net = state->net;
    torch::optim::SGD& optimizer = *state->optimizer;
    result.params = net->parameterCount();
    result.validationByEpoch = resumed.validationByEpoch;
    result.trainLossByEpoch = resumed.trainLossByEpoch;
    result.bestValidation = resumed.bestValidation;
    // Wall time includes what earlier processes spent before the checkpoint.
    auto elapsedSeconds = [&] { return resumed.seconds + secondsSince(start); };
    // Once training has an outcome its checkpoint has served (a failure is final too).
    auto finished = [&] {
        if (!checkpoint.empty()) std::filesystem::remove(checkpoint);
    };
    const auto& train = job.split->train;
    const auto n = static_cast<int64_t>(train.size());
    const int64_t steps = (n + b.batch - 1) / b.batch;
    const int64_t total = steps * b.epochs;
    ProgressBar bar(job.progress, job.label);
    std::deque<double> recent;
    const OtherLoadMeter load;  // since the start: the projection below trusts only a quiet machine
    auto fail = [&](std::string why) {
        bar.clear();
        finished();
        result.ok = false;
        result.failure = std::move(why);
        result.seconds = elapsedSeconds();
        return result;
    };
    if (resumed.epochsDone > 0)
        fmt::print(stderr, "{}: resuming after epoch {} of {} ({})\n", job.label, resumed.epochsDone, b.epochs, checkpoint);
    for (int epoch = resumed.epochsDone; epoch < b.epochs; ++epoch) {
        double lossSum = 0;
        auto order = torch::randperm(n, gen, torch::kLong);
        const int64_t* perm = order.data_ptr<int64_t>();
        std::vector<int64_t> batchIndices;
        for (int64_t step = 0; step < steps; ++step) {
            const int64_t first = step * b.batch, count = std::min<int64_t>(b.batch, n - first);
            batchIndices.resize(static_cast<size_t>(count));
            for (int64_t i = 0; i < count; ++i) batchIndices[static_cast<size_t>(i)] = train[static_cast<size_t>(perm[first + i])];
            auto [x, y] = gather(job.data->train, batchIndices.data(), count, *job.split);
            if (b.augment) x = augment(x, gen);
            const double lr = oneCycle(b, epoch * steps + step, total);
            for (auto& group : optimizer.param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
            auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
            const double value = loss.item<double>();
            if (!std::isfinite(value)) return fail(fmt::format("loss is {} at epoch {} step {}", value, epoch + 1, step + 1));
            optimizer.zero_grad();
            loss.backward();
            if (b.clipNorm > 0) torch::nn::utils::clip_grad_norm_(net->parameters(), b.clipNorm);
            optimizer.step();
            lossSum += value;
            recent.push_back(value);
            if (recent.size() > kLossWindow) recent.pop_front();
            // Half-way through the first epoch an operator that learns nothing is still at chance.
            if (epoch == 0 && step == steps / 2 && step >= static_cast<int64_t>(kLossWindow)) {
                double mean = 0;
                for (double l : recent) mean += l / static_cast<double>(recent.size());
                if (mean > std::log(job.data->classes) - kStuckMargin)
                    return fail(fmt::format("loss {:.3f} still at chance (ln {}) after {} steps", mean,
                                            job.data->classes, step + 1));
            }
            const double elapsed = elapsedSeconds();
            // A training whose first steps already project far past the limit stops now, not at the limit
            // (an operator whose backward pass is slow can take minutes per epoch).
            const int64_t done = epoch * steps + step + 1;
            if (b.timeLimitSeconds > 0 && epoch == 0 && step == kProjectionSteps) {
                const double projected = elapsed / static_cast<double>(done) * static_cast<double>(total);
                // Only on a quiet machine: steps slowed by a neighbour say nothing about the operator.
                if (projected > kProjectionSlack * b.timeLimitSeconds && load.coresSinceStart() < kQuietCores)
                    return fail(fmt::format("too slow to train: {} steps took {:.1f} s, the budget's {} would take "
                                            "~{:.0f} s, past the time limit of {} s",
                                            done, elapsed, total, projected, b.timeLimitSeconds));
            }
            if (b.timeLimitSeconds > 0 && elapsed > b.timeLimitSeconds) {
                const double others = load.coresSinceStart();
                const double limit = timeLimitUnderLoad(b.timeLimitSeconds, others);
                if (elapsed > limit)
                    return fail(fmt::format("time limit of {} s reached at epoch {} step {} of {}{}", b.timeLimitSeconds,
                                            epoch + 1, step + 1, steps,
                                            limit > b.timeLimitSeconds
                                                ? fmt::format(" (stretched to {:.0f} s: other processes used {:.1f} cores)", limit, others)
                                                : ""));
            }
            bar.update(epoch, b.epochs, step, steps, value, elapsed);
        }
        const double validation = accuracy(net, job.data->train, job.split->validation, *job.split);
        result.validationByEpoch.push_back(validation);
        result.trainLossByEpoch.push_back(lossSum / static_cast<double>(steps));
        result.bestValidation = std::max(result.bestValidation, validation);
        bar.epochDone(epoch, validation, elapsedSeconds());
        if (static_cast<size_t>(epoch) < job.killBelow.size() && validation < job.killBelow[static_cast<size_t>(epoch)])
            return fail(fmt::format("hopeless: validation accuracy {:.3f} after epoch {} is below {:.3f} (the "
                                    "baseline's less the kill margin)",
                                    validation, epoch + 1, job.killBelow[static_cast<size_t>(epoch)]));
        for (const Milestone& m : b.milestones)
            if (m.epoch == epoch + 1 && validation < m.minAccuracy)
                return fail(fmt::format("validation accuracy {:.3f} < milestone {:.2f} after epoch {}", validation,
                                        m.minAccuracy, m.epoch));
        if (!checkpoint.empty()) {
            try {
                saveCheckpoint(checkpoint, checkpointKey(job), *net, optimizer, gen,
                               TrainingProgress{epoch + 1, elapsedSeconds(), result.bestValidation,
                                                result.validationByEpoch, result.trainLossByEpoch});
            } catch (const Error& e) {  // a full disk costs the resume, not the operator its result
                fmt::print(stderr, "syno: {} (training goes on without it)\n", e.message());
            }
        }
    }
    result.seconds = elapsedSeconds();
    result.ok = true;
    if (!b.testAccuracy) {
        result.testAccuracy = std::numeric_limits<double>::quiet_NaN();
    } else {
        std::vector<int64_t> all(static_cast<size_t>(job.data->test.count));
        for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
        result.testAccuracy = accuracy(net, job.data->test, all, *job.split);
    }
    if (!job.exportPath.empty()) exportTrained(net, job, result);
    finished();
    return result;
}

}  // namespace

TrainResult trainModel(const TrainingJob& job) {
    TrainResult result;
    try {
        return train(job, result);
    } catch (const std::exception& e) {
        // A plan that cannot run (a size that does not divide, a kernel error) is the operator's failure.
        if (const std::string checkpoint = checkpointPath(job); !checkpoint.empty()) std::filesystem::remove(checkpoint);
        result.ok = false;
        result.failure = firstLine(e.what());
        return result;
    }
}

}  // namespace syno::evaluation
