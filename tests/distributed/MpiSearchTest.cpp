// `syno search` under mpirun with the synthetic evaluator: rank 0 searches and records, the others
// evaluate. The same seed and --batch give the same candidates and results as a local run whatever the
// number of ranks; an evaluation that fails on a rank is recorded with its reason; a killed evaluating rank
// ends the job, and --resume under a new mpirun loses no finished evaluation.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <thread>

#include "storage/RunDatabase.h"

#include "SyntheticSearchFixture.h"

#ifndef SYNO_MPIEXEC
#error "SYNO_MPIEXEC must name mpirun"
#endif

namespace {

namespace fs = std::filesystem;
using syno::storage::CandidateRow;
using syno::storage::RunDatabase;
using syno::test::ProcessResult;

// Two cores here: ranks share them (--oversubscribe). Root may run the ranks (CI runs as root).
std::vector<std::string> mpirunArgs(int ranks, const std::vector<std::string>& args) {
    std::vector<std::string> all{SYNO_MPIEXEC, "--oversubscribe", "--allow-run-as-root", "-np", std::to_string(ranks),
                                 SYNO_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    return all;
}

class MpiSearch : public syno::test::SyntheticSearchFixture {
protected:
    ProcessResult mpirun(int ranks, const std::vector<std::string>& args) {
        std::string cmd = "cd " + syno::test::shellQuote(dir.string()) + " &&";
        for (const auto& a : mpirunArgs(ranks, args)) cmd += " " + syno::test::shellQuote(a);
        cmd += " >" + syno::test::shellQuote(path("mpi.out")) + " 2>" + syno::test::shellQuote(path("mpi.err")) + " </dev/null";
        const int status = std::system(cmd.c_str());
        ProcessResult r;
        r.exitCode = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = syno::test::readFile(path("mpi.out"));
        r.err = syno::test::readFile(path("mpi.err"));
        return r;
    }
    static std::vector<CandidateRow> rows(const std::string& db) { return RunDatabase::open(db, false).candidates("seq"); }

    // Same candidates, outcomes and rewards, in the same order; timings aside.
    static void expectSameRun(const std::string& a, const std::string& b) {
        const auto x = rows(a), y = rows(b);
        ASSERT_EQ(x.size(), y.size());
        for (size_t i = 0; i < x.size(); ++i) {
            SCOPED_TRACE("candidate " + std::to_string(x[i].seq));
            EXPECT_EQ(x[i].seq, y[i].seq);
            EXPECT_EQ(x[i].batch, y[i].batch);
            EXPECT_EQ(x[i].canonicalId, y[i].canonicalId);
            EXPECT_EQ(x[i].status, y[i].status);
            EXPECT_EQ(x[i].failure, y[i].failure);
            EXPECT_EQ(std::isnan(x[i].reward), std::isnan(y[i].reward));
            if (!std::isnan(x[i].reward)) {
                EXPECT_EQ(x[i].reward, y[i].reward);  // bit for bit
            }
            EXPECT_EQ(std::isnan(x[i].metrics.accuracy), std::isnan(y[i].metrics.accuracy));
            if (!std::isnan(x[i].metrics.accuracy)) {
                EXPECT_EQ(x[i].metrics.accuracy, y[i].metrics.accuracy);
            }
        }
    }
};

const std::vector<std::string> kIdentity{"--budget", "24", "--batch", "3", "--seed", "5", "--failure-rate", "0.25"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& extra) {
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

TEST_F(MpiSearch, RanksGiveTheCandidatesOfALocalRunAndRecordFailures) {
    const std::string local = path("local.db"), two = path("two.db"), three = path("three.db");
    ProcessResult l = run(search(with(kIdentity, {"--workers", "3", "--db", local})));
    ASSERT_EQ(l.exitCode, 0) << l.err;
    ProcessResult t = mpirun(3, search(with(kIdentity, {"--db", three})));
    ASSERT_EQ(t.exitCode, 0) << t.err;
    EXPECT_NE(t.out.find("best operators"), std::string::npos) << t.out;
    expectSameRun(local, three);
    ProcessResult w = mpirun(2, search(with(kIdentity, {"--db", two})));
    ASSERT_EQ(w.exitCode, 0) << w.err;
    expectSameRun(local, two);
    // Failures made on the other ranks are recorded with their reasons.
    int failed = 0;
    for (const auto& r : rows(three)) {
        if (r.status != "failed") continue;
        ++failed;
        EXPECT_NE(r.failure.find("synthetic failure"), std::string::npos) << r.failure;
    }
    EXPECT_GT(failed, 0);
}

TEST_F(MpiSearch, OptionsThatCannotWorkAreOneLine) {
    ProcessResult r = mpirun(3, search({"--budget", "4", "--workers", "2", "--db", path("w.db")}));
    EXPECT_NE(r.exitCode, 0);
    EXPECT_NE(r.err.find("syno: error: under mpirun"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(path("w.db")));
}

// An evaluating rank that cannot build its evaluator (here: its node has no data set where --data-dir says)
// stops the job before anything is written, with one line naming the rank. Rank 1 runs in another
// directory (mpirun's multi-program form), where the relative --data-dir does not exist.
TEST_F(MpiSearch, ARankThatCannotStartStopsTheJobWithOneLine) {
    const fs::path data = dir / "data", elsewhere = dir / "elsewhere";
    fs::create_directories(data);
    fs::create_directories(elsewhere);
    for (const char* f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                          "t10k-labels-idx1-ubyte.gz"}) {
        std::error_code ec;
        fs::create_symlink(fs::path("/usr/share/datasets/fashion-mnist") / f, data / f, ec);
        if (ec) GTEST_SKIP() << "no Debian Fashion-MNIST (dataset-fashion-mnist): " << ec.message();
    }
    const std::vector<std::string> args{"search", "--model", "mlp", "--budget", "2", "--epochs", "1", "--subset", "256",
                                        "--threads", "1", "--data-dir", "data", "--db", "never.db", "-q"};
    std::string cmd = "cd " + syno::test::shellQuote(dir.string()) + " && " + syno::test::shellQuote(SYNO_MPIEXEC) +
                      " --oversubscribe --allow-run-as-root -np 1 " + syno::test::shellQuote(SYNO_BINARY);
    for (const auto& a : args) cmd += " " + syno::test::shellQuote(a);
    cmd += " : -np 1 -wdir " + syno::test::shellQuote(elsewhere.string()) + " " + syno::test::shellQuote(SYNO_BINARY);
    for (const auto& a : args) cmd += " " + syno::test::shellQuote(a);
    cmd += " >/dev/null 2>" + syno::test::shellQuote(path("err.txt")) + " </dev/null";
    const int status = std::system(cmd.c_str());
    EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    const std::string err = syno::test::readFile(path("err.txt"));
    EXPECT_NE(err.find("syno: error: evaluating rank 1 could not start:"), std::string::npos) << err;
    EXPECT_FALSE(fs::exists(dir / "never.db")) << "a database was made for a job that could not start";
}

// The pid of the rank `rank` started by the mpirun with pid `launcher`, or 0.
pid_t rankPid(pid_t launcher, int rank) {
    const std::string wanted = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
    for (const auto& e : fs::directory_iterator("/proc")) {
        const std::string name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        const std::string stat = syno::test::readFile(e.path() / "stat");
        const auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        int ppid = 0;
        char state = 0;
        if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) != 2 || ppid != launcher) continue;
        const std::string env = syno::test::readFile(e.path() / "environ");
        for (size_t at = 0; at < env.size();) {
            size_t end = env.find('\0', at);
            if (end == std::string::npos) end = env.size();
            if (env.compare(at, end - at, wanted) == 0) return static_cast<pid_t>(std::stol(name));
            at = end + 1;
        }
    }
    return 0;
}

TEST_F(MpiSearch, AKilledRankEndsTheJobAndResumeLosesNothing) {
    const std::string db = path("killed.db"), reference = path("reference.db");
    const std::vector<std::string> identity{"--budget", "18", "--batch", "2", "--seed", "9"};
    const pid_t launcher =
        syno::test::spawnProcess(mpirunArgs(3, search(with(identity, {"--db", db, "--synthetic-delay", "0.3"}))));
    ASSERT_GT(launcher, 0);

    // Kill evaluating rank 2 once a few evaluations are finished and one is running.
    size_t finished = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!fs::exists(db)) continue;
        try {
            finished = 0;
            for (const auto& r : rows(db)) finished += r.status == "done" || r.status == "failed";
        } catch (const std::exception&) {
            continue;  // created but not yet initialised
        }
        if (finished >= 4) break;
    }
    const pid_t victim = rankPid(launcher, 2);
    ASSERT_GT(victim, 0) << "no rank 2 under mpirun " << launcher;
    ASSERT_EQ(kill(victim, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(launcher, &status, 0), launcher);
    EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "mpirun carried on without its rank";

    std::map<int64_t, CandidateRow> finishedBefore;
    for (const auto& r : rows(db))
        if (r.status == "done" || r.status == "failed") finishedBefore[r.seq] = r;
    ASSERT_GE(finishedBefore.size(), 4u);
    ASSERT_LT(finishedBefore.size(), 18u) << "the search finished before the kill";

    ProcessResult resumed = mpirun(3, {"search", "--resume", db, "-q"});
    ASSERT_EQ(resumed.exitCode, 0) << resumed.err;
    const auto after = rows(db);
    ASSERT_EQ(after.size(), 18u);
    for (const auto& [seq, old] : finishedBefore) {
        const auto& now = after[static_cast<size_t>(seq - 1)];
        EXPECT_EQ(now.canonicalId, old.canonicalId);
        EXPECT_EQ(now.status, old.status);
        EXPECT_EQ(now.attempts, 1) << "candidate " << seq << " was evaluated again";
        EXPECT_EQ(now.finishedAt, old.finishedAt);
    }
    // And the run is the one a local, never interrupted run makes.
    ASSERT_EQ(run(search(with(identity, {"--workers", "2", "--db", reference}))).exitCode, 0);
    expectSameRun(reference, db);
}

}  // namespace
