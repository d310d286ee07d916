#pragma once
// A problem's variables and bindings from their text forms in one call: the primaries' and the
// coefficients' spec lists (primaries first, as every table in syno orders them) and the bindings
// (sizes/Parse.h has the syntax). Throws syno::Error on malformed text, as the parsers do.
#include <string>

#include "sizes/Bindings.h"
#include "sizes/Variables.h"

namespace syno {

VariableTable parseVariables(const std::string& primaries, const std::string& coefficients);
SizeContext parseContext(const std::string& primaries, const std::string& coefficients, const std::string& bindings = "");

}  // namespace syno
