#include "storage/RunDatabase.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "base/Error.h"
#include "base/StableHash.h"

namespace syno::storage {

namespace {

double now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sessions(
  id INTEGER PRIMARY KEY, command TEXT NOT NULL, started_at REAL NOT NULL, ended_at REAL, note TEXT);
CREATE TABLE candidates(
  seq INTEGER PRIMARY KEY, batch INTEGER NOT NULL,
  canonical_id TEXT NOT NULL, path TEXT NOT NULL, operator TEXT NOT NULL,
  operator_flops REAL, operator_params REAL,
  status TEXT NOT NULL CHECK(status IN ('queued', 'running', 'done', 'failed')), failure TEXT,
  reward REAL, accuracy REAL, test_accuracy REAL, baseline_accuracy REAL, flops REAL, flops_ratio REAL,
  params REAL, latency_ms REAL, latency_ratio REAL, train_seconds REAL, eval_seconds REAL,
  attempts INTEGER NOT NULL DEFAULT 0, queued_at REAL, started_at REAL, finished_at REAL, details TEXT,
  checksum TEXT, family TEXT);
CREATE INDEX candidates_by_reward ON candidates(reward DESC);
CREATE INDEX candidates_by_canonical ON candidates(canonical_id);
)sql";

// Schemas 1 (before candidates.details), 2 (before candidates.checksum) and 3 (before candidates.family)
// are read as they are, and migrated when a writer begins a session.
std::string columns(int64_t version) {
    return fmt::format(
        "seq, batch, canonical_id, path, operator, operator_flops, operator_params, status, failure, reward, accuracy, "
        "test_accuracy, baseline_accuracy, flops, flops_ratio, params, latency_ms, latency_ratio, train_seconds, "
        "eval_seconds, attempts, queued_at, started_at, finished_at, {}, {}, {}",
        version >= 2 ? "details" : "NULL", version >= 3 ? "checksum" : "NULL", version >= 4 ? "family" : "NULL");
}

// Every stored field of a row, in a fixed order: what its checksum covers.
std::string checksumOf(const CandidateRow& r) {
    const auto& m = r.metrics;
    std::string text = fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}", r.seq, r.batch, r.canonicalId, r.path, r.operatorText,
                                   r.operatorFlops, r.operatorParams, r.status, r.failure);
    for (double x : {r.reward, m.accuracy, m.testAccuracy, m.baselineAccuracy, m.flops, m.flopsRatio, m.params,
                     m.latencyMs, m.latencyRatio, m.trainSeconds, r.evalSeconds, r.queuedAt, r.startedAt, r.finishedAt})
        text += fmt::format("|{}", x);
    text += fmt::format("|{}|{}", r.attempts, r.details);
    if (!r.family.empty()) text += "|family " + r.family;  // rows without one keep their earlier checksum
    return stableHashHex(text);
}

CandidateRow readRow(const Statement& s) {
    CandidateRow r;
    r.seq = s.getInt(0);
    r.batch = s.getInt(1);
    r.canonicalId = s.getText(2);
    r.path = s.getText(3);
    r.operatorText = s.getText(4);
    r.operatorFlops = s.getDouble(5);
    r.operatorParams = s.getDouble(6);
    r.status = s.getText(7);
    r.failure = s.getText(8);
    r.reward = s.getDouble(9);
    auto& m = r.metrics;
    m.accuracy = s.getDouble(10);
    m.testAccuracy = s.getDouble(11);
    m.baselineAccuracy = s.getDouble(12);
    m.flops = s.getDouble(13);
    m.flopsRatio = s.getDouble(14);
    m.params = s.getDouble(15);
    m.latencyMs = s.getDouble(16);
    m.latencyRatio = s.getDouble(17);
    m.trainSeconds = s.getDouble(18);
    r.evalSeconds = s.getDouble(19);
    r.attempts = s.getInt(20);
    r.queuedAt = s.getDouble(21);
    r.startedAt = s.getDouble(22);
    r.finishedAt = s.getDouble(23);
    r.details = s.getText(24);
    r.family = s.isNull(26) ? "" : s.getText(26);
    return r;
}

// A row as read for use: one whose checksum does not match was changed outside syno and is refused.
CandidateRow checkedRow(const Statement& s, int64_t version, const std::string& path) {
    CandidateRow r = readRow(s);
    if (version >= 3 && (s.isNull(25) || s.getText(25) != checksumOf(r)))
        throw Error(fmt::format("{}: candidate {} is damaged (its checksum does not match its fields): the file was "
                                "changed outside syno; restore it from a copy",
                                path, r.seq));
    return r;
}

// SQLite's own structural check, and the tables a run needs: a damaged file is refused before use.
void checkIntegrity(SqliteDb& db, const std::string& path) {
    std::string verdict;
    try {
        auto s = db.prepare("PRAGMA quick_check(1)");
        if (s.step()) verdict = s.getText(0);
    } catch (const Error&) {
        verdict = "unreadable";
    }
    if (verdict != "ok")
        throw Error(fmt::format("{}: damaged run database (SQLite quick_check: {}); restore it from a copy", path,
                                verdict.substr(0, 200)));
    for (const char* table : {"meta", "sessions", "candidates"}) {
        auto s = db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
        s.bind(1, std::string(table));
        s.step();
        if (s.getInt(0) != 1) throw Error(fmt::format("{}: damaged run database (its table '{}' is missing)", path, table));
    }
}

// What the file is, decided from its bytes before SQLite touches it.
void checkFileKind(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw Error(fmt::format("{}: no such run database", path));
    if (!fs::is_regular_file(status)) throw Error(fmt::format("{}: not a regular file", path));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("{}: cannot read", path));
    char header[16] = {};
    in.read(header, sizeof header);
    if (in.gcount() != sizeof header || std::string(header, 16) != std::string("SQLite format 3\0", 16))
        throw Error(fmt::format("{}: not a syno run database (not an SQLite file)", path));
}

}  // namespace

search::Outcome CandidateRow::outcome() const {
    search::Outcome o;
    o.ok = status == "done";
    o.failure = failure;
    o.metrics = metrics;
    o.details = details;
    return o;
}

std::string stableHashHex(const std::string& text) { return fmt::format("{:016x}", hashString(text)); }

RunDatabase RunDatabase::create(const std::string& path, const RunInfo& info) {
    if (std::filesystem::exists(path))
        throw Error(fmt::format("{} already exists: continue it with --resume, or choose another --db", path));
    // Built whole under a temporary name and linked into place, so that a process killed while creating
    // it leaves either no run database or a complete one (at worst a stray .creating file).
    const std::string staging = fmt::format("{}.creating-{}", path, ::getpid());
    std::filesystem::remove(staging);
    {
        SqliteDb db(staging, SqliteDb::Mode::Create);
        db.exec("PRAGMA journal_mode=WAL");
        db.exec("PRAGMA synchronous=NORMAL");
        db.exec("BEGIN");
        db.exec(fmt::format("PRAGMA application_id={}", kApplicationId));
        db.exec(fmt::format("PRAGMA user_version={}", kSchemaVersion));
        db.exec(kSchema);
        auto put = db.prepare("INSERT INTO meta(key, value) VALUES(?, ?)");
        auto set = [&](const std::string& k, const std::string& v) {
            put.bind(1, k).bind(2, v);
            put.run();
            put.reset();
        };
        set("options", info.optionsJson);
        set("options_hash", info.optionsHash);
        set("seed", std::to_string(info.seed));
        set("algorithm", info.algorithm);
        set("fingerprint", info.fingerprint);
        set("created_at", info.createdAt);
        set("syno_version", info.synoVersion);
        db.exec("COMMIT");
    }  // closed: checkpointed into the one file, no -wal left to rename
    // link(2) refuses an existing target, so two processes creating the same run cannot both succeed.
    if (::link(staging.c_str(), path.c_str()) != 0) {
        const int err = errno;
        std::filesystem::remove(staging);
        if (err == EEXIST)
            throw Error(fmt::format("{} already exists: continue it with --resume, or choose another --db", path));
        throw Error(fmt::format("{}: cannot create: {}", path, std::strerror(err)));
    }
    std::filesystem::remove(staging);
    auto lock = WriterLock::acquire(path, WriterLock::Wait::No);
    SqliteDb db(path, SqliteDb::Mode::ReadWrite);
    // WAL with NORMAL: a commit reaches the OS at once (a killed process loses nothing) and the disk at the
    // next checkpoint; only an OS crash can lose the last events, which a resume re-queues. FULL's fsync per
    // event held rank 0 of a distributed search to ~500 results per second.
    db.exec("PRAGMA synchronous=NORMAL");
    return RunDatabase(std::move(db), std::move(lock));
}

RunDatabase RunDatabase::open(const std::string& path, bool writable, WriterLock::Wait wait) {
    checkFileKind(path);
    // The lock first: another writer's half-written state is never validated against.
    std::optional<WriterLock> lock;
    if (writable) lock = WriterLock::acquire(path, wait);
    // With no writer at work and no journal to replay, a reader opens the file as immutable: a `runs`
    // command then leaves no -wal or -shm file behind.
    // (A writer holds the lock itself, so nobody else is at work.)
    const bool snapshot = !std::filesystem::exists(path + "-wal") && (writable || !WriterLock::isHeld(path));
    int64_t version = 0;
    {
        // Identify the file read-only first, so a foreign database is never written to.
        SqliteDb probe(path, snapshot ? SqliteDb::Mode::Snapshot : SqliteDb::Mode::ReadOnly);
        int64_t appId = 0;
        try {
            appId = probe.pragmaInt("application_id");
        } catch (const Error&) {
            throw Error(fmt::format("{}: not a syno run database (corrupt SQLite file)", path));
        }
        if (appId != kApplicationId)
            throw Error(fmt::format("{}: not a syno run database (an SQLite file of another program, application id {:#x})",
                                    path, appId));
        version = probe.pragmaInt("user_version");
        if (version < 1 || version > kSchemaVersion)
            throw Error(fmt::format("{}: run database schema version {}, this syno reads versions 1 to {}", path, version,
                                    kSchemaVersion));
    }
    SqliteDb db(path, writable ? SqliteDb::Mode::ReadWrite : snapshot ? SqliteDb::Mode::Snapshot : SqliteDb::Mode::ReadOnly);
    if (writable) db.exec("PRAGMA synchronous=NORMAL");
    checkIntegrity(db, path);
    RunDatabase run(std::move(db), std::move(lock));
    run.version_ = version;
    run.info();  // a database missing its run description is refused here
    return run;
}

void RunDatabase::migrate() {
    if (version_ == kSchemaVersion) return;
    Transaction t(db_);
    if (version_ < 2) db_.exec("ALTER TABLE candidates ADD COLUMN details TEXT");
    if (version_ < 3) db_.exec("ALTER TABLE candidates ADD COLUMN checksum TEXT");
    if (version_ < 4) db_.exec("ALTER TABLE candidates ADD COLUMN family TEXT");
    db_.exec(fmt::format("PRAGMA user_version={}", kSchemaVersion));
    version_ = kSchemaVersion;
    std::vector<int64_t> seqs;
    for (auto s = db_.prepare("SELECT seq FROM candidates"); s.step();) seqs.push_back(s.getInt(0));
    for (int64_t seq : seqs) seal(seq);
    t.commit();
}

void RunDatabase::seal(int64_t seq) {
    auto s = db_.prepare(fmt::format("SELECT {} FROM candidates WHERE seq = ?", columns(version_)));
    s.bind(1, seq);
    if (!s.step()) return;
    const std::string sum = checksumOf(readRow(s));
    db_.prepare("UPDATE candidates SET checksum = ? WHERE seq = ?").bind(1, sum).bind(2, seq).run();
}

RunInfo RunDatabase::info() {
    RunInfo info;
    auto s = db_.prepare("SELECT key, value FROM meta");
    int found = 0;
    while (s.step()) {
        std::string k = s.getText(0), v = s.getText(1);
        if (k == "options") info.optionsJson = v, ++found;
        else if (k == "options_hash") info.optionsHash = v, ++found;
        else if (k == "seed") info.seed = std::stoull(v), ++found;
        else if (k == "algorithm") info.algorithm = v, ++found;
        else if (k == "fingerprint") info.fingerprint = v, ++found;
        else if (k == "created_at") info.createdAt = v;
        else if (k == "syno_version") info.synoVersion = v;
    }
    if (found != 5) throw Error(fmt::format("{}: the run description is incomplete (corrupt run database)", path()));
    if (stableHashHex(info.optionsJson) != info.optionsHash)
        throw Error(fmt::format("{}: the recorded options do not match their hash (corrupt run database)", path()));
    return info;
}

std::optional<std::string> RunDatabase::meta(const std::string& key) {
    auto s = db_.prepare("SELECT value FROM meta WHERE key = ?");
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    return s.getText(0);
}

void RunDatabase::setMeta(const std::string& key, const std::string& value) {
    migrate();
    db_.prepare("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, key)
        .bind(2, value)
        .run();
}

int64_t RunDatabase::beginSession(const std::string& command) {
    migrate();
    auto s = db_.prepare("INSERT INTO sessions(command, started_at) VALUES(?, ?) RETURNING id");
    s.bind(1, command).bind(2, now());
    if (!s.step()) db_.fail("cannot record the session");
    return s.getInt(0);
}

void RunDatabase::endSession(int64_t session, const std::string& note) {
    db_.prepare("UPDATE sessions SET ended_at = ?, note = ? WHERE id = ?").bind(1, now()).bind(2, note).bind(3, session).run();
}

int64_t RunDatabase::requeueRunning() {
    migrate();
    Transaction t(db_);
    std::vector<int64_t> seqs;
    {
        auto s = db_.prepare("UPDATE candidates SET status = 'queued', started_at = NULL WHERE status = 'running' RETURNING seq");
        while (s.step()) seqs.push_back(s.getInt(0));
    }
    for (int64_t seq : seqs) seal(seq);
    t.commit();
    return static_cast<int64_t>(seqs.size());
}

void RunDatabase::queued(int64_t seq, int64_t batch, const search::Candidate& c) {
    migrate();
    Transaction t(db_);
    auto insert = db_.prepare(
        "INSERT INTO candidates(seq, batch, canonical_id, path, operator, operator_flops, operator_params, status, "
        "queued_at, family) VALUES(?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?) "
        "ON CONFLICT(seq) DO UPDATE SET status = 'queued', queued_at = excluded.queued_at");
    insert.bind(1, seq)
        .bind(2, batch)
        .bind(3, c.canonicalId)
        .bind(4, c.path)
        .bind(5, c.operatorText)
        .bind(6, c.operatorFlops)
        .bind(7, c.operatorParams)
        .bind(8, now());
    if (c.family.empty()) insert.bindNull(9);
    else insert.bind(9, c.family);
    insert.run();
    seal(seq);
    t.commit();
}

void RunDatabase::started(int64_t seq) {
    migrate();
    Transaction t(db_);
    db_.prepare("UPDATE candidates SET status = 'running', started_at = ?, attempts = attempts + 1 WHERE seq = ?")
        .bind(1, now())
        .bind(2, seq)
        .run();
    seal(seq);
    t.commit();
}

void RunDatabase::finished(int64_t seq, const search::Outcome& o, std::optional<double> reward, double seconds) {
    migrate();
    const auto& m = o.metrics;
    Transaction t(db_);
    db_.prepare(
           "UPDATE candidates SET status = ?, failure = ?, reward = ?, accuracy = ?, test_accuracy = ?, "
           "baseline_accuracy = ?, flops = ?, flops_ratio = ?, params = ?, latency_ms = ?, latency_ratio = ?, "
           "train_seconds = ?, eval_seconds = ?, finished_at = ?, details = ? WHERE seq = ?")
        .bind(1, std::string(reward ? "done" : "failed"))
        .bind(2, reward ? std::string()
                 : o.ok  ? std::string("no accuracy measured")
                         : (o.failure.empty() ? std::string("failed") : o.failure))
        .bind(3, reward ? *reward : search::kNotMeasured)
        .bind(4, m.accuracy)
        .bind(5, m.testAccuracy)
        .bind(6, m.baselineAccuracy)
        .bind(7, m.flops)
        .bind(8, m.flopsRatio)
        .bind(9, m.params)
        .bind(10, m.latencyMs)
        .bind(11, m.latencyRatio)
        .bind(12, m.trainSeconds)
        .bind(13, seconds)
        .bind(14, now())
        .bind(15, o.details)
        .bind(16, seq)
        .run();
    seal(seq);
    t.commit();
}

std::optional<CandidateRow> RunDatabase::candidate(int64_t seq) {
    auto s = db_.prepare(fmt::format("SELECT {} FROM candidates WHERE seq = ?", columns(version_)));
    s.bind(1, seq);
    if (!s.step()) return std::nullopt;
    return checkedRow(s, version_, path());
}

std::vector<CandidateRow> RunDatabase::candidates(const std::string& orderBy, int64_t limit) {
    std::string order = orderBy == "reward" ? "reward IS NULL, reward DESC, seq" : "seq";
    auto s = db_.prepare(fmt::format("SELECT {} FROM candidates ORDER BY {} LIMIT ?", columns(version_), order));
    s.bind(1, limit);
    std::vector<CandidateRow> rows;
    while (s.step()) rows.push_back(checkedRow(s, version_, path()));
    return rows;
}

StatusCounts RunDatabase::counts() {
    StatusCounts c;
    auto s = db_.prepare("SELECT status, COUNT(*) FROM candidates GROUP BY status");
    while (s.step()) {
        std::string st = s.getText(0);
        int64_t n = s.getInt(1);
        if (st == "queued") c.queued = n;
        else if (st == "running") c.running = n;
        else if (st == "done") c.done = n;
        else if (st == "failed") c.failed = n;
    }
    return c;
}

int64_t RunDatabase::sessions() {
    auto s = db_.prepare("SELECT COUNT(*) FROM sessions");
    s.step();
    return s.getInt(0);
}

}  // namespace syno::storage
