// `syno campaign` end to end on a tiny configuration (the MLP, a few hundred images): every step leaves its
// file, the table reads them, a campaign killed in the middle of its finals resumes without redoing any
// finished step, and a resume with other options is refused with one line, changing nothing.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "SynoProcess.h"

namespace {

namespace fs = std::filesystem;
using syno::test::readFile;
using syno::test::runSyno;
using syno::test::shellQuote;

std::vector<std::string> tinyCampaign(const fs::path& dir) {
    return {"campaign", "--model", "mlp", "--dir", dir.string(), "--hours", "1", "--search-budget", "2",
            "--finalists", "1", "--seeds", "2", "--baseline-seeds", "2", "--compare", "linear", "--proxy-epochs", "1",
            "--proxy-subset", "512", "--final-epochs", "1", "--final-subset", "512", "--latency-runs", "2",
            "--min-speedup", "0", "--kill-margin", "0", "--threads", "1", "--quiet-wait", "0"};
}

class CampaignCli : public ::testing::Test {
protected:
    fs::path scratch;
    void SetUp() override {
        scratch = syno::test::makeTempDir("syno_campaign");
        ASSERT_FALSE(scratch.empty());
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(scratch, ec);
    }
};

std::map<std::string, std::string> resultFiles(const fs::path& dir) {
    std::map<std::string, std::string> files;
    for (const char* sub : {"finals", "latency"})
        for (const auto& f : fs::directory_iterator(dir / sub))
            if (f.path().filename().string().front() != '.')  // a killed step's temporary file
                files[f.path().string()] = readFile(f.path());
    return files;
}

TEST_F(CampaignCli, KilledDuringTheFinalsResumesWithNothingRedone) {
    const fs::path dir = scratch / "c";
    // Start it in its own process group, kill the whole group once the first final training is recorded.
    std::string cmd = "setsid " + shellQuote(SYNO_BINARY);
    for (const auto& a : tinyCampaign(dir)) cmd += " " + shellQuote(a);
    cmd += " >" + shellQuote((scratch / "first.out").string()) + " 2>&1 </dev/null & echo $! >" +
           shellQuote((scratch / "pid").string());
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const pid_t pid = std::stoi(readFile(scratch / "pid"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (!fs::exists(dir / "finals" / "baseline-seed2.json") && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(fs::exists(dir / "finals" / "baseline-seed2.json")) << readFile(scratch / "first.out");
    kill(-pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ASSERT_FALSE(fs::exists(dir / "results.md"));  // it did not finish
    const auto before = resultFiles(dir);
    const std::string finalists = readFile(dir / "finalists.json");
    ASSERT_GE(before.size(), 2u);

    // The resume keeps its trainings' per-epoch state elsewhere (a session's checkout may not outlive it):
    // the folder is made, and empty once every training has its result.
    auto resumeArgs = tinyCampaign(dir);
    resumeArgs.insert(resumeArgs.end(), {"--checkpoint-dir", (scratch / "ckpt").string()});
    const auto r = runSyno(resumeArgs, scratch);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(fs::is_directory(scratch / "ckpt"));
    EXPECT_TRUE(fs::is_empty(scratch / "ckpt"));
    for (const auto& [path, text] : before) EXPECT_EQ(readFile(path), text) << path << " was redone";
    EXPECT_EQ(readFile(dir / "finalists.json"), finalists);
    const auto after = resultFiles(dir);
    size_t steps = 0, archives = 0;
    for (const auto& [path, text] : after) {
        if (path.ends_with(".pt") || path.ends_with(".pt.json"))
            ++archives;
        else
            ++steps;
    }
    EXPECT_EQ(steps, 2u + 2u + 2u + 2u);  // 2 seeds of baseline, finalist, linear; 2 latencies
    EXPECT_EQ(archives, 3u * 2u);        // seed 1's trained network of each, archive and sidecar

    const auto table = nlohmann::json::parse(readFile(dir / "results.json"));
    EXPECT_EQ(table["baseline"]["ok"], 2);
    ASSERT_EQ(table["operators"].size(), 2u);
    for (const auto& op : table["operators"]) {
        EXPECT_EQ(op["final"]["runs"], 2) << op.dump();
        EXPECT_EQ(op["latency"].size(), 4u) << op.dump();  // batch 1 and 16, 1 and 2 threads
        EXPECT_FALSE(op["operator"].get<std::string>().empty());
    }
    EXPECT_EQ(table["operators"][1]["name"], "linear");
    // The best synthesized operator: the finalist (linear is a library layer, only compared); best.op
    // exactly when it is within the 1-point target.
    const auto& best = table["best"];
    ASSERT_TRUE(best.is_object()) << table.dump();
    EXPECT_EQ(best["name"], table["operators"][0]["name"]);
    EXPECT_EQ(best["loss_points"], table["operators"][0]["loss_points"]);
    const bool meets = best["loss_points"].get<double>() <= 1.0 && best["speedup_b1_t2"].is_number();
    EXPECT_EQ(best["meets_target"].get<bool>(), meets);
    EXPECT_EQ(fs::exists(dir / "best.op"), meets);
    if (meets) EXPECT_EQ(readFile(dir / "best.op"), best["operator"].get<std::string>());
    EXPECT_NE(readFile(dir / "results.md").find(meets ? "Best synthesized operator" : "No synthesized operator is within"),
              std::string::npos);
    const std::string md = readFile(dir / "results.md");
    EXPECT_NE(md.find("| `linear` |"), std::string::npos) << md;
    EXPECT_NE(r.out.find("final test accuracy"), std::string::npos);

    // A second resume finds everything done: nothing changes but the table, rewritten identically.
    const auto done = resultFiles(dir);
    const auto again = runSyno(tinyCampaign(dir), scratch);
    ASSERT_EQ(again.exitCode, 0) << again.err;
    EXPECT_EQ(resultFiles(dir), done);
    EXPECT_EQ(readFile(dir / "results.md"), md);
}

TEST_F(CampaignCli, BadOptionsAndMismatchedResumesAreOneLine) {
    const fs::path dir = scratch / "c";
    auto expectError = [&](const std::vector<std::string>& args, const std::string& mentions) {
        const auto r = runSyno(args, scratch);
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
        EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
    };
    expectError({"campaign", "--dir", dir.string(), "--model", "gpt"}, "unknown model");
    expectError({"campaign", "--dir", dir.string(), "--compare", "nonsense"}, "unknown layer");
    expectError({"campaign", "--dir", dir.string(), "--final-epochs", "0"}, "--final-epochs must be at least 1");
    expectError({"campaign", "--dir", dir.string(), "--hours", "0"}, "--hours");
    expectError({"campaign", "--dir", dir.string(), "--data", "imagenet"}, "unknown --data");
    expectError({"campaign", "--dir", dir.string(), "--proxy-subset", "-5"}, "--proxy-subset");
    EXPECT_FALSE(fs::exists(dir / "campaign.json"));  // refused before anything was made
    fs::create_directories(dir);
    const std::string id = R"({"model": "mlp", "seeds": 2})";
    std::ofstream(dir / "campaign.json") << id;
    expectError({"campaign", "--dir", dir.string(), "--seeds", "3"}, "another syno version");
    EXPECT_EQ(readFile(dir / "campaign.json"), id);

    const fs::path made = scratch / "made";
    const auto r = runSyno({"campaign", "--dir", made.string(), "--model", "mlp", "--results-only"}, scratch);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string identity = readFile(made / "campaign.json");
    expectError({"campaign", "--dir", made.string(), "--seeds", "3"}, "it was made with --seeds 2, not 3");
    expectError({"campaign", "--dir", made.string(), "--model", "resnet18"}, "--model");
    EXPECT_EQ(readFile(made / "campaign.json"), identity);
}

}  // namespace
