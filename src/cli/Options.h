#pragma once
// Options shared by several commands: variable specs and bindings.
#include <string>

#include "sizes/Bindings.h"

namespace CLI {
class App;
}

namespace syno::cli {

struct VariableOptions {
    std::string primary;
    std::string coef;
    std::string bindings;
    void addTo(CLI::App& cmd, const std::string& defaultPrimary, const std::string& defaultCoef);
    // Parses and checks the specs and bindings; throws syno::Error.
    SizeContext context() const;
};

}  // namespace syno::cli
