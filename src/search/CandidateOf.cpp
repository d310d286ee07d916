#include "search/CandidateOf.h"

#include <fmt/format.h>

#include "ir/TextForm.h"

namespace syno::search {

Candidate candidateOf(const Sampled& s) {
    Candidate c;
    c.operatorText = printOperator(s.op);
    c.canonicalId = fmt::format("{:016x}", s.canonical);
    c.path = s.path.serialize();
    c.operatorFlops = s.flops;
    c.operatorParams = s.params;
    return c;
}

}  // namespace syno::search
