// Entry point of `syno`. Loading libtorch takes most of a second before main runs, longer than sampling
// hundreds of operators, so the commands that need no libtorch (sample, shapes) run in this small binary,
// and every other command, the command list and --version are `syno-full` beside it, which this process
// becomes (exec: same pid, arguments, environment and exit code).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/Printable.h"
#include "cli/Commands.h"
#include "cli/RunCli.h"

namespace {

bool runsHere(int argc, char** argv) {
    if (argc < 2) return false;
    const std::string_view command = argv[1];
    return command == "sample" || command == "shapes";
}

}  // namespace

int main(int argc, char** argv) {
    if (runsHere(argc, argv)) {
        CLI::App app{"syno", "syno"};
        app.require_subcommand(1);
        syno::cli::addShapesCommand(app);
        syno::cli::addSampleCommand(app);
        return syno::cli::runCli(app, argc, argv);
    }
    std::error_code error;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::string full = ((error ? std::filesystem::path(argv[0]) : self).parent_path() / "syno-full").string();
    execv(full.c_str(), argv);
    fmt::print(stderr, "syno: error: cannot run {}: {}\n", syno::printable(full), std::strerror(errno));
    return 1;
}
