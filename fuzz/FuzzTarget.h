#pragma once
// What every fuzz target asserts: a parser given any bytes either returns or throws syno::Error (the
// one-line refusal the CLI prints). Anything else -- another exception, a crash, a sanitizer report, a
// hang -- is a finding. Each target defines `fuzzOne(text)`; FUZZ_TARGET wires it to libFuzzer's entry
// point (the same entry point ReplayMain.cpp drives without clang).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "base/Error.h"

#define FUZZ_TARGET(body)                                                                    \
    extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {               \
        const std::string text(reinterpret_cast<const char*>(data), size);                 \
        try {                                                                               \
            body(text);                                                                     \
        } catch (const syno::Error&) {                                                      \
        } catch (const std::exception& e) {                                                 \
            std::fprintf(stderr, "fuzz: a parser threw a non-syno exception: %s\n", e.what()); \
            std::abort();                                                                   \
        }                                                                                   \
        return 0;                                                                           \
    }
