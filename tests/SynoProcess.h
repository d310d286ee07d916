#pragma once
// Running the built `syno` binary from a test: arguments are shell-quoted, stdout and stderr go through
// files in a scratch directory, and the exit code (or the signal that ended it) is decoded. Include it only
// from targets that define SYNO_BINARY, the executable's path.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef SYNO_BINARY
#error "SYNO_BINARY must name the built syno executable"
#endif

extern "C" char** environ;

namespace syno::test {

struct ProcessResult {
    int exitCode = -1;  // -1 when the process did not exit normally
    int signal = 0;     // the signal that ended it, if any
    std::string out, err;
};

inline std::string shellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

inline std::string readFile(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

// A fresh directory under the system's temporary directory; empty when it cannot be made.
inline std::filesystem::path makeTempDir(const std::string& prefix) {
    std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "_XXXXXX")).string();
    return mkdtemp(tmpl.data()) ? std::filesystem::path(tmpl) : std::filesystem::path();
}

// Runs syno with `args` (stdin from `stdinFile`, or /dev/null; in directory `cwd`, or this one),
// capturing its output in `scratch`.
inline ProcessResult runSyno(const std::vector<std::string>& args, const std::filesystem::path& scratch,
                             const std::string& stdinFile = "", const std::filesystem::path& cwd = {}) {
    std::string cmd = (cwd.empty() ? std::string() : "cd " + shellQuote(cwd.string()) + " && ") + "exec " +
                      shellQuote(SYNO_BINARY);
    for (const auto& a : args) cmd += " " + shellQuote(a);
    cmd += " >" + shellQuote((scratch / "stdout").string()) + " 2>" + shellQuote((scratch / "stderr").string());
    cmd += " <" + shellQuote(stdinFile.empty() ? "/dev/null" : stdinFile);
    const int status = std::system(cmd.c_str());
    ProcessResult r;
    if (status != -1 && WIFEXITED(status)) {
        r.exitCode = WEXITSTATUS(status);
        if (r.exitCode > 128) r.signal = r.exitCode - 128;  // the shell's report of a signal
    } else if (status != -1 && WIFSIGNALED(status)) {
        r.signal = WTERMSIG(status);
    }
    r.out = readFile(scratch / "stdout");
    r.err = readFile(scratch / "stderr");
    return r;
}

// Starts `args` (args[0] is the program's path) in the background, its output discarded; returns its pid
// (0 if it could not start). The caller waits for it (waitpid) or kills it.
inline pid_t spawnProcess(std::vector<std::string> args) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0 ? pid : 0;
}

// The same for syno with `args`.
inline pid_t spawnSyno(std::vector<std::string> args) {
    args.insert(args.begin(), SYNO_BINARY);
    return spawnProcess(std::move(args));
}

}  // namespace syno::test
