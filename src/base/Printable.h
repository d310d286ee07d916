#pragma once
// Text from users (file contents, option values) inside a message shown on a terminal.
#include <cstddef>
#include <string>

namespace syno {

// `text` as one printable line of at most about `maxBytes` (plus a note of what was cut): line breaks
// become spaces, control bytes and invalid UTF-8 become \xNN escapes.
std::string printable(const std::string& text, size_t maxBytes = 400);

}  // namespace syno
