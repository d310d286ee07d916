#include "cli/RunCli.h"

#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/Error.h"
#include "base/Printable.h"

namespace syno::cli {

int runCli(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        // One line like every other error (CLI11's own report adds a second).
        fmt::print(stderr, "syno: error: {} (see --help)\n", printable(e.what()));
        return 1;
    } catch (const Error& e) {
        // One printable line, whatever text (NUL bytes, invalid UTF-8, 100 KB) the user's input put in it.
        fmt::print(stderr, "syno: error: {}\n", printable(e.message()));
        return 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "syno: internal error: {}\n", printable(e.what()));
        return 2;
    }
    return 0;
}

}  // namespace syno::cli
