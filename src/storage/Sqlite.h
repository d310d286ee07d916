#pragma once
// A thin RAII layer over the SQLite C API: a connection and prepared statements with typed binds and
// columns. Every SQLite failure becomes a one-line syno::Error naming the database file. NaN binds as NULL
// and NULL reads back as NaN, so unmeasured metrics round-trip.
#include <cstdint>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace syno::storage {

class Statement;

class SqliteDb {
public:
    // Create: the file must not exist yet. Snapshot: read-only on a file no process writes (SQLite's
    // immutable), which leaves no -wal or -shm file behind.
    enum class Mode { ReadOnly, Snapshot, ReadWrite, Create };
    SqliteDb(const std::string& path, Mode mode);
    ~SqliteDb();
    SqliteDb(SqliteDb&& other) noexcept;
    SqliteDb& operator=(SqliteDb&& other) noexcept;
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    void exec(const std::string& sql);
    Statement prepare(const std::string& sql);
    int64_t pragmaInt(const std::string& name);
    const std::string& path() const { return path_; }
    [[noreturn]] void fail(const std::string& what) const;

private:
    sqlite3* db_ = nullptr;
    std::string path_;
};

// BEGIN IMMEDIATE ... COMMIT around several statements; destroyed without commit(), it rolls back.
class Transaction {
public:
    explicit Transaction(SqliteDb& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    SqliteDb& db_;
    bool open_ = true;
};

class Statement {
public:
    Statement(SqliteDb& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
    ~Statement();
    Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, const std::string& value);
    Statement& bindNull(int index);
    bool step();  // true while rows come; throws on error
    void run() { while (step()) {} }
    void reset();

    int64_t getInt(int column) const;
    double getDouble(int column) const;  // NULL: NaN
    std::string getText(int column) const;
    bool isNull(int column) const;

private:
    SqliteDb* db_;
    sqlite3_stmt* stmt_;
};

}  // namespace syno::storage
