#pragma once
// What the storage layer's end-to-end tests share: a scratch folder per test, `syno` run in it, quick
// synthetic searches (depth 6: a fraction of a second each), and the check that a refused command left
// its file byte-identical. Needs SYNO_BINARY (SynoProcess.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "SynoProcess.h"

namespace syno::test {

class SyntheticSearchFixture : public ::testing::Test {
protected:
    std::filesystem::path dir;
    void SetUp() override {
        dir = makeTempDir("syno_search");
        ASSERT_FALSE(dir.empty());
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    std::string path(const std::string& name) const { return (dir / name).string(); }
    ProcessResult run(const std::vector<std::string>& args) { return runSyno(args, dir); }
    static std::vector<std::string> search(const std::vector<std::string>& extra) {
        std::vector<std::string> args = {"search", "--evaluator", "synthetic", "--depth", "6", "-q"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
    // Refused: exit 1, one line "syno: error: ..." naming `mentions`, the file byte-identical.
    void expectRefused(const std::vector<std::string>& args, const std::string& file, const std::string& mentions) {
        SCOPED_TRACE(mentions);
        const bool existed = std::filesystem::exists(file);
        const std::string before = existed ? readFile(file) : "";
        ProcessResult r = run(args);
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(r.err.rfind("syno: error: ", 0), 0u) << r.err;
        EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
        EXPECT_EQ(std::filesystem::exists(file), existed);
        if (existed) {
            EXPECT_EQ(readFile(file), before) << "the file was modified";
        }
    }
};

}  // namespace syno::test
