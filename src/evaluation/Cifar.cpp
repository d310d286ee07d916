#include "evaluation/Cifar.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::evaluation {

namespace {

constexpr int64_t kSide = 32, kPixels = 3 * kSide * kSide;

void append(ImageSet& set, const std::filesystem::path& file, int classes) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(fmt::format("CIFAR file {} is missing or unreadable (give the binary distribution's folder)",
                                     file.string()));
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const int64_t labelBytes = classes == 100 ? 2 : 1, record = labelBytes + kPixels;
    const auto size = static_cast<int64_t>(bytes.size());
    if (size == 0 || size % record != 0)
        throw Error(fmt::format("CIFAR file {} has {} bytes, not a whole number of {}-byte records (is it CIFAR-{}?)",
                                file.string(), size, record, classes));
    for (int64_t at = 0; at < size; at += record) {
        const uint8_t label = bytes[static_cast<size_t>(at + labelBytes - 1)];
        if (label >= classes)
            throw Error(fmt::format("CIFAR file {} has label {} in record {}, outside 0..{}", file.string(), label,
                                    at / record, classes - 1));
        set.labels.push_back(label);
        set.pixels.insert(set.pixels.end(), bytes.begin() + at + labelBytes, bytes.begin() + at + record);
        ++set.count;
    }
}

ImageSet empty() {
    ImageSet s;
    s.channels = 3;
    s.rows = s.cols = kSide;
    return s;
}

}  // namespace

ImageData loadCifar(const std::string& dir, int classes) {
    if (classes != 10 && classes != 100) throw Error(fmt::format("CIFAR has 10 or 100 classes, not {}", classes));
    if (dir.empty()) throw Error(fmt::format("cifar{} needs --data-dir: the folder of its binary distribution", classes));
    const std::filesystem::path d(dir);
    ImageData data;
    data.name = fmt::format("cifar{}", classes);
    data.classes = classes;
    data.train = empty();
    data.test = empty();
    if (classes == 10) {
        for (int i = 1; i <= 5; ++i) append(data.train, d / fmt::format("data_batch_{}.bin", i), 10);
        append(data.test, d / "test_batch.bin", 10);
    } else {
        append(data.train, d / "train.bin", 100);
        append(data.test, d / "test.bin", 100);
    }
    return data;
}

ImageData loadDataSet(const std::string& name, const std::string& dir) {
    if (name == "fashion-mnist") return loadFashionMnist(dir.empty() ? kFashionMnistDir : dir);
    if (name == "cifar10") return loadCifar(dir, 10);
    if (name == "cifar100") return loadCifar(dir, 100);
    throw Error(fmt::format("unknown data set '{}' (known: {})", name, dataSetNames()));
}

const char* dataSetNames() { return "fashion-mnist, cifar10, cifar100"; }

}  // namespace syno::evaluation
