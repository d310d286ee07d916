#include "cli/Subprocess.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include <fmt/format.h>

#include "base/Error.h"

extern char** environ;

namespace syno::cli {

std::string ChildStatus::describe() const {
    return signal ? fmt::format("killed by signal {}", signal) : fmt::format("exit code {}", exitCode);
}

ChildStatus runSyno(const std::vector<std::string>& args) {
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) throw Error(fmt::format("cannot find the syno binary: {}", std::strerror(errno)));
    self[n] = '\0';
    std::vector<std::string> all{self};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    if (int err = posix_spawn(&pid, self, nullptr, nullptr, argv.data(), environ); err != 0)
        throw Error(fmt::format("cannot start {}: {}", self, std::strerror(err)));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw Error(fmt::format("waiting for {}: {}", self, std::strerror(errno)));
    ChildStatus s;
    if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
    else s.exitCode = WEXITSTATUS(status);
    return s;
}

}  // namespace syno::cli
