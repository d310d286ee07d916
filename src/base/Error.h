#pragma once
// One exception type for every user-facing failure: its message is a single line that the CLI prints
// as is, so it must say what was wrong and where, without a stack of context.
#include <stdexcept>
#include <string>

namespace syno {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace syno
