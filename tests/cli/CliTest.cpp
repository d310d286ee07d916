// The `syno` binary end to end: help and version, and bad input that must end in exactly one line on
// stderr ("syno: error: ...") and exit code 1, never a crash.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "SynoProcess.h"

namespace {

namespace fs = std::filesystem;

using Result = syno::test::ProcessResult;
using syno::test::readFile;

int lineCount(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    if (!s.empty() && s.back() != '\n') ++n;
    return n;
}

class CliTest : public ::testing::Test {
protected:
    fs::path dir;

    void SetUp() override {
        dir = syno::test::makeTempDir("syno_cli");
        ASSERT_FALSE(dir.empty());
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    std::string write(const std::string& name, const std::string& content) {
        fs::path p = dir / name;
        std::ofstream(p, std::ios::binary) << content;
        return p.string();
    }

    // Runs syno with args (each quoted for the shell), optionally feeding a file on stdin.
    Result run(const std::vector<std::string>& args, const std::string& stdinFile = "") {
        return syno::test::runSyno(args, dir, stdinFile);
    }

    // Bad input: exit code 1, one line on stderr starting "syno: error:" and naming `mentions`.
    void expectOneLineError(const std::vector<std::string>& args, const std::string& mentions,
                            const std::string& stdinFile = "") {
        std::string shown;
        for (const auto& a : args) shown += " " + a;
        SCOPED_TRACE("syno" + shown);
        Result r = run(args, stdinFile);
        EXPECT_EQ(r.signal, 0) << "crashed: " << r.err;
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_EQ(lineCount(r.err), 1) << r.err;
        EXPECT_EQ(r.err.rfind("syno: error: ", 0), 0u) << r.err;
        EXPECT_NE(r.err.find(mentions), std::string::npos) << "'" << mentions << "' not in: " << r.err;
    }
};

TEST_F(CliTest, HelpListsTheCommands) {
    Result r = run({"--help"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    for (const char* s : {"demo", "show", "shapes", "sample", "--version", "--help"})
        EXPECT_NE(r.out.find(s), std::string::npos) << s << " missing from:\n" << r.out;
}

TEST_F(CliTest, CommandHelpMentionsItsOptions) {
    const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
        {"demo", {"--threads", "--seed", "--tolerance"}},
        {"show", {"--library", "--json", "--loops", "--cost", "--pad", "--primary", "--coef", "--bindings"}},
        {"shapes", {"--input", "--output", "--primary", "--coef", "--bindings"}},
        {"sample", {"--input", "--output", "--count", "--seed", "--mode", "--enumerate", "--path-of", "--follow",
                    "--json", "--loops", "--stats", "--depth", "--max-reductions", "--max-weights", "--max-chain",
                    "--max-shifts", "--max-flops", "--min-weight-size", "--max-enum", "--max-nodes"}},
    };
    for (const auto& [command, options] : commands) {
        Result r = run({command, "--help"});
        EXPECT_EQ(r.exitCode, 0) << command << ": " << r.err;
        for (const auto& o : options) EXPECT_NE(r.out.find(o), std::string::npos) << command << " help lacks " << o;
    }
}

TEST_F(CliTest, Version) {
    Result r = run({"--version"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(syno \d+\.\d+\.\d+)"))) << r.out;
}

// `syno` answers sample and shapes without libtorch and hands every other command to syno-full beside it.
// Alone in a folder it still samples; asked for anything else it says in one line what it could not run.
TEST_F(CliTest, SampleAndShapesNeedNoLibtorchTheRestRunsSynoFull) {
    const fs::path alone = dir / "alone";
    fs::create_directories(alone);
    fs::copy_file(SYNO_BINARY, alone / "syno");
    auto runAlone = [&](const std::string& args) {
        const std::string cmd = "exec " + (alone / "syno").string() + " " + args + " >" + (dir / "out").string() +
                                " 2>" + (dir / "err").string() + " </dev/null";
        const int status = std::system(cmd.c_str());
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    };
    EXPECT_EQ(runAlone("sample -n 2 --seed 1"), 0) << readFile(dir / "err");
    EXPECT_NE(readFile(dir / "out").find("syno-operator"), std::string::npos);
    EXPECT_EQ(runAlone("shapes --input '[N, C_in, H, W]' --output '[N, C_out, H, W]' --primary 'N=1, C_in, C_out, H, W' "
                       "--bindings 'C_in=8, C_out=8, H=4, W=4'"), 0)
        << readFile(dir / "err");
    EXPECT_EQ(runAlone("show --library conv2d"), 1);
    const std::string err = readFile(dir / "err");
    EXPECT_EQ(lineCount(err), 1) << err;
    EXPECT_NE(err.find("syno: error: cannot run " + (alone / "syno-full").string()), std::string::npos) << err;
    // Beside syno-full, the same commands give the same answers either way.
    Result front = run({"sample", "-n", "3", "--seed", "2"});
    ASSERT_EQ(front.exitCode, 0) << front.err;
    const fs::path full = fs::path(SYNO_BINARY).parent_path() / "syno-full";
    const std::string cmd = "exec " + full.string() + " sample -n 3 --seed 2 >" + (dir / "full").string() + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    EXPECT_EQ(readFile(dir / "full"), front.out);
}

TEST_F(CliTest, ShapesOnGoodInput) {
    Result r = run({"shapes", "--output", "[N, C_out, H/s, W/s]", "--bindings", "H=56, W=56; H=28, W=28"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    EXPECT_NE(r.out.find("binding 2"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("-> output [1, 64, 14, 14]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("all sizes are positive integers in all 2 binding(s)"), std::string::npos) << r.out;
}

TEST_F(CliTest, MalformedShape) { expectOneLineError({"shapes", "--output", "[N, C_out H]"}, "column"); }

TEST_F(CliTest, UnknownVariableInOutputShape) {
    expectOneLineError({"shapes", "--output", "[N, C_out, X, W]"}, "unknown variable 'X'");
}

TEST_F(CliTest, ZeroSize) {
    expectOneLineError({"shapes", "--primary", "N=0, C_in=64, C_out=64, H=56, W=56"}, "positive");
    expectOneLineError({"shapes", "--bindings", "H=-3"}, "positive");
}

TEST_F(CliTest, ContradictoryOrIncompleteSpecs) {
    expectOneLineError({"shapes", "--primary", "N=1, C_in=64, C_out=64, H=56, W=56, k", "--coef", "k=3"},
                       "declared twice");
    expectOneLineError({"shapes", "--primary", "N=1, C_in, C_out=64, H=56, W=56", "--bindings", "C_in=64; H=28"},
                       "no value");
    expectOneLineError({"shapes", "--bindings", "C_in=64; X=3"}, "unknown variable 'X'");
}

TEST_F(CliTest, SizesThatDoNotDivide) {
    expectOneLineError({"shapes", "--output", "[N, C_out/g, H, W]", "--coef", "g=32", "--bindings", "C_out=48"},
                       "binding 1");
    expectOneLineError({"shapes", "--output", "[N, C_out, H/s, W/s]", "--coef", "s=3", "--bindings",
                        "H=30, W=30; H=28, W=28"},
                       "binding 2");
}

// The shape parser accepts newlines as spaces, and the error echoes the text: it must stay one line.
TEST_F(CliTest, ErrorStaysOneLineWhenTheInputHasANewline) {
    expectOneLineError({"shapes", "--output", "[N, C_out,\n X, W]"}, "unknown variable 'X'");
}

// --pad on an operator whose coefficient product overflows 64 bits (s^2 with s = 2^32).
TEST_F(CliTest, PaddingOverflowIsAnErrorNotACrash) {
    std::string path = write("overflow.syno",
                             "syno-operator 1\n"
                             "primary N, H\n"
                             "coefficients s=4294967296\n"
                             "output [N, H/s^2]\n"
                             "r0 = mean(s^2)\n"
                             "d0 = split(i1, r0)\n"
                             "input [i0, d0]\n");
    expectOneLineError({"show", path, "--cost", "--bindings", "N=1, H=8"}, "overflows");
    expectOneLineError({"show", path, "--cost", "--pad", "--bindings", "N=1, H=8"}, "");
}

TEST_F(CliTest, OperatorFileThatDoesNotExist) {
    std::string missing = (dir / "no-such.syno").string();
    expectOneLineError({"show", missing}, missing);
}

TEST_F(CliTest, FileThatIsNotAnOperator) {
    std::string path = write("notes.txt", "these are\nnot an operator\n");
    expectOneLineError({"show", path}, "not a syno operator");
    expectOneLineError({"show", "-"}, "not a syno operator", path);
}

// Whatever bytes a bad input holds, the error is one short printable line: a directory is named as one,
// a NUL byte does not cut the message, invalid UTF-8 is escaped, and a 100 KB line is not echoed whole.
using namespace std::string_literals;

bool validUtf8(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        i += n;
    }
    return true;
}

TEST_F(CliTest, ErrorsShowUserInputAsOneShortPrintableLine) {
    expectOneLineError({"show", dir.string()}, "is a directory");
    const std::vector<std::pair<std::string, std::string>> inputs = {
        {"nul.op", "syno-operator 1\nprimary N=1\noutput [N, bo\0gus]\n"s},
        {"latin1.op", "syno-operator 1\nprimary N=1, \xe9t\xe9=3\noutput [N]\n"},
        {"long.op", "syno-operator 1\nprimary " + std::string(100000, 'x') + "=3\n"},
        {"binary.op", "\x7f" "ELF\x02\x01\x01\0\0\0\xff\xfe\n"s}};
    for (const auto& [name, content] : inputs) {
        SCOPED_TRACE(name);
        Result r = run({"show", write(name, content)});
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_EQ(r.signal, 0);
        EXPECT_EQ(lineCount(r.err), 1) << r.err;
        EXPECT_EQ(r.err.rfind("syno: error: ", 0), 0u) << r.err;
        EXPECT_LT(r.err.size(), 1000u);
        EXPECT_TRUE(validUtf8(r.err)) << r.err;
        EXPECT_EQ(r.err.find('\0'), std::string::npos);
        for (char c : r.err.substr(0, r.err.size() - 1)) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << r.err;
    }
    // The message goes past the NUL byte: what follows it is shown, escaped.
    Result nul = run({"show", (dir / "nul.op").string()});
    EXPECT_NE(nul.err.find("\\x00"), std::string::npos) << nul.err;
}

TEST_F(CliTest, CorruptJsonOperator) {
    Result json = run({"show", "--library", "conv2d", "--json"});
    ASSERT_EQ(json.exitCode, 0) << json.err;
    std::string path = write("corrupt.json", json.out.substr(0, json.out.size() / 2));
    expectOneLineError({"show", path}, "JSON");
    std::string wrongId = json.out;
    size_t at = wrongId.find("\"id\": \"");
    ASSERT_NE(at, std::string::npos) << json.out;
    wrongId.replace(at + 7, 16, "0000000000000000");
    expectOneLineError({"show", write("wrong-id.json", wrongId)}, "0000000000000000");
}

TEST_F(CliTest, OtherShowErrors) {
    expectOneLineError({"show", "--library", "nope"}, "unknown layer 'nope'");
    expectOneLineError({"show"}, "--library");
    // avg-pool 3x3 at H=28 needs padding: refused without --pad.
    expectOneLineError({"show", "--library", "avgpool", "--cost", "--coef", "s=3", "--bindings", "H=28, W=28"},
                       "not an integer");
}

TEST_F(CliTest, CostWithPadding) {
    Result r = run({"show", "--library", "avgpool", "--cost", "--pad", "--coef", "s=3", "--bindings", "H=28, W=28"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("FLOPs"), std::string::npos) << r.out;
}

TEST_F(CliTest, JsonOutputParsesBackFromStdin) {
    Result json = run({"show", "--library", "conv2d", "--json"});
    ASSERT_EQ(json.exitCode, 0) << json.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(json.out, m, std::regex(R"re("id": "([0-9a-f]{16})")re"))) << json.out;
    std::string id = m[1];
    std::string path = write("conv.json", json.out);
    Result back = run({"show", "-"}, path);
    EXPECT_EQ(back.exitCode, 0) << back.err;
    EXPECT_EQ(back.out.rfind("# id " + id + "\n", 0), 0u) << back.out;
    Result text = run({"show", "--library", "conv2d"});
    EXPECT_EQ(back.out, text.out);  // same canonical text as the layer itself
    Result again = run({"show", "-", "--json"}, path);
    EXPECT_EQ(again.out, json.out);
    // The text form reads back too.
    std::string textPath = write("conv.syno", text.out);
    EXPECT_EQ(run({"show", "-"}, textPath).out, text.out);
}

TEST_F(CliTest, DemoAgrees) {
    Result r = run({"demo", "--threads", "1"});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("agree"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("restrict(i2+r1-(k-1)/2, 0, H)"), std::string::npos) << r.out;
}

// Command-line syntax errors belong to the argument parser: they must still fail cleanly.
TEST_F(CliTest, UnknownOptionFailsWithoutCrashing) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"shapes", "--bogus"}, std::vector<std::string>{"demo", "--threads", "0"}}) {
        Result r = run(args);
        EXPECT_EQ(r.signal, 0) << r.err;
        EXPECT_GT(r.exitCode, 0) << r.err;
        EXPECT_LT(r.exitCode, 128) << r.err;
        EXPECT_FALSE(r.err.empty());
    }
}

}  // namespace

namespace {

// `syno sample`: the same seed and options print the same operators; JSON is well formed; a hand-built
// conv2d is located in the space and replayed from its path.
TEST_F(CliTest, SampleIsDeterministic) {
    Result a = run({"sample", "-n", "5", "--seed", "3"});
    Result b = run({"sample", "-n", "5", "--seed", "3"});
    Result c = run({"sample", "-n", "5", "--seed", "4"});
    ASSERT_EQ(a.exitCode, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_NE(a.out, c.out);
    EXPECT_NE(a.out.find("# operator 5 of 5"), std::string::npos) << a.out;
    Result typeFirst = run({"sample", "-n", "5", "--seed", "3", "--mode", "type-first", "--json"});
    ASSERT_EQ(typeFirst.exitCode, 0) << typeFirst.err;
    EXPECT_EQ(typeFirst.out.front(), '[');
    EXPECT_NE(typeFirst.out.find("\"path\""), std::string::npos);
}

TEST_F(CliTest, SamplePathOfAHandBuiltConv) {
    const std::string primary = "N=1: 0, C_in=32: 2, C_out=32: 4, H=16: 0, W=16: 0", coef = "k=3: 2, s=2: 2, g=4: 3";
    Result shown = run({"show", "--library", "conv2d", "--primary", primary, "--coef", coef});
    ASSERT_EQ(shown.exitCode, 0) << shown.err;
    std::string file = write("conv.op", shown.out);
    Result found = run({"sample", "--path-of", file, "--depth", "6"});
    ASSERT_EQ(found.exitCode, 0) << found.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(found.out, m, std::regex("# path: (\\S+)"))) << found.out;
    Result replay = run({"sample", "--follow", m[1].str(), "--depth", "6"});
    ASSERT_EQ(replay.exitCode, 0) << replay.err;
    EXPECT_NE(replay.out.find("unfold(H, k) ; unfold(W, k)"), std::string::npos) << replay.out;
    // Too shallow for a 3x3 conv (it needs 6 steps): not in the space, said in one line.
    expectOneLineError({"sample", "--path-of", file, "--depth", "5"}, "not in this search space");
}

TEST_F(CliTest, SampleRefusesImpossibleRequests) {
    // The input's W must come from the output or a reduction, and W may not be reduced (W: 0).
    expectOneLineError({"sample", "--input", "[N, C_in, H, W]", "--output", "[N, C_out, H]", "--depth", "12"},
                       "cannot be placed");
    expectOneLineError({"sample", "--depth", "1"}, "within depth 1");
    expectOneLineError({"sample", "--follow", "split:zz"}, "malformed key");
    expectOneLineError({"sample", "--mode", "sideways"}, "--mode");
    expectOneLineError({"sample", "--min-flops-ratio", "0.9", "--max-flops-ratio", "0.5"}, "FLOPs window is empty");
    if (std::thread::hardware_concurrency() >= 2)  // below, --threads 2 is refused for the cores instead
        expectOneLineError({"sample", "--enumerate", "--threads", "2"}, "random sampling");
    expectOneLineError({"sample", "--input", "[N, C_in]", "--output", "[N, C_out]", "--primary", "N=1: 0, C_in=4: 2, C_out=4: 4",
                        "--coef", "g=2", "--min-flops-ratio", "0.5"},
                       "spatial dims");
}

// The FLOPs window as ratios of a dense 3x3 conv: every operator returned lies in it, and --stats gives
// the distribution of what was sampled. A dense conv is 2 * C_out * H * W * C_in * 9 = 4.719e6 FLOPs here.
TEST_F(CliTest, SampleWindowIsARatioOfADenseConv) {
    Result r = run({"sample", "-n", "6", "--seed", "2", "--depth", "7", "--min-flops-ratio", "0.3", "--max-flops-ratio",
                    "0.9", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto ops = nlohmann::json::parse(r.out);
    ASSERT_FALSE(ops.empty());
    const double conv = 2.0 * 32 * 16 * 16 * 32 * 9;
    for (const auto& op : ops) {
        EXPECT_GE(op["flops"].get<double>(), 0.3 * conv) << op["id"];
        EXPECT_LE(op["flops"].get<double>(), 0.9 * conv) << op["id"];
    }
    Result stats = run({"sample", "-n", "6", "--seed", "2", "--depth", "7", "--min-flops-ratio", "0.3", "--stats"});
    ASSERT_EQ(stats.exitCode, 0) << stats.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(stats.out, m, std::regex("dense 3x3 conv \\(4\\.719e\\+06\\): min ([0-9.]+)x")))
        << stats.out;
    EXPECT_GE(std::stod(m[1].str()), 0.3);
    EXPECT_NE(stats.out.find("[0.15, 0.3) 0"), std::string::npos) << stats.out;
}

}  // namespace
