#pragma once
// A finished operator of the space as the search proposes it: text, canonical id, path, estimates.
#include "search/Evaluator.h"
#include "synthesis/Space.h"

namespace syno::search {

Candidate candidateOf(const Sampled& s);

}  // namespace syno::search
