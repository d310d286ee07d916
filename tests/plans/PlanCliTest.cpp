// `syno plan` end to end: the stages and kernels are printed, and bad input ends in one line on stderr
// and a non-zero exit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "TestHelpers.h"

namespace {

namespace fs = std::filesystem;

struct Result {
    int code = 0;
    std::string out, err;
};

std::string readAll(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Result run(const std::string& args, const std::string& stdinText = "") {
    fs::path dir = fs::temp_directory_path() / ("syno_plan_cli_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
    fs::create_directories(dir);
    fs::path in = dir / "in.txt", out = dir / "out.txt", err = dir / "err.txt";
    std::ofstream(in) << stdinText;
    std::string cmd = std::string(SYNO_BINARY) + " plan " + args + " < " + in.string() + " > " + out.string() + " 2> " + err.string();
    int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = readAll(out);
    r.err = readAll(err);
    return r;
}

TEST(PlanCliTest, PrintsStagesKernelsAndFlops) {
    Result r = run("--library conv2d --bindings 'C_in=16, C_out=16, H=8, W=8; C_in=32, C_out=32, H=4, W=4'");
    ASSERT_EQ(r.code, 0) << r.err;
    syno::test::expectContainsAll(r.out, {"binding 1", "binding 2", "kernel: conv2d", "why:", "FLOPs",
                                          "1 convolution(s)", "[1, 16, 8, 8]", "library kernels for 1 of 1"});
    Result ops = run("--library grouped --ops --bindings 'C_in=64, C_out=64, H=8, W=8'");
    ASSERT_EQ(ops.code, 0) << ops.err;
    syno::test::expectContainsAll(ops.out, {"conv2d(s0, s1, groups 32", "permute"});
    Result lat = run("--library conv1x1 --latency --runs 2 --bindings 'C_in=8, C_out=8, H=8, W=8'");
    ASSERT_EQ(lat.code, 0) << lat.err;
    syno::test::expectContainsAll(lat.out, {"latency (inference)", "torch::conv2d", "ratio"});
}

// --dump-passes shows the plan after the planner and after each pass, and the plans it then prints are
// the ones printed without it.
TEST(PlanCliTest, DumpPassesShowsThePlanAfterEachStep) {
    const std::string args = "--library operator2 --inference --ops --bindings 'C_in=64, C_out=64, H=8, W=8'";
    Result plain = run(args);
    Result dumped = run(args + " --dump-passes");
    ASSERT_EQ(plain.code, 0) << plain.err;
    ASSERT_EQ(dumped.code, 0) << dumped.err;
    std::vector<size_t> at;
    for (const char* step : {"after lower stages", "after fuse rolls", "after merge reshapes",
                             "after mark weight-only ops", "after fuse weight products", "after fuse index maps",
                             "## the plans"}) {
        at.push_back(dumped.out.find(step));
        ASSERT_NE(at.back(), std::string::npos) << step << " missing from:\n" << dumped.out;
    }
    EXPECT_TRUE(std::is_sorted(at.begin(), at.end())) << "steps out of order:\n" << dumped.out;
    // Operator 2's inference plan changes on the way (merged reshapes, weight-only ops marked): its hash differs.
    auto planLineAfter = [&](size_t from) {
        const size_t p = dumped.out.find("plan ", from);
        return dumped.out.substr(p, dumped.out.find(' ', p + 5) - p);
    };
    EXPECT_NE(planLineAfter(at.front()), planLineAfter(at[5]));
    const std::string tail = dumped.out.substr(dumped.out.find("## the plans\n") + 13);
    const std::string plainTail = plain.out.substr(plain.out.find('\n') + 1);  // after the "# operator" line
    EXPECT_EQ(tail, plainTail);
}

TEST(PlanCliTest, ReadsOperatorsFromStdin) {
    const std::string text = "syno-operator 1\nprimary C_in=8, C_out=4, N=2\noutput [N, C_out]\nr0 = sum(C_in)\n"
                             "input [i0, r0]\nweight [i1, r0]\nexpand [i1]\n";
    Result r = run("-", text);
    ASSERT_EQ(r.code, 0) << r.err;
    syno::test::expectContainsAll(r.out, {"matmul", "[2, 8]"});
}

// Two weights that the inference order contracts with each other first (a stored downsampling sample).
TEST(PlanCliTest, InferencePlansMarkWeightOnlyStages) {
    const std::string text =
        "syno-operator 1\nprimary C_in=32: 2, C_out=32: 4, H=16: 0, N=1: 0, W=16: 0\ncoefficients g=4, k=3: 2, s=2: 2\n"
        "output [N, C_out, H/s, W/s]\nr0 = sum(s)\nr1 = sum(g)\nr2 = sum(C_in*s)\nd0 = split(r2, i3)\n"
        "d1, d2 = merge(d0, W)\nd3 = split(r0, i2)\nd4 = stride(r1, s)\nd5 = unfold(d3, d4)\n"
        "input [i0, d1, d5, d2]\nweight [r1, i1, r0]\nweight [d1, i1]\nexpand [i1]\n";
    const std::string bindings = " --bindings 'N=2, C_in=8, C_out=8, H=8, W=8'";
    Result training = run("-" + bindings, text);
    ASSERT_EQ(training.code, 0) << training.err;
    EXPECT_EQ(training.out.find("weights only"), std::string::npos) << training.out;
    Result inference = run("- --inference" + bindings, text);
    ASSERT_EQ(inference.code, 0) << inference.err;
    syno::test::expectContainsAll(inference.out, {"stages ordered for inference", "7.373e+04 FLOPs (6.554e+04 per inference call)",
                                                  "contract(in_1, in_2)", "(weights only: once per weight version"});
}

// --profile times the inference plan's stages (and ops with --ops), or with --training a training step's.
TEST(PlanCliTest, ProfileTimesEachStageAndOp) {
    Result r = run("--library operator2 --profile --ops --runs 2 --bindings 'N=1, C_in=8, C_out=8, H=8, W=8' "
                   "--coef 'k=3, g=4, s=2'",
                   "");
    ASSERT_EQ(r.code, 0) << r.err;
    syno::test::expectContainsAll(r.out, {"stages ordered for inference", "latency (inference)",
                                          "profile (inference with prepared weights, 2 calls back to back",
                                          "% ", " ms  s4 = conv2d("});
    // A training step: every forward op under autograd (weight-only ones too), then the backward pass.
    Result train = run("--library operator2 --profile --training --ops --runs 2 --bindings 'N=1, C_in=8, C_out=8, H=8, W=8' "
                       "--coef 'k=3, g=4, s=2'",
                       "");
    ASSERT_EQ(train.code, 0) << train.err;
    syno::test::expectContainsAll(train.out, {"latency (training step)", "profile (training steps, 2 back to back",
                                              "ms backward (medians)", " ms  s4 = conv2d("});
    EXPECT_EQ(train.out.find("stages ordered for inference"), std::string::npos) << train.out;
    EXPECT_EQ(train.out.find("(weights only: prepared)"), std::string::npos) << train.out;
}

TEST(PlanCliTest, BadInputIsOneLineAndNonZero) {
    for (const auto& [args, stdinText, expected] : std::vector<std::tuple<std::string, std::string, std::string>>{
             {"-", "not an operator", "not a syno operator"},
             {"/nonexistent/op.txt", "", "does not exist"},
             {"--library grouped --bindings 'C_in=30'", "", "not an integer"},
             {"--library conv2d --bindings 'X=3'", "", "unknown variable"},
             {"--library conv2d --primary 'N=1, C_in, C_out=4, H=4, W=4'", "", "has no value"},
             {"--library nope", "", "unknown layer"},
         }) {
        Result r = run(args, stdinText);
        EXPECT_NE(r.code, 0) << args;
        EXPECT_EQ(r.out, "") << args;
        EXPECT_NE(r.err.find(expected), std::string::npos) << args << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
    }
}

// Sizes that overflow 64 bits, or tensors larger than the machine's memory, are refused in one line
// before anything is allocated (not a negative parameter count, not a libtorch stack trace).
TEST(PlanCliTest, SizesBeyondWhatCanBeCountedOrAllocated) {
    for (const auto& [args, expected] : std::vector<std::pair<std::string, std::string>>{
             {"--library conv2d --primary 'N=1, C_in=9223372036854775807, C_out=64, H=56, W=56'", "overflows 64 bits"},
             {"--library conv2d --primary 'N=1, C_in=4611686018427387904, C_out=4, H=2, W=2' --coef 'k=1, g=1, s=1'",
              "overflows 64 bits"},
             {"--library conv2d --latency --bindings 'N=4096, C_in=4096, C_out=4096, H=512, W=512'", "GB"},
         }) {
        Result r = run(args);
        EXPECT_EQ(r.code, 1) << args << ": " << r.err;
        EXPECT_NE(r.err.find(expected), std::string::npos) << args << ": " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << args << ": " << r.err;
        if (expected != "GB") {  // a plan too large to run is still printed; one too large to count is not
            EXPECT_EQ(r.out.find("parameters"), std::string::npos) << args << ": " << r.out;
        }
    }
}

}  // namespace
