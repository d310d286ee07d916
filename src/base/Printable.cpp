#include "base/Printable.h"

#include <fmt/format.h>

namespace syno {

namespace {

// Length of the valid UTF-8 sequence starting at s[i] (1 to 4), or 0 when it is not one.
size_t utf8Length(const std::string& s, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((byte(i + k) >> 6) != 0x2) return 0;
    if (n == 2 && c < 0xc2) return 0;                        // overlong
    if (n == 3 && c == 0xe0 && byte(i + 1) < 0xa0) return 0;  // overlong
    if (n == 3 && c == 0xed && byte(i + 1) >= 0xa0) return 0; // surrogates
    if (n == 4 && (c > 0xf4 || (c == 0xf0 && byte(i + 1) < 0x90) || (c == 0xf4 && byte(i + 1) >= 0x90))) return 0;
    return n;
}

}  // namespace

std::string printable(const std::string& text, size_t maxBytes) {
    std::string out;
    size_t i = 0;
    while (i < text.size() && out.size() < maxBytes) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\n' || c == '\r' || c == '\t') {
            out += ' ';
            ++i;
        } else if (c < 0x20 || c == 0x7f) {
            out += fmt::format("\\x{:02x}", c);
            ++i;
        } else if (const size_t n = utf8Length(text, i)) {
            out.append(text, i, n);
            i += n;
        } else {
            out += fmt::format("\\x{:02x}", c);
            ++i;
        }
    }
    if (i < text.size()) out += fmt::format("... ({} more bytes)", text.size() - i);
    return out;
}

}  // namespace syno
