// A run database keeps its integrity against its users: one process writes a run at a time (a second is
// refused, or waits when asked; a killed holder leaves no stale lock), a refused resume leaves the file
// byte-identical, damaged rows and pages are reported instead of read or rewarded, and reading a run
// leaves no journal files behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "storage/RunDatabase.h"

#include "SyntheticSearchFixture.h"

namespace {

namespace fs = std::filesystem;
using syno::storage::RunDatabase;
using syno::test::readFile;
using Result = syno::test::ProcessResult;

class RunIntegrity : public syno::test::SyntheticSearchFixture {
protected:
    // A finished synthetic run of `budget` candidates.
    std::string makeRun(const std::string& name, int budget) {
        const std::string db = path(name);
        Result r = run(search({"--budget", std::to_string(budget), "--db", db}));
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return db;
    }
    void exec(const std::string& db, const std::string& sql) {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
        char* err = nullptr;
        EXPECT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
        sqlite3_free(err);
        sqlite3_close(raw);
    }
    // Refused as the fixture checks, and no journal file left beside the file either.
    void expectRefused(const std::vector<std::string>& args, const std::string& file, const std::string& mentions) {
        SyntheticSearchFixture::expectRefused(args, file, mentions);
        EXPECT_FALSE(fs::exists(file + "-wal"));
        EXPECT_FALSE(fs::exists(file + "-shm"));
    }
    static bool waitFor(const std::function<bool()>& ready) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            if (ready()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
};

TEST_F(RunIntegrity, OneWriterAtATime) {
    const std::string db = makeRun("run.db", 2);
    // A slow resume holds the run; a second one is refused, naming the holder, and changes nothing.
    const pid_t first = syno::test::spawnSyno(search({"--resume", db, "--budget", "12", "--synthetic-delay", "0.3"}));
    ASSERT_NE(first, 0);
    ASSERT_TRUE(waitFor([&] { return syno::storage::WriterLock::isHeld(db); }));
    Result second = run(search({"--resume", db, "--budget", "12"}));
    EXPECT_EQ(second.exitCode, 1);
    EXPECT_NE(second.err.find("in use by another syno process (pid " + std::to_string(first) + ")"), std::string::npos)
        << second.err;
    // --wait-lock waits for the holder instead, then finds its work done.
    Result waited = run(search({"--resume", db, "--budget", "12", "--wait-lock"}));
    EXPECT_EQ(waited.exitCode, 0) << waited.err;
    int status = 0;
    ASSERT_EQ(waitpid(first, &status, 0), first);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    auto rows = RunDatabase::open(db, false).candidates("seq");
    ASSERT_EQ(rows.size(), 12u);
    for (const auto& r : rows) EXPECT_EQ(r.attempts, 1) << "candidate " << r.seq << " evaluated twice";
}

TEST_F(RunIntegrity, AKilledWriterLeavesNoStaleLock) {
    const std::string db = makeRun("run.db", 2);
    const pid_t holder = syno::test::spawnSyno(search({"--resume", db, "--budget", "40", "--synthetic-delay", "0.5"}));
    ASSERT_NE(holder, 0);
    ASSERT_TRUE(waitFor([&] { return syno::storage::WriterLock::isHeld(db); }));
    ASSERT_EQ(kill(holder, SIGKILL), 0);
    int status = 0;
    waitpid(holder, &status, 0);
    EXPECT_FALSE(syno::storage::WriterLock::isHeld(db));
    Result r = run(search({"--resume", db, "--budget", "4"}));
    EXPECT_EQ(r.exitCode, 0) << r.err;
}

TEST_F(RunIntegrity, ARefusedResumeWritesNothing) {
    // A history the search no longer proposes: the run's own identity with other candidates recorded.
    const std::string real = makeRun("real.db", 3);
    const std::string forged = path("forged.db");
    {
        auto info = RunDatabase::open(real, false).info();
        RunDatabase db = RunDatabase::create(forged, info);
        db.beginSession("search");
        db.queued(1, 1, syno::search::Candidate{"syno-operator 1\n", "feedfacefeedface", "p"});
        db.started(1);
        syno::search::Outcome o;
        o.ok = true;
        o.metrics.accuracy = 0.5;
        db.finished(1, o, 0.5, 1);
    }
    expectRefused(search({"--resume", forged, "--budget", "6"}), forged, "candidate 1 was feedfacefeedface");
    EXPECT_EQ(RunDatabase::open(forged, false).sessions(), 1);
    // A run missing a table.
    const std::string broken = makeRun("broken.db", 2);
    exec(broken, "DROP TABLE candidates");
    expectRefused(search({"--resume", broken, "--budget", "6"}), broken, "table 'candidates' is missing");
    expectRefused({"runs", "list", "--db", broken}, broken, "table 'candidates' is missing");
}

TEST_F(RunIntegrity, AChangedRowIsReportedNotRewarded) {
    const std::string db = makeRun("run.db", 4);
    exec(db, "UPDATE candidates SET reward = 0.999, accuracy = 0.999 WHERE seq = 2");
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"runs", "list", "--db", db}, {"runs", "top", "--db", db}, search({"--resume", db, "--budget", "6"})})
        expectRefused(args, db, "candidate 2 is damaged");
}

TEST_F(RunIntegrity, DamagedPagesAreReported) {
    // 512 random bytes over the candidates' rows, at the end of their table's page: every reader refuses.
    for (unsigned seed : {1u, 2u, 3u}) {
        SCOPED_TRACE(seed);
        const std::string db = makeRun("run" + std::to_string(seed) + ".db", 4);
        int64_t page = 0, pageSize = 0;
        {
            sqlite3* raw = nullptr;
            ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
            sqlite3_stmt* s = nullptr;
            sqlite3_prepare_v2(raw, "SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_master "
                                    "WHERE name = 'candidates'", -1, &s, nullptr);
            ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
            page = sqlite3_column_int64(s, 0);
            pageSize = sqlite3_column_int64(s, 1);
            sqlite3_finalize(s);
            sqlite3_close(raw);
        }
        ASSERT_GT(page, 0);
        std::string bytes = readFile(db);
        ASSERT_GE(static_cast<int64_t>(bytes.size()), page * pageSize);
        std::mt19937 rng(seed);
        for (int64_t i = page * pageSize - 512; i < page * pageSize; ++i) bytes[static_cast<size_t>(i)] = static_cast<char>(rng());
        std::ofstream(db, std::ios::binary | std::ios::trunc) << bytes;
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {"runs", "list", "--db", db}, {"runs", "top", "--db", db}, search({"--resume", db, "--budget", "6"})}) {
            Result r = run(args);
            EXPECT_EQ(r.exitCode, 1) << args[1] << ": " << r.out;
            EXPECT_EQ(r.signal, 0);
            EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
            EXPECT_EQ(readFile(db), bytes);
        }
    }
}

TEST_F(RunIntegrity, ReadingLeavesNoJournalFiles) {
    const std::string db = makeRun("run.db", 3);
    ASSERT_FALSE(fs::exists(db + "-wal"));
    const std::string before = readFile(db);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"runs", "list", "--db", db}, {"runs", "top", "--db", db}, {"runs", "show", "--db", db, "--seq", "1"}}) {
        Result r = run(args);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        EXPECT_FALSE(fs::exists(db + "-wal")) << args[1];
        EXPECT_FALSE(fs::exists(db + "-shm")) << args[1];
    }
    EXPECT_EQ(readFile(db), before);
}

}  // namespace
