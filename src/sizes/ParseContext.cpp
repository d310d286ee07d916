#include "sizes/ParseContext.h"

#include "sizes/Parse.h"

namespace syno {

VariableTable parseVariables(const std::string& primaries, const std::string& coefficients) {
    auto vars = parseSpecs(primaries, VarKind::Primary);
    auto coefs = parseSpecs(coefficients, VarKind::Coefficient);
    vars.insert(vars.end(), coefs.begin(), coefs.end());
    return VariableTable(vars);
}

SizeContext parseContext(const std::string& primaries, const std::string& coefficients, const std::string& bindings) {
    return SizeContext(parseVariables(primaries, coefficients), parseBindings(bindings));
}

}  // namespace syno
