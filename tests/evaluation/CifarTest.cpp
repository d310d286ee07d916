// CIFAR-10 and CIFAR-100 in their binary distributions, on small files in that format written here: the
// records land in the right images and labels, bad files are one-line errors, and a real network trains
// on them end to end through `syno eval --data`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "SynoProcess.h"
#include "TestHelpers.h"
#include "evaluation/Cifar.h"

namespace syno::evaluation {
namespace {

namespace fs = std::filesystem;

// Record r of a file: label (r * 7 + file) % classes; pixel k of the record is (r + k + file) % 251.
void writeCifarFile(const fs::path& path, int records, int file, int classes) {
    std::ofstream out(path, std::ios::binary);
    for (int r = 0; r < records; ++r) {
        const auto label = static_cast<char>((r * 7 + file) % classes);
        if (classes == 100) out.put(static_cast<char>(label / 5));  // the coarse label, ignored
        out.put(label);
        for (int k = 0; k < 3072; ++k) out.put(static_cast<char>((r + k + file) % 251));
    }
}

void writeCifar10(const fs::path& dir, int perBatch) {
    fs::create_directories(dir);
    for (int b = 1; b <= 5; ++b) writeCifarFile(dir / ("data_batch_" + std::to_string(b) + ".bin"), perBatch, b, 10);
    writeCifarFile(dir / "test_batch.bin", perBatch, 0, 10);
}

class CifarTest : public ::testing::Test {
protected:
    fs::path dir;
    void SetUp() override {
        dir = test::makeTempDir("syno_cifar");
        ASSERT_FALSE(dir.empty());
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

TEST_F(CifarTest, ReadsTheBinaryDistributions) {
    writeCifar10(dir / "c10", 30);
    const ImageData c10 = loadDataSet("cifar10", (dir / "c10").string());
    EXPECT_EQ(c10.classes, 10);
    EXPECT_EQ(c10.train.count, 150);
    EXPECT_EQ(c10.test.count, 30);
    EXPECT_EQ(c10.train.channels, 3);
    EXPECT_EQ(c10.train.rows, 32);
    EXPECT_EQ(c10.train.imageSize(), 3072);
    ASSERT_EQ(c10.train.pixels.size(), 150u * 3072u);
    // Image 31 is record 1 of data_batch_2: label (7 + 2) % 10, pixel k = (1 + k + 2) % 251 in CHW order.
    EXPECT_EQ(c10.train.labels[31], 9);
    EXPECT_EQ(c10.train.pixels[31 * 3072 + 0], 3);
    EXPECT_EQ(c10.train.pixels[31 * 3072 + 1024 + 5], (1 + 1024 + 5 + 2) % 251);  // green plane

    fs::create_directories(dir / "c100");
    writeCifarFile(dir / "c100" / "train.bin", 40, 1, 100);
    writeCifarFile(dir / "c100" / "test.bin", 10, 2, 100);
    const ImageData c100 = loadDataSet("cifar100", (dir / "c100").string());
    EXPECT_EQ(c100.classes, 100);
    EXPECT_EQ(c100.train.count, 40);
    EXPECT_EQ(c100.train.labels[13], (13 * 7 + 1) % 100);  // the fine label
}

TEST_F(CifarTest, BadFilesAreOneLineErrors) {
    auto expectError = [](const std::function<void()>& f, const std::string& mentions) {
        const std::string msg = test::errorOf(f);
        EXPECT_NE(msg.find(mentions), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    };
    expectError([&] { loadDataSet("cifar10", (dir / "none").string()); }, "data_batch_1.bin");
    expectError([&] { loadDataSet("cifar10", ""); }, "--data-dir");
    expectError([&] { loadDataSet("imagenet", ""); }, "cifar100");
    writeCifar10(dir / "cut", 4);
    fs::resize_file(dir / "cut" / "data_batch_3.bin", 3073 * 2 + 100);
    expectError([&] { loadDataSet("cifar10", (dir / "cut").string()); }, "whole number");
    writeCifar10(dir / "label", 4);
    {
        std::fstream f(dir / "label" / "test_batch.bin", std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(3073);
        f.put(static_cast<char>(12));
    }
    expectError([&] { loadDataSet("cifar10", (dir / "label").string()); }, "label 12");
    // CIFAR-10 files read as CIFAR-100 have the wrong record size.
    fs::create_directories(dir / "mixed");
    writeCifarFile(dir / "mixed" / "train.bin", 3, 1, 10);
    writeCifarFile(dir / "mixed" / "test.bin", 3, 1, 10);
    expectError([&] { loadDataSet("cifar100", (dir / "mixed").string()); }, "CIFAR-100");
}

TEST_F(CifarTest, ARealNetworkTrainsOnIt) {
    writeCifar10(dir / "c10", 450);  // 2,250 training images: 2,000 validate, 64 train
    const auto r = test::runSyno({"eval", "--model", "resnet18", "--baseline", "--data", "cifar10", "--data-dir",
                                  (dir / "c10").string(), "--epochs", "1", "--subset", "64", "--batch", "32",
                                  "--no-latency", "--threads", "1", "--json", (dir / "r.json").string()},
                                 dir);
    // Two steps on patterned noise need not pass the first milestone: what matters is that it trained.
    ASSERT_TRUE(r.exitCode == 0 || r.err.find("milestone") != std::string::npos) << r.err;
    const std::string json = test::readFile(dir / "r.json");
    EXPECT_NE(json.find("data=cifar10"), std::string::npos) << json;
    EXPECT_NE(json.find("\"validation_by_epoch\""), std::string::npos) << json;
    // The small models are Fashion-MNIST's.
    const auto bad = test::runSyno({"eval", "--model", "resnet", "--baseline", "--data", "cifar10", "--data-dir",
                                    (dir / "c10").string(), "--no-latency"},
                                   dir);
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.err.find("fashion-mnist only"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace syno::evaluation
