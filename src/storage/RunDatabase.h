#pragma once
// The run database: one SQLite file per search run. It records what the run is (options as JSON and
// their hash, seed, algorithm, evaluator fingerprint), every candidate in proposal order (text form,
// canonical id, path, status queued/running/done/failed with the reason, metrics, reward, times) and each
// session that worked on it. WAL journaling with synchronous=FULL and one transaction per event: a crash
// at any moment loses no finished evaluation. The search state itself is not serialized: the algorithms
// are deterministic functions of (seed, options, rewards in order), so a resumed run replays the recorded
// outcomes through a fresh algorithm and continues exactly where the interrupted one was.
// A file is accepted only when it carries syno's application id and schema version and passes SQLite's
// quick_check; anything else (a missing file, a text file, another program's SQLite database, damaged
// pages) is refused with one line, untouched. Each candidate row carries a checksum of its fields, so a
// row damaged where quick_check cannot see it is reported instead of read. One process writes a run at a
// time (WriterLock); opening for writing takes the lock but writes nothing (an older schema is migrated
// by the first write), so a caller can validate everything and refuse with the file byte-identical.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "search/Evaluator.h"
#include "storage/Sqlite.h"
#include "storage/WriterLock.h"

namespace syno::storage {

inline constexpr int64_t kApplicationId = 0x53594e4f;  // "SYNO"
inline constexpr int64_t kSchemaVersion = 4;  // 2: candidates.details (the evaluator's JSON); 3: checksum; 4: family

struct RunInfo {
    std::string optionsJson;  // the run's options (see `syno search`), canonical JSON
    std::string optionsHash;  // hex of a stable hash of optionsJson
    uint64_t seed = 0;
    std::string algorithm;
    std::string fingerprint;  // the evaluator's
    std::string createdAt;    // ISO 8601, UTC
    std::string synoVersion;
};

struct CandidateRow {
    int64_t seq = 0;
    int64_t batch = 0;
    std::string canonicalId, path, operatorText;
    double operatorFlops = search::kNotMeasured, operatorParams = search::kNotMeasured;
    std::string status;   // queued | running | done | failed
    std::string failure;  // failed only
    double reward = search::kNotMeasured;
    search::Metrics metrics;
    double evalSeconds = search::kNotMeasured;
    int64_t attempts = 0;
    double queuedAt = search::kNotMeasured, startedAt = search::kNotMeasured, finishedAt = search::kNotMeasured;
    std::string details;  // the evaluator's JSON (Outcome::details), empty when none
    std::string family;   // Candidate::family, empty when unknown (and in runs recorded before schema 4)
    search::Outcome outcome() const;
};

struct StatusCounts {
    int64_t queued = 0, running = 0, done = 0, failed = 0;
    int64_t total() const { return queued + running + done + failed; }
};

std::string stableHashHex(const std::string& text);

class RunDatabase {
public:
    // Creates a new run database; refuses an existing file.
    static RunDatabase create(const std::string& path, const RunInfo& info);
    // Opens an existing run database after checking what the file is; read-only never writes to it (nor
    // leaves -wal/-shm files when no writer is at work). Writable takes the writer lock (refusing, or
    // waiting with Wait::Yes, while another process holds it) and writes nothing until asked to.
    static RunDatabase open(const std::string& path, bool writable, WriterLock::Wait wait = WriterLock::Wait::No);

    const std::string& path() const { return db_.path(); }
    RunInfo info();

    // Free-form settings that do not identify the run (budget, workers): readable and updatable.
    std::optional<std::string> meta(const std::string& key);
    void setMeta(const std::string& key, const std::string& value);

    // A session is one `syno search` process working on the run (the first one or a resume).
    int64_t beginSession(const std::string& command);
    void endSession(int64_t session, const std::string& note);
    // Candidates left running by a killed process go back to queued (resume).
    int64_t requeueRunning();

    void queued(int64_t seq, int64_t batch, const search::Candidate& c);
    void started(int64_t seq);
    void finished(int64_t seq, const search::Outcome& outcome, std::optional<double> reward, double seconds);

    std::optional<CandidateRow> candidate(int64_t seq);
    // All candidates by sequence; `orderBy` is "seq" or "reward" (best first, unrewarded last).
    std::vector<CandidateRow> candidates(const std::string& orderBy = "seq", int64_t limit = -1);
    StatusCounts counts();
    int64_t sessions();

private:
    RunDatabase(SqliteDb db, std::optional<WriterLock> lock) : lock_(std::move(lock)), db_(std::move(db)) {}
    void migrate();
    // Recomputes the checksum of the row after a change to it (inside the change's transaction).
    void seal(int64_t seq);
    std::optional<WriterLock> lock_;  // held by a writer, released after the connection closes
    SqliteDb db_;
    int64_t version_ = kSchemaVersion;  // of the file as opened; older ones are migrated by a writer
};

}  // namespace syno::storage
