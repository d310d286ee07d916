// `syno report`: one self-contained HTML page of a run database (the run, the accuracy/speedup Pareto
// plot, the search's progress, every candidate, the best operators drawn). Opens the run read-only: safe
// while a search writes it, and the file is never changed.
#include <filesystem>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/AtomicFile.h"
#include "base/Error.h"
#include "cli/Commands.h"
#include "cli/Options.h"
#include "report/Report.h"
#include "storage/RunDatabase.h"

namespace syno::cli {

namespace {

struct ReportCommandOptions {
    std::string db, output;
    int top = 10;
};

// run.db -> run.html beside it.
std::string defaultOutput(const std::string& db) {
    std::filesystem::path p(db);
    return p.replace_extension(".html").string();
}

void runReport(const ReportCommandOptions& o) {
    const std::string output = o.output.empty() ? defaultOutput(o.db) : o.output;
    std::error_code ec;
    if (std::filesystem::equivalent(o.db, output, ec) || output == o.db)
        throw Error(fmt::format("the report {} would overwrite the run database: give another -o", output));
    auto db = storage::RunDatabase::open(o.db, false);
    report::ReportBuilder builder(report::ReportOptions{o.top});
    const std::string page = builder.page(db);
    const auto counts = db.counts();
    writeFileAtomically(output, page);
    fmt::print("wrote {} ({:.1f} KB): {} candidate(s), {} done, {} failed{}\n", output, page.size() / 1024.0,
               counts.total(), counts.done, counts.failed,
               counts.running + counts.queued > 0
                   ? fmt::format(", {} not finished (the run is in progress or was stopped)", counts.running + counts.queued)
                   : "");
}

}  // namespace

void addReportCommand(CLI::App& app) {
    auto o = std::make_shared<ReportCommandOptions>();
    auto* cmd = app.add_subcommand(
        "report", "Write one self-contained HTML page of a search run: Pareto plot, progress, every candidate, "
                  "the best operators drawn");
    cmd->add_option("run", o->db, "the run database (made by syno search --db); opened read-only, never changed")
        ->required();
    cmd->add_option("-o,--output", o->output,
                    "the HTML file to write, replaced atomically (default: the database's name with .html)");
    cmd->add_option("--top", o->top,
                    "operators drawn in full (graph, text form, loop nest, plan) besides the Pareto front: the best "
                    "this many by reward")
        ->capture_default_str()
        ->check(bounded(0, 100000));
    cmd->footer("The page works offline from disk (Vega-Lite and the operator drawings are inside it). It shows the\n"
                "run (problem, network, options, status, wall time, the baseline's accuracy and latency), accuracy\n"
                "against end-to-end speedup with FLOPs ratio as colour and the Pareto front (hover a point for its\n"
                "operator, click it to jump to its section), best reward and front hypervolume against evaluations\n"
                "and wall time, a sortable and filterable table of every candidate, and for each operator on the\n"
                "front and the best by reward its dimension graph (Graphviz), text form, loop nest and plan.\n"
                "A run still being searched is reported as it is now; reload after `syno report` again, or let\n"
                "`syno search --report FILE` rewrite the page after each evaluation.\n\n"
                "Examples:\n"
                "  syno report run.db                        writes run.html beside it\n"
                "  syno report run.db -o /tmp/run.html --top 20\n"
                "  syno report run.db --top 0                draw the Pareto front's operators only\n"
                "  syno search --evaluator synthetic --budget 200 --db s.db --report s.html   watch a search\n"
                "  syno show --library conv2d --graph conv.svg                               one operator's graph");
    cmd->callback([o] { runReport(*o); });
}

}  // namespace syno::cli
