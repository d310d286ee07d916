#include "evaluation/TrainingCheckpoint.h"

#include <filesystem>
#include <sstream>

#include <fmt/format.h>

#include "base/AtomicFile.h"
#include "base/Error.h"

namespace syno::evaluation {

namespace {

// Bumped when the layout below changes: an older file is then refused, not misread.
constexpr int64_t kFormat = 1;

std::string firstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

std::vector<double> doubles(const c10::IValue& v) {
    std::vector<double> out;
    for (double d : v.toDoubleList()) out.push_back(d);
    return out;
}

}  // namespace

void saveCheckpoint(const std::string& path, const std::string& key, torch::nn::Module& net,
                    torch::optim::Optimizer& optimizer, const at::Generator& gen, const TrainingProgress& progress) {
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(kFormat));
    archive.write("key", c10::IValue(key));
    archive.write("epochs_done", c10::IValue(static_cast<int64_t>(progress.epochsDone)));
    archive.write("seconds", c10::IValue(progress.seconds));
    archive.write("best_validation", c10::IValue(progress.bestValidation));
    archive.write("validation_by_epoch", c10::IValue(progress.validationByEpoch));
    archive.write("train_loss_by_epoch", c10::IValue(progress.trainLossByEpoch));
    archive.write("generator", gen.get_state());
    torch::serialize::OutputArchive netArchive, optimizerArchive;
    net.save(netArchive);
    optimizer.save(optimizerArchive);
    archive.write("net", netArchive);
    archive.write("optimizer", optimizerArchive);
    std::ostringstream bytes;
    archive.save_to(bytes);
    writeFileAtomically(path, bytes.str());
}

std::optional<TrainingProgress> loadCheckpoint(const std::string& path, const std::string& key, torch::nn::Module& net,
                                               torch::optim::Optimizer& optimizer, at::Generator& gen) {
    if (!std::filesystem::exists(path)) return std::nullopt;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        c10::IValue v;
        if (!archive.try_read("format", v) || !v.isInt() || v.toInt() != kFormat)
            throw Error(fmt::format("checkpoint {} was written by another version of syno", path));
        if (!archive.try_read("key", v) || !v.isString() || v.toStringRef() != key)
            throw Error(fmt::format("checkpoint {} belongs to another training", path));
        TrainingProgress p;
        archive.read("epochs_done", v);
        p.epochsDone = static_cast<int>(v.toInt());
        archive.read("seconds", v);
        p.seconds = v.toDouble();
        archive.read("best_validation", v);
        p.bestValidation = v.toDouble();
        archive.read("validation_by_epoch", v);
        p.validationByEpoch = doubles(v);
        archive.read("train_loss_by_epoch", v);
        p.trainLossByEpoch = doubles(v);
        if (p.epochsDone < 1 || p.validationByEpoch.size() != static_cast<size_t>(p.epochsDone) ||
            p.trainLossByEpoch.size() != static_cast<size_t>(p.epochsDone))
            throw Error(fmt::format("checkpoint {} is inconsistent ({} epochs done, {} validations)", path,
                                    p.epochsDone, p.validationByEpoch.size()));
        torch::Tensor state;
        archive.read("generator", state);
        torch::serialize::InputArchive netArchive, optimizerArchive;
        archive.read("net", netArchive);
        archive.read("optimizer", optimizerArchive);
        net.load(netArchive);
        optimizer.load(optimizerArchive);
        gen.set_state(state);
        return p;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(fmt::format("checkpoint {} is unreadable: {}", path, firstLine(e.what())));
    }
}

}  // namespace syno::evaluation
