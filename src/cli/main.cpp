// Entry point of `syno-full`, the whole `syno` CLI with libtorch: every command, and the list of them.
// `syno` (FrontMain.cpp) runs the commands that need no libtorch itself and hands the rest to this binary.
#include <string>

#include <CLI/CLI.hpp>

#include "cli/Commands.h"
#include "cli/RunCli.h"
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
    return syno::cli::runCli(app, argc, argv);
}
