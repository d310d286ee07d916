#include "base/ReadFile.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno {

std::string readInputFile(const std::string& path, const std::string& what, size_t maxBytes) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw Error(fmt::format("{} '{}' does not exist", what, path));
    if (fs::is_directory(status)) throw Error(fmt::format("{} '{}' is a directory", what, path));
    if (fs::is_regular_file(status)) {
        const auto size = fs::file_size(path, ec);
        if (!ec && size > maxBytes)
            throw Error(fmt::format("{} '{}' is {} bytes, more than the {} accepted", what, path, size, maxBytes));
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(fmt::format("cannot read {} '{}': {}", what, path, std::strerror(errno)));
    std::string text;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {  // a pipe or FIFO has no size to check first
        text.append(buffer, static_cast<size_t>(in.gcount()));
        if (text.size() > maxBytes) throw Error(fmt::format("{} '{}' is more than the {} bytes accepted", what, path, maxBytes));
    }
    if (in.bad()) throw Error(fmt::format("cannot read {} '{}'", what, path));
    return text;
}

}  // namespace syno
