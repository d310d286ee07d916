#pragma once
// Random draws that are the same on every platform: std::mt19937_64 is fully specified, the standard's
// distributions are not.
#include <cstddef>
#include <cstdint>
#include <random>

namespace syno {

// Unbiased draw in [0, n), n > 0.
inline size_t drawIndex(std::mt19937_64& rng, size_t n) {
    const uint64_t limit = ~0ULL - (~0ULL % n);
    uint64_t x;
    do x = rng();
    while (x >= limit);
    return static_cast<size_t>(x % n);
}

// Uniform in [0, 1) from the engine's top 53 bits.
inline double drawUnit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace syno
