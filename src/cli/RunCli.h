#pragma once
// Parses the command line and runs the chosen command, turning every failure into one line on stderr:
// exit 1 for bad input, 2 for an internal error, 0 for success, --help and --version.
namespace CLI {
class App;
}

namespace syno::cli {

int runCli(CLI::App& app, int argc, char** argv);

}  // namespace syno::cli
