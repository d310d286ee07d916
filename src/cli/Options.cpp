#include "cli/Options.h"

#include <CLI/CLI.hpp>

#include "sizes/Parse.h"

namespace syno::cli {

void VariableOptions::addTo(CLI::App& cmd, const std::string& defaultPrimary, const std::string& defaultCoef) {
    primary = defaultPrimary;
    coef = defaultCoef;
    cmd.add_option("--primary", primary,
                   "primary (large) variables: 'name[=value][: maxOccurrences], ...', e.g. 'N=1, C_in: 2, H=28'")
        ->capture_default_str();
    cmd.add_option("--coef", coef,
                   "coefficient (small) variables, same syntax; a bare number declares an anonymous constant, "
                   "e.g. 'k=3: 2, s=2, g=32, 5'")
        ->capture_default_str();
    cmd.add_option("--bindings", bindings,
                   "concrete values, one set per layer the operator must fit, separated by ';', e.g. "
                   "'C_in=64, H=56; C_in=128, H=28' (unset variables take their spec values)");
}

SizeContext VariableOptions::context() const {
    auto vars = parseSpecs(primary, VarKind::Primary);
    auto coefs = parseSpecs(coef, VarKind::Coefficient);
    vars.insert(vars.end(), coefs.begin(), coefs.end());
    return SizeContext(VariableTable(vars), parseBindings(bindings));
}

}  // namespace syno::cli
