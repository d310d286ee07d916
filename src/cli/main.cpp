// Entry point of the `syno` CLI: parses the command line and turns every failure into one line on
// stderr and a non-zero exit code.
#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/Error.h"
#include "base/Printable.h"
#include "cli/Commands.h"
#include "plans/Execute.h"


int main(int argc, char** argv) {
    syno::plans::retainFreedMemory();  // before libtorch allocates anything
    CLI::App app{"syno: synthesize neural-network operators from primitives on tensor dimensions.\n"
                 "Operators are built from Split, Merge, Shift, Stride, Unfold, Expand, Share and Reduce over\n"
                 "symbolic shapes; one operator fits every layer (binding) it replaces.",
                 "syno"};
    app.set_version_flag("--version", std::string("syno ") + SYNO_VERSION);
    app.require_subcommand(1);
    app.footer("Examples:\n"
               "  syno demo                          build conv2d from primitives, check it against libtorch\n"
               "  syno show --library conv2d --loops print a known layer and its loop nest\n"
               "  syno shapes --input '[N, C_in, H, W]' --output '[N, C_out, H/s, W/s]' \\\n"
               "      --primary 'N=1, C_in, C_out, H' --coef 's=2' --bindings 'C_in=64, C_out=64, H=56'\n"
               "Run 'syno <command> --help' for the options of each command.");
    syno::cli::addDemoCommand(app);
    syno::cli::addShowCommand(app);
    syno::cli::addShapesCommand(app);
    syno::cli::addSampleCommand(app);
    syno::cli::addPlanCommand(app);
    syno::cli::addEvalCommand(app);
    syno::cli::addSearchCommand(app);
    syno::cli::addRunsCommand(app);
    syno::cli::addCampaignCommand(app);
    syno::cli::addExportCommand(app);
    syno::cli::addReportCommand(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        // One line like every other error (CLI11's own report adds a second).
        fmt::print(stderr, "syno: error: {} (see --help)\n", syno::printable(e.what()));
        return 1;
    } catch (const syno::Error& e) {
        // One printable line, whatever text (NUL bytes, invalid UTF-8, 100 KB) the user's input put in it.
        fmt::print(stderr, "syno: error: {}\n", syno::printable(e.message()));
        return 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "syno: internal error: {}\n", syno::printable(e.what()));
        return 2;
    }
    return 0;
}
