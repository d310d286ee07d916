#pragma once
// `syno report`'s page: one self-contained HTML file (Vega, Vega-Lite and vega-embed inlined, operator
// graphs as inline SVG) that shows a run database as it is now. Reading never writes to the database.
#include <string>

#include "report/OperatorSection.h"
#include "storage/RunDatabase.h"

namespace syno::report {

struct ReportOptions {
    int top = 10;  // best operators by reward drawn besides the Pareto front
};

// Keeps the drawings of operators between pages, so `syno search --report` can rewrite the page after
// every evaluation for the cost of the new operators only.
class ReportBuilder {
public:
    explicit ReportBuilder(ReportOptions options = {}) : options_(options) {}
    // The page; throws syno::Error when the run has no candidate yet.
    std::string page(storage::RunDatabase& db);
    // The page written atomically (a reader sees the old page or the new one).
    void write(storage::RunDatabase& db, const std::string& path);

private:
    ReportOptions options_;
    OperatorViewCache views_;
};

}  // namespace syno::report
