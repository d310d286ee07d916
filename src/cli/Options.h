#pragma once
// Options shared by several commands (variable specs and bindings) and the checks every command's
// options use, so that no bad value is accepted silently.
#include <string>

#include <CLI/CLI.hpp>

#include "sizes/Bindings.h"

namespace syno::cli {

// A number in [lo, hi]. Unlike CLI::Range it refuses NaN, which compares false with both bounds.
CLI::Validator bounded(double lo, double hi);
// A libtorch thread count: 1 (0 too, when `zeroMeansDefault`) up to the cores this process may use.
CLI::Validator threadCount(bool zeroMeansDefault = false);
// A default thread count no larger than the cores this process may use (a 1-core container gets 1).
int defaultThreads(int wanted);
// A seed: a whole number from 0 to 2^64 - 1 (no sign: -1 would wrap around).
CLI::Validator seedValue();
// Text with something in it: an option given as '' is a mistake, not a request for the default.
CLI::Validator notBlank();

struct VariableOptions {
    std::string primary;
    std::string coef;
    std::string bindings;
    void addTo(CLI::App& cmd, const std::string& defaultPrimary, const std::string& defaultCoef);
    // Parses and checks the specs and bindings; throws syno::Error.
    SizeContext context() const;
};

}  // namespace syno::cli
