// The Fashion-MNIST loader on the real files (sizes, labels, class balance), its one-line errors for a
// missing or truncated file, and the deterministic splits.
#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <set>

#include "TestHelpers.h"
#include "evaluation/FashionMnist.h"
#include "evaluation/Splits.h"

namespace syno::evaluation {
namespace {

namespace fs = std::filesystem;

class DataTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { data_ = new FashionMnist(loadFashionMnist()); }
    static void TearDownTestSuite() {
        delete data_;
        data_ = nullptr;
    }
    static const FashionMnist& data() { return *data_; }

    fs::path tempDir() {
        std::string tmpl = (fs::temp_directory_path() / "syno_eval_XXXXXX").string();
        EXPECT_NE(mkdtemp(tmpl.data()), nullptr);
        dirs_.push_back(tmpl);
        return tmpl;
    }
    void TearDown() override {
        std::error_code ec;
        for (const auto& d : dirs_) fs::remove_all(d, ec);
    }

private:
    static inline FashionMnist* data_ = nullptr;
    std::vector<fs::path> dirs_;
};

TEST_F(DataTest, ReadsTheRealFiles) {
    const auto& d = data();
    EXPECT_EQ(d.train.count, 60000);
    EXPECT_EQ(d.test.count, 10000);
    for (const ImageSet* set : {&d.train, &d.test}) {
        EXPECT_EQ(set->rows, 28);
        EXPECT_EQ(set->cols, 28);
        EXPECT_EQ(set->pixels.size(), static_cast<size_t>(set->count * 28 * 28));
        ASSERT_EQ(set->labels.size(), static_cast<size_t>(set->count));
        std::array<int64_t, kClasses> perClass{};
        for (uint8_t l : set->labels) {
            ASSERT_LT(l, kClasses);
            ++perClass[l];
        }
        for (int64_t c : perClass) EXPECT_EQ(c, set->count / kClasses);  // Fashion-MNIST is balanced
    }
}

TEST_F(DataTest, MissingDirectoryNamesThePackage) {
    std::string msg = test::errorOf([] { loadFashionMnist("/nonexistent/fashion-mnist"); });
    EXPECT_NE(msg.find("dataset-fashion-mnist"), std::string::npos) << msg;
    EXPECT_NE(msg.find("missing"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
}

TEST_F(DataTest, TruncatedFileIsRejected) {
    const fs::path dir = tempDir();
    const fs::path src = kFashionMnistDir;
    for (const char* name : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                             "t10k-labels-idx1-ubyte.gz"})
        fs::copy_file(src / name, dir / name);
    // Cut the test images in half: the gzip stream ends early.
    const fs::path cut = dir / "t10k-images-idx3-ubyte.gz";
    fs::resize_file(cut, fs::file_size(cut) / 2);
    std::string msg = test::errorOf([&] { loadFashionMnist(dir.string()); });
    EXPECT_NE(msg.find("t10k-images-idx3-ubyte.gz"), std::string::npos) << msg;
    EXPECT_NE(msg.find("dataset-fashion-mnist"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
}

TEST_F(DataTest, SplitsAreDeterministicDisjointAndSized) {
    const auto a = splitTraining(data().train, 2000, 16000);
    const auto b = splitTraining(data().train, 2000, 16000);
    EXPECT_EQ(a.train, b.train);
    EXPECT_EQ(a.validation, b.validation);
    EXPECT_EQ(a.train.size(), 16000u);
    EXPECT_EQ(a.validation.size(), 2000u);
    std::set<int64_t> seen(a.validation.begin(), a.validation.end());
    for (int64_t i : a.train) EXPECT_FALSE(seen.count(i)) << i;
    // A larger subset extends the smaller one, and the validation set does not change with it.
    const auto all = splitTraining(data().train, 2000, -1);
    EXPECT_EQ(all.train.size(), 58000u);
    EXPECT_EQ(all.validation, a.validation);
    EXPECT_TRUE(std::equal(a.train.begin(), a.train.end(), all.train.begin()));
    ASSERT_EQ(all.mean.size(), 1u);
    ASSERT_EQ(all.std.size(), 1u);
    EXPECT_NEAR(all.mean[0], 0.286, 0.01);  // Fashion-MNIST's well-known pixel statistics
    EXPECT_NEAR(all.std[0], 0.353, 0.01);
    EXPECT_NE(test::errorOf([&] { splitTraining(data().train, 5000, 56000); }).find("too few"), std::string::npos);
}

TEST(Splits, NormaliseEachChannelOnItsOwn) {
    // Three 2x2 channels: all black; black and white in equal parts; a constant grey of 51/255 = 0.2.
    ImageSet set;
    set.count = 6;
    set.channels = 3;
    set.rows = set.cols = 2;
    for (int64_t i = 0; i < set.count; ++i) {
        for (uint8_t v : {0, 0, 0, 0, 0, 255, 255, 0, 51, 51, 51, 51}) set.pixels.push_back(v);
        set.labels.push_back(static_cast<uint8_t>(i % 2));
    }
    const auto split = splitTraining(set, 1, -1);
    ASSERT_EQ(split.mean.size(), 3u);
    ASSERT_EQ(split.std.size(), 3u);
    EXPECT_FLOAT_EQ(split.mean[0], 0.0f);
    EXPECT_FLOAT_EQ(split.mean[1], 0.5f);
    EXPECT_FLOAT_EQ(split.std[1], 0.5f);
    EXPECT_FLOAT_EQ(split.mean[2], 0.2f);
    EXPECT_GT(split.std[0], 0.0f);  // a constant channel divides by a tiny positive figure, never by zero
    EXPECT_LT(split.std[2], 1e-5f);
}

TEST(Shuffle, IsAPermutationFixedBySeed) {
    const auto a = shuffledIndices(1000, 7);
    EXPECT_EQ(a, shuffledIndices(1000, 7));
    EXPECT_NE(a, shuffledIndices(1000, 8));
    std::set<int64_t> s(a.begin(), a.end());
    EXPECT_EQ(s.size(), 1000u);
    EXPECT_EQ(*s.begin(), 0);
    EXPECT_EQ(*s.rbegin(), 999);
}

}  // namespace
}  // namespace syno::evaluation
