// `syno search` and `syno runs` end to end with the synthetic evaluator: a run is recorded, the same seed
// gives the same candidates, a search killed with SIGKILL mid-evaluation resumes without losing or
// re-evaluating anything finished, and bad --resume inputs are refused with one line, files untouched.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "storage/RunDatabase.h"

#include "SyntheticSearchFixture.h"

namespace {

namespace fs = std::filesystem;
using syno::storage::CandidateRow;
using syno::storage::RunDatabase;

using Result = syno::test::ProcessResult;
using syno::test::readFile;

class SearchCli : public syno::test::SyntheticSearchFixture {
protected:
    static std::vector<CandidateRow> rows(const std::string& db) { return RunDatabase::open(db, false).candidates("seq"); }
    static std::vector<std::string> ids(const std::string& db) {
        std::vector<std::string> out;
        for (const auto& r : rows(db)) out.push_back(r.canonicalId);
        return out;
    }
};

TEST_F(SearchCli, RecordsARunThatRunsInspects) {
    const std::string db = path("a.db");
    Result r = run(search({"--budget", "12", "--seed", "4", "--db", db, "--failure-rate", "0.2"}));
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("best operators"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("syno-operator 1"), std::string::npos);
    EXPECT_NE(r.out.find(db), std::string::npos);
    auto all = rows(db);
    ASSERT_EQ(all.size(), 12u);
    int failed = 0;
    for (const auto& row : all) {
        EXPECT_TRUE(row.status == "done" || row.status == "failed") << row.status;
        failed += row.status == "failed";
        if (row.status == "failed") {
            EXPECT_FALSE(row.failure.empty());
        }
    }
    EXPECT_GT(failed, 0);
    // One operator per family is evaluated, and the family (functional fingerprint) is recorded with it.
    std::set<std::string> families;
    for (const auto& row : all) {
        if (row.family.empty()) continue;
        EXPECT_TRUE(families.insert(row.family).second) << "two candidates of family " << row.family;
    }
    EXPECT_GT(families.size(), all.size() / 2);
    for (const char* sub : {"list", "show", "top"}) {
        Result q = run({"runs", sub, "--db", db});
        EXPECT_EQ(q.exitCode, 0) << sub << ": " << q.err;
        EXPECT_FALSE(q.out.empty());
    }
    Result pareto = run({"runs", "top", "--db", db, "--pareto", "--json"});
    EXPECT_EQ(pareto.exitCode, 0) << pareto.err;
    EXPECT_EQ(pareto.out.front(), '[');
    Result one = run({"runs", "show", "--db", db, "--seq", "1"});
    EXPECT_NE(one.out.find("syno-operator 1"), std::string::npos);
}

TEST_F(SearchCli, SameSeedSameCandidates) {
    for (const char* algo : {"mcts", "random"}) {
        SCOPED_TRACE(algo);
        const std::string a = path(std::string(algo) + "1.db"), b = path(std::string(algo) + "2.db"),
                          c = path(std::string(algo) + "3.db");
        ASSERT_EQ(run(search({"--algorithm", algo, "--budget", "16", "--db", a})).exitCode, 0);
        ASSERT_EQ(run(search({"--algorithm", algo, "--budget", "16", "--db", b})).exitCode, 0);
        ASSERT_EQ(run(search({"--algorithm", algo, "--budget", "16", "--db", c, "--seed", "2"})).exitCode, 0);
        EXPECT_EQ(ids(a), ids(b));
        EXPECT_NE(ids(a), ids(c));
    }
}

TEST_F(SearchCli, MaxHoursStopsTheRunAndAResumeContinuesTheSameSequence) {
    const std::string timed = path("timed.db"), reference = path("full.db");
    ASSERT_EQ(run(search({"--budget", "10", "--seed", "5", "--db", reference})).exitCode, 0);
    // 0.3 s per evaluation, 1.1 s of evaluations allowed: stopped after a few.
    Result first = run(search({"--budget", "10", "--seed", "5", "--db", timed, "--synthetic-delay", "0.3",
                               "--max-hours", "0.0003"}));
    ASSERT_EQ(first.exitCode, 0) << first.err;
    EXPECT_NE(first.out.find("--max-hours 0.0003 reached"), std::string::npos) << first.out;
    // How many fit in 1.1 s depends on the machine's speed (a sanitizer build proposes slowly); that the
    // limit stopped the run short of its budget does not.
    const auto partial = ids(timed);
    EXPECT_LT(partial.size(), 10u);
    Result more = run({"search", "--resume", timed, "--max-hours", "1", "-q"});
    ASSERT_EQ(more.exitCode, 0) << more.err;
    EXPECT_EQ(ids(timed), ids(reference));
    for (const auto& row : rows(timed)) EXPECT_EQ(row.attempts, 1) << row.seq;
}

// Rewrites a run database's recorded options (and their hash) with `edit`.
void editOptions(const std::string& db, const std::function<void(nlohmann::json&)>& edit) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw, "SELECT value FROM meta WHERE key = 'options'", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    auto options = nlohmann::json::parse(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    edit(options);
    const std::string text = options.dump();
    const std::string sql = "UPDATE meta SET value = '" + text + "' WHERE key = 'options'; UPDATE meta SET value = '" +
                            syno::storage::stableHashHex(text) + "' WHERE key = 'options_hash'";
    ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
}

// Removes option fields from a run database's identity, as a run recorded before they existed has it.
void stripOptions(const std::string& db, const std::vector<std::string>& fields) {
    editOptions(db, [&](nlohmann::json& options) {
        for (const auto& later : fields) ASSERT_EQ(options.erase(later), 1u) << later;
    });
}

TEST_F(SearchCli, RunsRecordedBeforeLaterOptionsStillResume) {
    // A run made with the values older versions implied, then stripped of the options they did not know.
    const std::string db = path("old.db"), reference = path("new.db");
    const std::vector<std::string> legacy = {"--min-flops-ratio", "0", "--latency-runs", "20", "--latency-weight", "0.75",
                                             "--keep-over-parametrised", "--keep-functional-duplicates", "--seed", "3"};
    auto first = search({"--budget", "4", "--db", db});
    first.insert(first.end(), legacy.begin(), legacy.end());
    ASSERT_EQ(run(first).exitCode, 0);
    auto whole = search({"--budget", "8", "--db", reference});
    whole.insert(whole.end(), legacy.begin(), legacy.end());
    ASSERT_EQ(run(whole).exitCode, 0);
    stripOptions(db, {"data", "min-flops-ratio", "min-speedup", "kill-margin", "latency-runs", "latency-weight",
                      "keep-over-parametrised", "synthesis-skips-over-parametrised", "synthesis-bounds-flops-from-above",
                      "synthesis-stages-each-binding", "keep-functional-duplicates"});
    Result more = run({"search", "--resume", db, "--budget", "8", "-q"});
    ASSERT_EQ(more.exitCode, 0) << more.err;
    EXPECT_EQ(ids(db), ids(reference));
}

// split-of-merge-halves now spares halves a weight reads (RulesCompletenessTest), which changes this space:
// a run without the identity field is taken as recorded under the old rule, so a run made now and stripped
// of it no longer replays (the recorded fixture, made before, does: the test after next).
TEST_F(SearchCli, RunsRecordedBeforeTheMergeHalvesFixReplayWithTheOldRule) {
    const std::string db = path("now.db");
    ASSERT_EQ(run(search({"--budget", "4", "--db", db, "--seed", "3"})).exitCode, 0);
    stripOptions(db, {"synthesis-rules-revision"});
    Result more = run({"search", "--resume", db, "--budget", "8", "-q"});
    EXPECT_NE(more.exitCode, 0);
    EXPECT_NE(more.err.find("the synthesis code changed"), std::string::npos) << more.err;

    // A revision of the rules this syno does not know: one line, the file untouched.
    editOptions(db, [](nlohmann::json& options) { options["synthesis-rules-revision"] = 99; });
    const std::string before = syno::test::readFile(db);
    Result unknown = run({"search", "--resume", db, "--budget", "8", "-q"});
    EXPECT_NE(unknown.exitCode, 0);
    EXPECT_NE(unknown.err.find("revision 99 of the synthesis rules"), std::string::npos) << unknown.err;
    EXPECT_EQ(syno::test::readFile(db), before);
}

// Operators one weight would express (synthesis/OverParametrised.h) are skipped inside synthesis, so the
// search never proposes them; --keep-over-parametrised evaluates them. A resume skips the same ones.
TEST_F(SearchCli, OverParametrisedOperatorsAreSkipped) {
    const std::string skipped = path("skip.db"), kept = path("keep.db"), resumed = path("resumed.db");
    Result a = run(search({"--budget", "12", "--seed", "1", "--db", skipped}));
    ASSERT_EQ(a.exitCode, 0) << a.err;
    EXPECT_EQ(a.out.find("over-parametrised operator(s) without training them"), std::string::npos)
        << "proposed and then refused instead of never proposed:\n" << a.out;
    EXPECT_EQ(rows(skipped).size(), 12u);
    const auto options = nlohmann::json::parse(RunDatabase::open(skipped, false).info().optionsJson);
    EXPECT_EQ(options.value("synthesis-skips-over-parametrised", false), true) << options.dump();
    Result b = run(search({"--budget", "12", "--seed", "1", "--db", kept, "--keep-over-parametrised"}));
    ASSERT_EQ(b.exitCode, 0) << b.err;
    EXPECT_NE(ids(skipped), ids(kept));
    ASSERT_EQ(run(search({"--budget", "6", "--seed", "1", "--db", resumed})).exitCode, 0);
    ASSERT_EQ(run({"search", "--resume", resumed, "--budget", "12", "-q"}).exitCode, 0);
    EXPECT_EQ(ids(resumed), ids(skipped));
}

// A run recorded when the search refused over-parametrised operators after proposing them (6 candidates,
// made by that version with `--depth 6 --budget 6 --seed 1`) resumes the way it was made: its next six
// are those that version chose for `--budget 12`.
TEST_F(SearchCli, ARunThatRefusedOverParametrisedOperatorsResumesThatWay) {
    const std::string db = path("refusing.db");
    fs::copy_file(std::string(SYNO_TEST_DATA) + "/run-refusing-over-parametrised.db", db);
    Result r = run({"search", "--resume", db, "--budget", "12"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("over-parametrised operator(s) without training them"), std::string::npos) << r.out;
    const std::vector<std::string> madeThen = {"3b168203aad36240", "839e3c6d7a50f58a", "1f59b331b53cb781",
                                               "cd0e8a24ac943016", "e4a62cedd4731836", "4e4d37b976b086e2",
                                               "61762bea16ac927a", "3a7b4b1cb00b9837", "15a6997eb47559ee",
                                               "e9001fec77408463", "40a8d5525f530d59", "ffe08cc6f3d383f8"};
    EXPECT_EQ(ids(db), madeThen);
}

TEST_F(SearchCli, KilledMidEvaluationResumesLosingNothing) {
    const std::string db = path("killed.db"), reference = path("reference.db");
    const std::vector<std::string> identity = {"--budget", "16", "--workers", "2", "--seed", "9"};
    // Start a slow search (0.4 s per evaluation) and kill it while evaluations are in flight.
    std::vector<std::string> args = search(identity);
    for (std::string extra : {"--db", db.c_str(), "--synthetic-delay", "0.4"}) args.push_back(extra);
    const pid_t pid = syno::test::spawnSyno(args);
    ASSERT_NE(pid, 0);
    std::vector<CandidateRow> before;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);  // generous: the machine may be loaded
    while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!fs::exists(db)) continue;
        try {
            before = rows(db);
        } catch (const std::exception&) {
            continue;  // created but not yet initialised
        }
        int finished = 0, running = 0;
        for (const auto& r : before) finished += r.status == "done" || r.status == "failed", running += r.status == "running";
        if (finished >= 2 && running >= 1) break;
    }
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    before = rows(db);  // what the killed process had committed
    std::map<int64_t, CandidateRow> finishedBefore;
    int runningBefore = 0;
    for (const auto& r : before) {
        if (r.status == "done" || r.status == "failed") finishedBefore[r.seq] = r;
        runningBefore += r.status == "running";
    }
    ASSERT_GE(finishedBefore.size(), 2u);
    ASSERT_GE(runningBefore, 1);
    ASSERT_LT(finishedBefore.size(), 16u) << "the search finished before it could be killed";

    Result r = run({"search", "--resume", db, "-q"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto after = rows(db);
    ASSERT_EQ(after.size(), 16u);
    for (const auto& row : after) EXPECT_TRUE(row.status == "done" || row.status == "failed") << row.seq;
    for (const auto& [seq, old] : finishedBefore) {
        const auto& now = after[static_cast<size_t>(seq - 1)];
        EXPECT_EQ(now.canonicalId, old.canonicalId);
        EXPECT_EQ(now.status, old.status);
        EXPECT_EQ(now.attempts, 1) << "candidate " << seq << " was evaluated again";
        EXPECT_DOUBLE_EQ(now.finishedAt, old.finishedAt);
        EXPECT_EQ(std::isnan(now.reward), std::isnan(old.reward));
        if (!std::isnan(old.reward)) {
            EXPECT_DOUBLE_EQ(now.reward, old.reward);
        }
    }
    // The interrupted run continued into exactly the candidates of an uninterrupted one.
    ASSERT_EQ(run(search([&] {
                  auto a = identity;
                  a.push_back("--db");
                  a.push_back(reference);
                  return a;
              }()))
                  .exitCode,
              0);
    EXPECT_EQ(ids(db), ids(reference));
    EXPECT_EQ(RunDatabase::open(db, false).sessions(), 2);
}

TEST_F(SearchCli, BadResumeInputsAreRefused) {
    expectRefused({"search", "--resume", path("missing.db")}, path("missing.db"), "no such run database");
    std::ofstream(path("notes.txt")) << "not a database\n";
    expectRefused({"search", "--resume", path("notes.txt")}, path("notes.txt"), "not an SQLite file");
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path("other.db").c_str(), &raw), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "CREATE TABLE t(x); INSERT INTO t VALUES(42);", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
    expectRefused({"search", "--resume", path("other.db")}, path("other.db"), "another program");
    // A run made with other options: resuming it with different ones is refused, the run left as it was.
    const std::string db = path("run.db");
    ASSERT_EQ(run(search({"--budget", "4", "--db", db})).exitCode, 0);
    expectRefused(search({"--resume", db, "--seed", "2"}), db, "--seed");
    expectRefused(search({"--resume", db, "--max-reductions", "3"}), db, "--max-reductions");
    expectRefused(search({"--resume", db, "--algorithm", "random"}), db, "--algorithm");
    // --db never overwrites.
    expectRefused(search({"--db", db}), db, "already exists");
    expectRefused({"runs", "show", "--db", path("notes.txt")}, path("notes.txt"), "not an SQLite file");
    // Resuming with the same options (and a larger budget) is fine.
    Result r = run(search({"--resume", db, "--budget", "6"}));
    EXPECT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(rows(db).size(), 6u);
}

}  // namespace
