#pragma once
// Runs this same `syno` binary as a child process (a campaign's steps): an operator that crashes a
// training takes down that step, not the campaign, and each step resumes on its own.
#include <string>
#include <vector>

namespace syno::cli {

struct ChildStatus {
    int exitCode = -1;  // valid when !signaled
    int signal = 0;     // the signal that ended it, 0 when it exited
    bool ok() const { return signal == 0 && exitCode == 0; }
    std::string describe() const;  // "exit code 1", "killed by signal 9"
};

// Runs `syno args...`, sharing stdin, stdout and stderr, and waits for it. Throws syno::Error when the
// child cannot be started.
ChildStatus runSyno(const std::vector<std::string>& args);

}  // namespace syno::cli
