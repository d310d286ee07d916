#pragma once
// The run database: one SQLite file per search run. It records what the run is (options as JSON and
// their hash, seed, algorithm, evaluator fingerprint), every candidate in proposal order (text form,
// canonical id, path, status queued/running/done/failed with the reason, metrics, reward, times) and each
// session that worked on it. WAL journaling with synchronous=FULL and one transaction per event: a crash
// at any moment loses no finished evaluation. The search state itself is not serialized: the algorithms
// are deterministic functions of (seed, options, rewards in order), so a resumed run replays the recorded
// outcomes through a fresh algorithm and continues exactly where the interrupted one was.
// A file is accepted only when it carries syno's application id and schema version; anything else (a
// missing file, a text file, another program's SQLite database) is refused with one line, untouched.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "search/Evaluator.h"
#include "storage/Sqlite.h"

namespace syno::storage {

inline constexpr int64_t kApplicationId = 0x53594e4f;  // "SYNO"
inline constexpr int64_t kSchemaVersion = 2;  // 2: candidates.details (the evaluator's JSON)

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
    // Opens an existing run database after checking what the file is; read-only never writes to it.
    static RunDatabase open(const std::string& path, bool writable);

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
    explicit RunDatabase(SqliteDb db) : db_(std::move(db)) {}
    SqliteDb db_;
    bool hasDetails_ = true;  // false: a schema-1 file opened read-only
};

}  // namespace syno::storage
