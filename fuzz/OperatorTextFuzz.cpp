// The operator text form (TextForm.h): parsed, and when accepted, printed and parsed again to the same
// operator.
#include "FuzzTarget.h"
#include "ir/TextForm.h"

namespace {
void fuzzOne(const std::string& text) {
    const syno::Operator op = syno::parseOperator(text);
    const syno::Operator again = syno::parseOperator(syno::printOperator(op));
    if (again.id() != op.id()) {
        std::fprintf(stderr, "fuzz: the printed operator parses to another one\n");
        std::abort();
    }
}
}  // namespace

FUZZ_TARGET(fuzzOne)
