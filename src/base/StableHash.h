#pragma once
// Portable 64-bit hashing. std::hash differs between standard libraries and runs, so ids that must be
// the same on every machine (operator ids, dimension hashes) are built from this instead.
#include <cstdint>
#include <string_view>

namespace syno {

// splitmix64 finaliser: a fixed, well-mixed bijection on 64-bit words.
constexpr uint64_t mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// Order-sensitive combination of a running hash with one more word.
constexpr uint64_t hashCombine(uint64_t seed, uint64_t value) {
    return mix64(seed ^ (mix64(value) + 0x632be59bd9b4e019ULL + (seed << 6) + (seed >> 2)));
}

// FNV-1a over bytes, then mixed: stable for any string.
constexpr uint64_t hashString(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return mix64(h);
}

}  // namespace syno
