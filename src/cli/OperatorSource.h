#pragma once
// Where a command's operator comes from: a file (text or JSON form, '-' for stdin), a known layer, or a
// candidate of a run database. One loader for every command that takes an operator.
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "ir/Operator.h"

namespace syno::cli {

struct OperatorSource {
    std::string file;     // '-' reads stdin
    std::string library;  // a known layer (library::names())
    std::string db;       // a run database, with candidate or best
    int64_t candidate = 0;
    bool best = false;
    bool withRuns = false;  // --db is an option of this command
    // Registers FILE and --library (and --db, --candidate, --best when `runs`) on cmd.
    void addTo(CLI::App& cmd, bool runs);
    // The operator, parsed against `vars` (a file's or candidate's own declarations win over them). Throws
    // syno::Error unless exactly one source is given, or when it cannot be read or parsed.
    Operator load(const VariableTable& vars) const;
};

}  // namespace syno::cli
