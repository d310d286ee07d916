// `syno eval` end to end: help names the models and budgets, --spec prints the placeholders' problem,
// bad input ends in exactly one line on stderr and exit code 1 (before any training starts), and a training
// killed after an epoch resumes from its checkpoint with the numbers of one never stopped.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

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

// The one checkpoint file in `dir`, or "" when there is none.
std::string checkpointIn(const fs::path& dir) {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".ckpt") return e.path().string();
    return "";
}

TEST_F(EvalCli, AKilledTrainingResumesFromItsCheckpointWithTheSameNumbers) {
    // Batch norm's running statistics, momentum, the data order and Operator 2's weight-only stage all have to
    // come back for the numbers to match.
    const std::vector<std::string> common{"eval", "--model", "resnet", "--library", "operator2", "--skip-baseline",
                                          "--no-latency", "--epochs", "2", "--subset", "4096", "--threads", "1",
                                          "--seed", "3"};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = common;
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    };
    const fs::path ck = dir / "checkpoints";
    const auto whole = syno::test::runSyno(with({"--json", (dir / "whole.json").string()}), dir);
    ASSERT_EQ(whole.exitCode, 0) << whole.err;

    const std::string resumedJson = (dir / "resumed.json").string();
    const pid_t pid = syno::test::spawnSyno(with({"--json", resumedJson, "--checkpoint-dir", ck.string()}));
    ASSERT_GT(pid, 0);
    int status = 0;
    bool exited = false;
    while (checkpointIn(ck).empty() && !exited) {
        exited = waitpid(pid, &status, WNOHANG) == pid;
        usleep(2000);
    }
    ASSERT_FALSE(exited) << "the training ended before writing a checkpoint";
    kill(pid, SIGKILL);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the training finished before the kill: make its epochs longer";
    const std::string checkpoint = checkpointIn(ck);
    ASSERT_FALSE(checkpoint.empty());
    EXPECT_FALSE(fs::exists(resumedJson));

    const auto resumed = syno::test::runSyno(with({"--json", resumedJson, "--checkpoint-dir", ck.string()}), dir);
    ASSERT_EQ(resumed.exitCode, 0) << resumed.err;
    EXPECT_NE(resumed.err.find("resuming after epoch 1 of 2"), std::string::npos) << resumed.err;
    const auto a = nlohmann::json::parse(syno::test::readFile(dir / "whole.json"));
    const auto b = nlohmann::json::parse(syno::test::readFile(resumedJson));
    EXPECT_EQ(a["details"]["validation_by_epoch"], b["details"]["validation_by_epoch"]);
    EXPECT_EQ(a["details"]["train_loss_by_epoch"], b["details"]["train_loss_by_epoch"]);
    EXPECT_EQ(a["metrics"]["test_accuracy"], b["metrics"]["test_accuracy"]);
    EXPECT_EQ(a["details"]["validation_by_epoch"].size(), 2u);
    // The killed process's time counts: more than the resumed epoch alone.
    EXPECT_GT(b["metrics"]["train_seconds"].get<double>(), 0.5 * a["metrics"]["train_seconds"].get<double>());
    EXPECT_TRUE(checkpointIn(ck).empty()) << "a finished training's checkpoint is removed";

    // A checkpoint that cannot be read costs the time it saved, not the result: one warning, then a fresh start.
    std::ofstream(checkpoint) << "not a checkpoint";
    const std::string freshJson = (dir / "fresh.json").string();
    const auto fresh = syno::test::runSyno(with({"--json", freshJson, "--checkpoint-dir", ck.string()}), dir);
    ASSERT_EQ(fresh.exitCode, 0) << fresh.err;
    EXPECT_NE(fresh.err.find("unreadable"), std::string::npos) << fresh.err;
    EXPECT_NE(fresh.err.find("training from the start"), std::string::npos) << fresh.err;
    EXPECT_EQ(nlohmann::json::parse(syno::test::readFile(freshJson))["details"]["validation_by_epoch"],
              a["details"]["validation_by_epoch"]);
}

TEST_F(EvalCli, ACheckpointFolderThatCannotBeMadeIsOneLine) {
    std::ofstream(dir / "file") << "x";
    expectOneLineError({"--model", "mlp", "--baseline", "--checkpoint-dir", (dir / "file").string()}, "as a folder");
    expectOneLineError({"--model", "mlp", "--baseline", "--latency-only", "--checkpoint-dir", (dir / "c").string()},
                       "--latency-only");
    expectOneLineError({"--model", "mlp", "--baseline", "--checkpoint-dir", ""}, "--checkpoint-dir");
}

}  // namespace
