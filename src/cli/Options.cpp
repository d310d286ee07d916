#include "cli/Options.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "base/Cores.h"
#include "sizes/Parse.h"
#include "sizes/ParseContext.h"

namespace syno::cli {

namespace {

// The whole text as a finite number, or NaN.
double number(const std::string& text) {
    try {
        size_t used = 0;
        const double v = std::stod(text, &used);
        return used == text.size() && std::isfinite(v) ? v : NAN;
    } catch (const std::exception&) {
        return NAN;
    }
}

}  // namespace

CLI::Validator bounded(double lo, double hi) {
    return CLI::Validator(
        [lo, hi](std::string& text) -> std::string {
            const double v = number(text);
            if (std::isnan(v)) return fmt::format("'{}' is not a finite number", text.substr(0, 40));
            if (v < lo || v > hi) return fmt::format("{} is outside [{}, {}]", text, lo, hi);
            return {};
        },
        fmt::format("in [{}, {}]", lo, hi));
}

CLI::Validator threadCount(bool zeroMeansDefault) {
    const int cores = availableCores();
    return CLI::Validator(
        [cores, zeroMeansDefault](std::string& text) -> std::string {
            const double v = number(text);
            const double lo = zeroMeansDefault ? 0 : 1;
            if (std::isnan(v) || v < lo || v > cores || v != std::floor(v))
                return fmt::format("{} threads: this process may use {} to {} (its CPUs: affinity and cgroup quota)",
                                   text.substr(0, 40), lo, cores);
            return {};
        },
        fmt::format("in [{}, {}]", zeroMeansDefault ? 0 : 1, cores));
}

int defaultThreads(int wanted) { return std::max(1, std::min(wanted, availableCores())); }

CLI::Validator seedValue() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const bool digits = !text.empty() && text.size() <= 20 && text.find_first_not_of("0123456789") == std::string::npos;
            if (!digits || (text.size() == 20 && text > "18446744073709551615"))
                return fmt::format("'{}' is not a seed (a whole number from 0 to 2^64 - 1)", text.substr(0, 40));
            return {};
        },
        "");
}

CLI::Validator notBlank() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            return text.find_first_not_of(" \t\n\r") == std::string::npos ? "empty (leave the option out for its default)"
                                                                          : std::string();
        },
        "");
}

void VariableOptions::addTo(CLI::App& cmd, const std::string& defaultPrimary, const std::string& defaultCoef) {
    primary = defaultPrimary;
    coef = defaultCoef;
    cmd.add_option("--primary", primary,
                   "primary (large) variables: 'name[=value][: maxOccurrences], ...', e.g. 'N=1, C_in: 2, H=28'")
        ->capture_default_str()
        ->check(notBlank());
    cmd.add_option("--coef", coef,
                   "coefficient (small) variables, same syntax; a bare number declares an anonymous constant, "
                   "e.g. 'k=3: 2, s=2, g=32, 5'")
        ->capture_default_str();
    cmd.add_option("--bindings", bindings,
                   "concrete values, one set per layer the operator must fit, separated by ';', e.g. "
                   "'C_in=64, H=56; C_in=128, H=28' (unset variables take their spec values)")
        ->check(notBlank());
}

SizeContext VariableOptions::context() const {
    return parseContext(primary, coef, bindings);
}

}  // namespace syno::cli
