#pragma once
// Writing a file so that readers see either the old file or the whole new one, never a half-written one:
// the text goes to a temporary file beside the target, is flushed to disk, then renamed over it.
#include <string>

namespace syno {

// Throws syno::Error (one line naming the path) when the directory is missing or not writable; nothing
// is left behind then.
void writeFileAtomically(const std::string& path, const std::string& text);

}  // namespace syno
