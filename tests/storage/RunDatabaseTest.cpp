// The run database: what it records reads back exactly (NaN metrics included), running candidates go
// back to the queue, and files that are not syno run databases are refused with one line and left
// byte-identical.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/Error.h"
#include "storage/RunDatabase.h"

namespace syno::storage {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

class RunDatabaseTest : public ::testing::Test {
protected:
    fs::path dir;
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "syno_storage_XXXXXX").string();
        ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
        dir = tmpl;
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    RunInfo info() {
        RunInfo i;
        i.optionsJson = R"({"seed":3})";
        i.optionsHash = stableHashHex(i.optionsJson);
        i.seed = 3;
        i.algorithm = "mcts";
        i.fingerprint = "synthetic v1";
        i.createdAt = "2026-01-01T00:00:00Z";
        i.synoVersion = "test";
        return i;
    }
    // Opening must fail with one line naming `mentions`, and leave the file as it was.
    void expectRefused(const fs::path& p, const std::string& mentions) {
        const bool existed = fs::exists(p);
        const std::string before = existed ? slurp(p) : "";
        try {
            RunDatabase::open(p.string(), true);
            ADD_FAILURE() << p << " was accepted";
        } catch (const Error& e) {
            std::string msg = e.what();
            EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
            EXPECT_NE(msg.find(mentions), std::string::npos) << msg;
        }
        EXPECT_EQ(fs::exists(p), existed);
        if (existed) {
            EXPECT_EQ(slurp(p), before) << "the file was modified";
        }
    }
};

TEST_F(RunDatabaseTest, RecordsAndReadsBack) {
    const std::string path = (dir / "run.db").string();
    {
        auto db = RunDatabase::create(path, info());
        search::Candidate c{"syno-operator 1\n", "00000000000000aa", "Reduce:01/Finalize:02", 1e6, 100, "f00d"};
        db.queued(1, 1, c);
        db.queued(2, 1, {"op2", "00000000000000bb", "Finalize:03", NAN, NAN});
        db.started(1);
        db.started(2);
        search::Outcome o;
        o.ok = true;
        o.metrics.accuracy = 0.875;
        o.metrics.latencyRatio = 1.5;
        db.finished(1, o, 0.6, 2.5);
    }
    auto db = RunDatabase::open(path, true);
    auto i = db.info();
    EXPECT_EQ(i.optionsJson, info().optionsJson);
    EXPECT_EQ(i.fingerprint, "synthetic v1");
    EXPECT_EQ(i.seed, 3u);
    auto r1 = db.candidate(1);
    ASSERT_TRUE(r1);
    EXPECT_EQ(r1->status, "done");
    EXPECT_EQ(r1->operatorText, "syno-operator 1\n");
    EXPECT_DOUBLE_EQ(r1->metrics.accuracy, 0.875);
    EXPECT_DOUBLE_EQ(r1->reward, 0.6);
    EXPECT_TRUE(std::isnan(r1->metrics.flopsRatio));
    EXPECT_EQ(r1->attempts, 1);
    EXPECT_EQ(r1->family, "f00d");
    EXPECT_TRUE(r1->outcome().ok);
    // A killed session leaves candidate 2 running: it goes back to the queue.
    EXPECT_EQ(db.counts().running, 1);
    EXPECT_EQ(db.requeueRunning(), 1);
    EXPECT_EQ(db.candidate(2)->status, "queued");
    EXPECT_TRUE(std::isnan(db.candidate(2)->operatorFlops));
    EXPECT_EQ(db.candidate(2)->family, "");
    db.started(2);
    db.finished(2, search::Outcome{false, "loss is NaN", {}, {}}, std::nullopt, 1);
    auto r2 = db.candidate(2);
    EXPECT_EQ(r2->status, "failed");
    EXPECT_EQ(r2->failure, "loss is NaN");
    EXPECT_EQ(r2->attempts, 2);
    EXPECT_FALSE(r2->outcome().ok);
    auto best = db.candidates("reward");
    ASSERT_EQ(best.size(), 2u);
    EXPECT_EQ(best[0].seq, 1);
    db.setMeta("settings", "{}");
    EXPECT_EQ(db.meta("settings").value_or(""), "{}");
    EXPECT_FALSE(db.meta("nothing"));
}

TEST_F(RunDatabaseTest, CreateRefusesAnExistingFile) {
    const fs::path p = dir / "taken.db";
    std::ofstream(p) << "precious";
    EXPECT_THROW(RunDatabase::create(p.string(), info()), Error);
    EXPECT_EQ(slurp(p), "precious");
}

TEST_F(RunDatabaseTest, RefusesWhatIsNotARunDatabase) {
    expectRefused(dir / "missing.db", "no such run database");
    std::ofstream(dir / "notes.txt") << "just some text\non two lines\n";
    expectRefused(dir / "notes.txt", "not an SQLite file");
    std::ofstream(dir / "empty.db") << "";
    expectRefused(dir / "empty.db", "not an SQLite file");
    expectRefused(dir, "not a regular file");
    // Another program's SQLite database.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir / "other.db").string().c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    expectRefused(dir / "other.db", "another program");
    // A header that claims SQLite over garbage.
    std::string corrupt = std::string("SQLite format 3", 16) + std::string(4000, '\x5a');
    std::ofstream(dir / "corrupt.db", std::ios::binary) << corrupt;
    expectRefused(dir / "corrupt.db", "not a syno run database");
}

TEST_F(RunDatabaseTest, RefusesAnotherSchemaVersionAndTamperedOptions) {
    const std::string path = (dir / "run.db").string();
    { RunDatabase::create(path, info()); }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    expectRefused(path, "schema version 99");
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version=2; UPDATE meta SET value='{\"seed\":4}' WHERE key='options'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
    expectRefused(path, "do not match their hash");
}

TEST_F(RunDatabaseTest, SchemaOneIsReadAsIsAndMigratedForWriting) {
    const std::string path = (dir / "old.db").string();
    {
        RunDatabase db = RunDatabase::create(path, info());
        db.queued(1, 0, search::Candidate{"op text", "abc", "p"});
    }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "ALTER TABLE candidates DROP COLUMN details; ALTER TABLE candidates DROP COLUMN checksum; "
                                 "ALTER TABLE candidates DROP COLUMN family; "
                                 "PRAGMA user_version=1", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
    const std::string before = slurp(path);
    {
        RunDatabase ro = RunDatabase::open(path, false);
        ASSERT_EQ(ro.candidates().size(), 1u);
        EXPECT_EQ(ro.candidates()[0].details, "");
    }
    EXPECT_EQ(slurp(path), before);  // reading changed nothing
    {
        RunDatabase rw = RunDatabase::open(path, true);
        rw.started(1);
        search::Outcome o;
        o.ok = true;
        o.metrics.accuracy = 0.5;
        o.details = R"({"latency":[]})";
        rw.finished(1, o, 0.25, 2);
    }
    RunDatabase again = RunDatabase::open(path, false);
    EXPECT_EQ(again.candidate(1)->details, R"({"latency":[]})");
    EXPECT_EQ(again.candidate(1)->outcome().details, R"({"latency":[]})");
}

TEST_F(RunDatabaseTest, SchemaThreeKeepsItsChecksumsAndGainsFamiliesWhenWritten) {
    const std::string path = (dir / "v3.db").string();
    {
        RunDatabase db = RunDatabase::create(path, info());
        db.queued(1, 1, search::Candidate{"op text", "abc", "p"});
        db.started(1);
        search::Outcome o;
        o.ok = true;
        o.metrics.accuracy = 0.5;
        db.finished(1, o, 0.25, 2);
    }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "ALTER TABLE candidates DROP COLUMN family; PRAGMA user_version=3", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(raw);
    const std::string before = slurp(path);
    {
        RunDatabase ro = RunDatabase::open(path, false);
        ASSERT_EQ(ro.candidates().size(), 1u);  // the checksums of rows without a family still hold
        EXPECT_EQ(ro.candidates()[0].family, "");
    }
    EXPECT_EQ(slurp(path), before);  // reading changed nothing
    {
        RunDatabase rw = RunDatabase::open(path, true);
        rw.queued(2, 2, search::Candidate{"op text 2", "def", "q", NAN, NAN, "beef"});
    }
    RunDatabase again = RunDatabase::open(path, false);
    EXPECT_EQ(again.candidate(1)->family, "");
    EXPECT_EQ(again.candidate(2)->family, "beef");
    // The family is covered by the row's checksum like every other field.
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "UPDATE candidates SET family = 'cafe' WHERE seq = 2", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    EXPECT_THROW(RunDatabase::open(path, false).candidate(2), Error);
}

}  // namespace
}  // namespace syno::storage
