#include "cli/Subprocess.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::cli {

std::string ChildStatus::describe() const {
    return signal ? fmt::format("killed by signal {}", signal) : fmt::format("exit code {}", exitCode);
}

ChildStatus runSyno(const std::vector<std::string>& args) {
    std::vector<std::string> all{"syno"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw Error(fmt::format("cannot start a syno step: {}", std::strerror(errno)));
    if (pid == 0) {
        // The child ends with its parent (a campaign killed alone leaves no second writer behind), and runs
        // the parent's own binary: /proc/self/exe names it even when a rebuild has replaced the file.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(127);
        execv("/proc/self/exe", argv.data());
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) throw Error(fmt::format("waiting for a syno step: {}", std::strerror(errno)));
    ChildStatus s;
    if (WIFSIGNALED(status)) s.signal = WTERMSIG(status);
    else s.exitCode = WEXITSTATUS(status);
    return s;
}

}  // namespace syno::cli
