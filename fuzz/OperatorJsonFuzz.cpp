// The operator JSON form (TextForm.h): parsed, and when accepted, written and read back to the same
// operator.
#include "FuzzTarget.h"
#include "ir/TextForm.h"

namespace {
void fuzzOne(const std::string& text) {
    const syno::Operator op = syno::operatorFromJson(text);
    if (syno::operatorFromJson(syno::operatorToJson(op)).id() != op.id()) {
        std::fprintf(stderr, "fuzz: the JSON written for an operator reads back as another one\n");
        std::abort();
    }
}
}  // namespace

FUZZ_TARGET(fuzzOne)
