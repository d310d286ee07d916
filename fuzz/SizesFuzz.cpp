// The size syntax (sizes/Parse.h): the input's first line is variable specs, the second a shape over
// them, the rest bindings; each part is parsed on its own, and the bindings are checked against the
// variables as `--bindings` are.
#include "FuzzTarget.h"
#include "sizes/Bindings.h"
#include "sizes/Parse.h"

namespace {
void fuzzOne(const std::string& text) {
    const size_t a = text.find('\n');
    const std::string specs = text.substr(0, a);
    const std::string rest = a == std::string::npos ? "" : text.substr(a + 1);
    const size_t b = rest.find('\n');
    const std::string shape = rest.substr(0, b), bindings = b == std::string::npos ? "" : rest.substr(b + 1);
    try {
        syno::parseBindings(bindings);
    } catch (const syno::Error&) {
    }
    const syno::VariableTable vars(syno::parseSpecs(specs, syno::VarKind::Primary));
    const syno::Shape parsed = syno::parseShape(shape, vars);
    syno::shapeToString(parsed, vars);
    const syno::SizeContext ctx(vars, syno::parseBindings(bindings));
    for (int i = 0; i < ctx.bindingCount(); ++i)
        for (const auto& d : parsed) ctx.eval(d.size, i);
}
}  // namespace

FUZZ_TARGET(fuzzOne)
