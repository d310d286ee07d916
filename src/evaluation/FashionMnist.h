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
    int64_t rows = 0, cols = 0;
    std::vector<uint8_t> pixels;  // count * rows * cols, row-major
    std::vector<uint8_t> labels;  // count, each < kClasses
    int64_t imageSize() const { return rows * cols; }
};

struct FashionMnist {
    ImageSet train;  // 60,000
    ImageSet test;   // 10,000
};

// Reads one images/labels pair. Throws syno::Error (one line naming the file and the Debian package) when a
// file is missing, truncated, corrupt or inconsistent (counts differ, a label is out of range).
ImageSet readIdxPair(const std::string& imagesPath, const std::string& labelsPath);

// Both splits from `dir` (train-*-ubyte.gz and t10k-*-ubyte.gz).
FashionMnist loadFashionMnist(const std::string& dir = kFashionMnistDir);

}  // namespace syno::evaluation
