#pragma once
// Reading a whole input file that a user named: what is wrong with the path (missing, a directory, not
// readable, too large) is said in one line, naming the file as `what` (e.g. "operator file").
#include <cstddef>
#include <string>

namespace syno {

std::string readInputFile(const std::string& path, const std::string& what, size_t maxBytes = size_t{64} << 20);

}  // namespace syno
