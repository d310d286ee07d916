#pragma once
// Fashion-MNIST as Debian's dataset-fashion-mnist installs it: four gzip'd idx files (28x28 uint8 images,
// labels 0..9). Torch-free: raw bytes in memory (60k training images take 47 MB), converted batch by batch.
#include <cstdint>
#include <string>
#include <vector>

namespace syno::evaluation {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr int kClasses = 10;

struct ImageSet {
    int64_t count = 0;
    int64_t channels = 1, rows = 0, cols = 0;
    std::vector<uint8_t> pixels;  // count * channels * rows * cols, channel-major per image (CHW)
    std::vector<uint8_t> labels;  // count, each below the data set's class count
    int64_t imageSize() const { return channels * rows * cols; }
};

// A labelled image data set split as its distribution ships it (Fashion-MNIST here, CIFAR in Cifar.h).
struct ImageData {
    std::string name;  // fashion-mnist | cifar10 | cifar100
    ImageSet train;    // Fashion-MNIST: 60,000; CIFAR: 50,000
    ImageSet test;     // 10,000
    int classes = kClasses;
};
using FashionMnist = ImageData;

// Reads one images/labels pair. Throws syno::Error (one line naming the file and the Debian package) when a
// file is missing, truncated, corrupt or inconsistent (counts differ, a label is out of range).
ImageSet readIdxPair(const std::string& imagesPath, const std::string& labelsPath);

// Both splits from `dir` (train-*-ubyte.gz and t10k-*-ubyte.gz).
ImageData loadFashionMnist(const std::string& dir = kFashionMnistDir);

// By name: fashion-mnist (dir "" = Debian's), cifar10 or cifar100 (dir required: the binary distribution's
// folder). Throws syno::Error naming the known data sets.
ImageData loadDataSet(const std::string& name, const std::string& dir);
const char* dataSetNames();  // "fashion-mnist, cifar10, cifar100"

}  // namespace syno::evaluation
