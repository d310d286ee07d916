#include "cli/OperatorSource.h"

#include <cmath>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "base/Error.h"
#include "cli/Options.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "storage/RunDatabase.h"

namespace syno::cli {

void OperatorSource::addTo(CLI::App& cmd, bool runs) {
    withRuns = runs;
    cmd.add_option("file", file, "operator file in text or JSON form, '-' for stdin");
    cmd.add_option("--library", library, std::string("a known layer instead of a file: ") + library::names());
    if (!runs) return;
    cmd.add_option("--db", db, "a run database (syno search): take the operator of one of its candidates");
    cmd.add_option("--candidate", candidate, "with --db: the candidate's sequence number (syno runs list)")
        ->check(bounded(1, 1e15));
    cmd.add_flag("--best", best, "with --db: the candidate with the best reward");
}

Operator OperatorSource::load(const VariableTable& vars) const {
    const int given = int(!file.empty()) + int(!library.empty()) + int(!db.empty());
    if (given != 1)
        throw Error(withRuns ? "give exactly one operator: a FILE ('-' for stdin), --library NAME or --db RUN"
                             : "give either an operator FILE ('-' for stdin) or --library NAME");
    if ((candidate != 0 || best) && db.empty()) throw Error("--candidate and --best go with --db");
    if (!library.empty()) return library::byName(library, vars);
    if (!db.empty()) {
        if ((candidate != 0) == best) throw Error("with --db, give either --candidate N or --best");
        auto run = storage::RunDatabase::open(db, false);
        std::optional<storage::CandidateRow> row;
        if (best) {
            const auto rows = run.candidates("reward", 1);
            if (rows.empty() || !std::isfinite(rows[0].reward))
                throw Error(fmt::format("{} has no rewarded candidate yet", db));
            row = rows[0];
        } else {
            row = run.candidate(candidate);
            if (!row) throw Error(fmt::format("{} has no candidate {} ({} candidates)", db, candidate, run.counts().total()));
        }
        return parseOperator(row->operatorText, &vars);
    }
    if (file == "-") {
        std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
        auto first = text.find_first_not_of(" \t\r\n");
        if (first == std::string::npos) throw Error("no operator on stdin");
        return text[first] == '{' ? operatorFromJson(text) : parseOperator(text, &vars);
    }
    return loadOperatorFile(file, &vars);
}

}  // namespace syno::cli
