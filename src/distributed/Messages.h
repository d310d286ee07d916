#pragma once
// What rank 0 and the evaluating ranks say to each other, as JSON text: a candidate to evaluate and its
// outcome. Doubles survive exactly (shortest round-trip form; NaN as null), so a result from another rank
// is the bit-identical number a local evaluation gives.
#include <cstdint>
#include <string>

#include "search/Evaluator.h"

namespace syno::distributed {

struct JobMessage {
    int64_t job = 0;
    search::Candidate candidate;
};

struct ResultMessage {
    int64_t job = 0;
    search::Outcome outcome;
    double seconds = 0;  // wall time of the evaluation on its rank
};

std::string encode(const JobMessage& m);
std::string encode(const ResultMessage& m);
// Throw syno::Error on text that is not such a message.
JobMessage decodeJob(const std::string& text);
ResultMessage decodeResult(const std::string& text);

}  // namespace syno::distributed
