// The idx reader: big-endian header (magic, counts, dims), then raw bytes, all inside one gzip stream.
#include "evaluation/FashionMnist.h"

#include <zlib.h>

#include <filesystem>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::evaluation {

namespace {

constexpr const char* kInstallHint = "install the Debian package dataset-fashion-mnist";

// The whole decompressed content of a .gz file; a truncated or corrupt stream is an error, not a short read.
std::vector<uint8_t> gunzip(const std::string& path) {
    if (!std::filesystem::exists(path)) throw Error(fmt::format("Fashion-MNIST file {} is missing: {}", path, kInstallHint));
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw Error(fmt::format("cannot open Fashion-MNIST file {}: {}", path, kInstallHint));
    std::vector<uint8_t> out;
    std::vector<uint8_t> chunk(1 << 20);
    for (;;) {
        int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
        if (n < 0) {
            int code = 0;
            std::string why = gzerror(f, &code);
            gzclose(f);
            throw Error(fmt::format("Fashion-MNIST file {} is corrupt ({}): {}", path, why, kInstallHint));
        }
        if (n == 0) break;
        out.insert(out.end(), chunk.begin(), chunk.begin() + n);
    }
    // zlib reports a stream cut short only through gzerror after the last read.
    int code = Z_OK;
    std::string why = gzerror(f, &code);
    gzclose(f);
    if (code != Z_OK && code != Z_STREAM_END)
        throw Error(fmt::format("Fashion-MNIST file {} is truncated or corrupt ({}): {}", path, why, kInstallHint));
    return out;
}

uint32_t bigEndian(const std::vector<uint8_t>& b, size_t at) {
    return (uint32_t{b[at]} << 24) | (uint32_t{b[at + 1]} << 16) | (uint32_t{b[at + 2]} << 8) | uint32_t{b[at + 3]};
}

// Checks the header and the payload size; returns the dims after the magic.
std::vector<int64_t> idxDims(const std::vector<uint8_t>& bytes, uint32_t magic, int rank, const std::string& path) {
    const size_t header = 4 + 4 * static_cast<size_t>(rank);
    if (bytes.size() < header || bigEndian(bytes, 0) != magic)
        throw Error(fmt::format("Fashion-MNIST file {} is not an idx file with magic {}: {}", path, magic, kInstallHint));
    std::vector<int64_t> dims;
    int64_t payload = 1;
    for (int d = 0; d < rank; ++d) {
        dims.push_back(bigEndian(bytes, 4 + 4 * static_cast<size_t>(d)));
        payload *= dims.back();
    }
    if (bytes.size() != header + static_cast<size_t>(payload))
        throw Error(fmt::format("Fashion-MNIST file {} is truncated: {} bytes of data where its header promises {}: {}", path,
                                bytes.size() - header, payload, kInstallHint));
    return dims;
}

}  // namespace

ImageSet readIdxPair(const std::string& imagesPath, const std::string& labelsPath) {
    const auto images = gunzip(imagesPath);
    const auto labels = gunzip(labelsPath);
    const auto imageDims = idxDims(images, 2051, 3, imagesPath);
    const auto labelDims = idxDims(labels, 2049, 1, labelsPath);
    if (imageDims[0] != labelDims[0])
        throw Error(fmt::format("Fashion-MNIST files {} and {} disagree: {} images, {} labels: {}", imagesPath, labelsPath,
                                imageDims[0], labelDims[0], kInstallHint));
    ImageSet set;
    set.count = imageDims[0];
    set.rows = imageDims[1];
    set.cols = imageDims[2];
    set.pixels.assign(images.begin() + 16, images.end());
    set.labels.assign(labels.begin() + 8, labels.end());
    for (size_t i = 0; i < set.labels.size(); ++i)
        if (set.labels[i] >= kClasses)
            throw Error(fmt::format("Fashion-MNIST file {} has label {} at {}, outside 0..9: {}", labelsPath, set.labels[i], i,
                                    kInstallHint));
    return set;
}

ImageData loadFashionMnist(const std::string& dir) {
    auto at = [&](const char* name) { return (std::filesystem::path(dir) / name).string(); };
    ImageData data;
    data.name = "fashion-mnist";
    data.train = readIdxPair(at("train-images-idx3-ubyte.gz"), at("train-labels-idx1-ubyte.gz"));
    data.test = readIdxPair(at("t10k-images-idx3-ubyte.gz"), at("t10k-labels-idx1-ubyte.gz"));
    return data;
}

}  // namespace syno::evaluation
