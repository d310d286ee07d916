#pragma once
// Small helpers shared by the test binaries (header-only, so each binary links only its own layer).
#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string>

#include "base/Error.h"
#include "sizes/Bindings.h"
#include "sizes/Parse.h"
#include "sizes/ParseContext.h"

namespace syno::test {

// Variables from a primary and a coefficient spec, as the CLI builds them.
inline VariableTable makeVars(const std::string& primary, const std::string& coef = "") {
    return parseVariables(primary, coef);
}

inline SizeContext makeContext(const std::string& primary, const std::string& coef = "",
                               const std::string& bindings = "") {
    return parseContext(primary, coef, bindings);
}

// Runs fn, requires it to throw syno::Error, and returns the message (empty when it did not throw).
inline std::string errorOf(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "threw a std::exception that is not syno::Error: " << e.what();
        return std::string("<non-syno exception> ") + e.what();
    }
    ADD_FAILURE() << "expected syno::Error, nothing was thrown";
    return "";
}

// Every user-facing message is one line.
inline void expectOneLine(const std::string& message) {
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

inline void expectContainsAll(const std::string& message, std::initializer_list<std::string> parts) {
    for (const auto& p : parts) EXPECT_NE(message.find(p), std::string::npos) << "'" << p << "' not in: " << message;
}

}  // namespace syno::test
