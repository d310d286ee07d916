#pragma once
// One exception type for every user-facing failure: its message is a single line that the CLI prints
// as is, so it must say what was wrong and where, without a stack of context. The message is kept
// whole (what() stops at a NUL byte that user input may have carried in); base/Printable.h makes it
// safe to show.
#include <stdexcept>
#include <string>

namespace syno {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message), message_(message) {}
    const std::string& message() const { return message_; }

private:
    std::string message_;
};

}  // namespace syno
