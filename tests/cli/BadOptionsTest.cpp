// Every numeric option of every command refuses what is not a number in its range (NaN, huge, negative
// where that means nothing) with one line and exit code 1, before any work starts; the options are read
// from each command's --help, so an option added later is covered without being listed here. Names and
// texts are checked too: unknown variables, empty bindings, thread counts beyond this machine's cores.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "SynoProcess.h"

namespace {

namespace fs = std::filesystem;
using Result = syno::test::ProcessResult;

// Each command with what it requires besides: a bad value must be refused before anything is used.
const std::vector<std::vector<std::string>> kCommands = {
    {"demo"}, {"show"}, {"shapes"}, {"sample"}, {"plan"}, {"eval"}, {"search"},
    {"runs", "list", "--db", "r.db"}, {"runs", "show", "--db", "r.db"}, {"runs", "top", "--db", "r.db"},
    {"campaign", "--dir", "c"}};

class BadOptions : public ::testing::Test {
protected:
    fs::path dir;
    void SetUp() override {
        dir = syno::test::makeTempDir("syno_badopts");
        ASSERT_FALSE(dir.empty());
        fs::create_directory(dir / "work");
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    // Run in dir/work, so that anything a refused command wrote would show there.
    Result run(const std::vector<std::string>& args) { return syno::test::runSyno(args, dir, "", dir / "work"); }
    void expectRefused(const std::vector<std::string>& args, const std::string& mentions) {
        std::string shown;
        for (const auto& a : args) shown += " " + a;
        SCOPED_TRACE("syno" + shown);
        Result r = run(args);
        EXPECT_EQ(r.signal, 0) << r.err;
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(r.err.rfind("syno: error: ", 0), 0u) << r.err;
        EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
        EXPECT_TRUE(fs::is_empty(dir / "work")) << "the refused command left files behind";
    }
    // The numeric options a command's --help lists, each with whether the help shows its accepted range.
    std::vector<std::pair<std::string, bool>> numericOptions(const std::vector<std::string>& command) {
        std::vector<std::string> args;
        for (const auto& a : command) {
            if (a.rfind("--", 0) == 0) break;
            args.push_back(a);
        }
        args.push_back("--help");
        Result r = run(args);
        EXPECT_EQ(r.exitCode, 0);
        std::vector<std::pair<std::string, bool>> names;
        const std::regex option(R"(^\s+(?:-\w,)?(--[\w-]+) (?:INT|UINT|FLOAT)(\S*))");
        std::istringstream lines(r.out);
        for (std::string line; std::getline(lines, line);) {
            std::smatch m;
            if (std::regex_search(line, m, option)) names.emplace_back(m[1], m[2].str().rfind(":in", 0) == 0);
        }
        return names;
    }
};

// One process per option (syno takes about a second to start with libtorch): the bad values take turns,
// so each kind meets every sort of option; the help's range annotation shows every one is checked.
TEST_F(BadOptions, EveryNumericOptionRefusesWhatIsNotInItsRange) {
    const char* bad[] = {"nan", "-1e300", "1e300", "inf", "12abc", "-0x1p2000"};
    size_t checked = 0;
    for (const auto& command : kCommands)
        for (const auto& [name, ranged] : numericOptions(command)) {
            auto args = command;
            args.push_back(name);
            args.push_back(bad[checked++ % std::size(bad)]);
            expectRefused(args, name);
            // A seed has its own check (a whole number); every other number shows its range.
            if (name != "--seed") {
                EXPECT_TRUE(ranged) << name << " of " << command[0] << " has no range";
            }
        }
    // Every command's options were read (a change of the help's format must not make this pass empty).
    EXPECT_GT(checked, 60u);
}

TEST_F(BadOptions, NamesAndTextsAreChecked) {
    expectRefused({"sample", "--fixed", "Z", "-n", "1"}, "--fixed Z: no such variable");
    expectRefused({"sample", "--bindings", ""}, "--bindings: empty");
    expectRefused({"sample", "--bindings", "  "}, "--bindings: empty");
    expectRefused({"search", "--bindings", ""}, "--bindings: empty");
    expectRefused({"sample", "--seed", "-1"}, "is not a seed");
    expectRefused({"runs", "show", "--db", "x.db", "--seq", "0"}, "--seq");
    expectRefused({"search", "--threads", "10000"}, "threads: this process may use");
    expectRefused({"eval", "--latency-threads", "1,4096", "--latency-only"}, "threads: this process may use");
    expectRefused({"search", "--max-weight-rank", "0", "--evaluator", "synthetic"}, "--max-weight-rank");
    expectRefused({"shapes", "--bogus"}, "--bogus");
}

}  // namespace
