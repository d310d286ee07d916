// `syno eval` end to end: help names the models and budgets, --spec prints the placeholders' problem, and
// bad input ends in exactly one line on stderr and exit code 1 (before any training starts).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "SynoProcess.h"

namespace {

namespace fs = std::filesystem;


class EvalCli : public ::testing::Test {
protected:
    fs::path dir;
    int exitCode = -1;
    std::string out, err;

    void SetUp() override {
        dir = syno::test::makeTempDir("syno_evalcli");
        ASSERT_FALSE(dir.empty());
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    void run(std::vector<std::string> args) {
        args.insert(args.begin(), "eval");
        const auto r = syno::test::runSyno(args, dir);
        exitCode = r.exitCode;
        out = r.out;
        err = r.err;
    }

    void expectOneLineError(const std::vector<std::string>& args, const std::string& mentions) {
        run(args);
        EXPECT_EQ(exitCode, 1) << err;
        EXPECT_EQ(err.rfind("syno: error: ", 0), 0u) << err;
        EXPECT_EQ(err.find('\n'), err.size() - 1) << err;
        EXPECT_NE(err.find(mentions), std::string::npos) << "'" << mentions << "' not in: " << err;
    }
};

TEST_F(EvalCli, HelpNamesModelsBudgetsAndCoefficients) {
    run({"--help"});
    EXPECT_EQ(exitCode, 0) << err;
    for (const char* s : {"--model", "--op", "--library", "--baseline", "--budget", "--epochs", "--subset", "--batch",
                          "--threads", "--time-limit", "--seed", "--data-dir", "resnet", "vgg", "mlp", "proxy", "final",
                          "k=3, s=2, g=4", "Examples:"})
        EXPECT_NE(out.find(s), std::string::npos) << s << " missing from:\n" << out;
}

TEST_F(EvalCli, SpecPrintsSampleOptions) {
    run({"--model", "vgg", "--spec"});
    EXPECT_EQ(exitCode, 0) << err;
    EXPECT_NE(out.find("--bindings 'N=1, C_in=16, C_out=16, H=28, W=28;"), std::string::npos) << out;
}

TEST_F(EvalCli, BadInputIsOneLine) {
    expectOneLineError({"--model", "resnet"}, "exactly one of");
    expectOneLineError({"--model", "alexnet", "--baseline"}, "unknown model");
    expectOneLineError({"--model", "resnet", "--library", "depthwise"}, "placeholder needs");
    expectOneLineError({"--model", "resnet", "--library", "nosuchlayer"}, "unknown layer");
    expectOneLineError({"--model", "resnet", "--op", (dir / "missing.op").string()}, "missing.op");
    expectOneLineError({"--model", "resnet", "--baseline", "--data-dir", (dir / "none").string()}, "dataset-fashion-mnist");
    expectOneLineError({"--model", "resnet", "--baseline", "--budget", "huge"}, "proxy or final");
    expectOneLineError({"--model", "resnet", "--baseline", "--epochs", "0"}, "--epochs");
}

}  // namespace
