#pragma once
// A fingerprint of the family of functions an operator computes, invariant to reparametrising its
// weights: a bijection of weight elements (another axis order, a weight indexed by a roll or a reshape
// of a dim, two sums always used together in the same weights as one) and the order the weights are
// listed in. The canonical hash (CanonicalForm.h) is structural and tells such operators apart; this
// one does not, so the search trains one of each family.
//
// How: at small probe bindings the operator is a multiset of terms out[o] += in[i] * w1[a] * w2[b]. The
// input and output positions are what the family is a function of, so they stay labelled; weight
// elements are anonymous and get colours by refinement (Weisfeiler-Leman: an element's colour is the
// multiset of the terms it occurs in, with the colours of the other weight elements there, repeated until
// the colouring is stable). The fingerprint hashes the multiset of terms written with those colours.
// Equivalent operators always collide; different ones collide only where refinement cannot tell their
// term structures apart or the probes make two of their sizes coincide (probes use two bindings with
// different coincidences between primaries, coefficients set to distinct small values).
#include <cstdint>
#include <optional>

#include "ir/Operator.h"
#include "sizes/Bindings.h"
#include "synthesis/Problem.h"

namespace syno {

// Two small bindings of the problem's variables at which the operators of its space can be told apart:
// coefficients distinct and small (odd ones stay odd, for windows), primaries the smallest values (at
// least 5, so a roll by one and by minus one differ) that keep the space's sizes integral, the second
// binding with every other primary doubled. Fixed dims (the batch) are 1. Coincidences between monomials
// of coefficients (g = 4 = s^2) remain: operators that differ only there share a fingerprint.
SizeContext fingerprintProbes(const Problem& problem);

// nullopt when the operator does not realise at every probe (a size does not divide) or has more than
// maxTerms terms at one (time grows with them: a few seconds at the limit): callers then fall back to the
// canonical hash.
std::optional<uint64_t> functionalFingerprint(const Operator& op, const SizeContext& probes,
                                              int64_t maxTerms = 30'000'000);

}  // namespace syno
