#include "synthesis/State.h"

#include <algorithm>

#include "base/StableHash.h"

namespace syno {

const char* stepKindName(StepKind kind) {
    switch (kind) {
        case StepKind::Reduce: return "reduce";
        case StepKind::Contraction: return "contract";
        case StepKind::Split: return "split";
        case StepKind::Merge: return "merge";
        case StepKind::Shift: return "shift";
        case StepKind::Stride: return "stride";
        case StepKind::Unfold: return "unfold";
        case StepKind::Expand: return "expand";
        case StepKind::Finalize: return "finalize";
    }
    return "?";
}

int State::depth() const {
    int d = 0;
    for (int k = 0; k < kStepKinds; ++k)
        if (k != static_cast<int>(StepKind::Finalize)) d += counts[static_cast<size_t>(k)];
    return d;
}

bool State::reducing() const { return depth() == counts[static_cast<size_t>(StepKind::Reduce)]; }

uint64_t weightKey(const std::vector<Dim>& weight) {
    uint64_t h = hashString("weight");
    for (Dim d : weight) h = hashCombine(h, d->hash);
    return h;
}

namespace {
bool byHash(Dim a, Dim b) { return a->hash < b->hash; }
}  // namespace

void State::normalize() {
    std::sort(frontier.begin(), frontier.end(), byHash);
    std::sort(expansions.begin(), expansions.end(), byHash);
    for (auto& w : weights) std::sort(w.begin(), w.end(), byHash);
    std::sort(weights.begin(), weights.end(),
              [](const auto& a, const auto& b) { return weightKey(a) < weightKey(b); });
    uint64_t h = hashString("state");
    h = hashCombine(h, frontier.size());
    for (Dim d : frontier) h = hashCombine(h, d->hash);
    h = hashCombine(h, reductions.size());
    for (Dim d : reductions) h = hashCombine(h, d->hash);
    h = hashCombine(h, weights.size());
    for (const auto& w : weights) h = hashCombine(h, weightKey(w));
    h = hashCombine(h, expansions.size());
    for (Dim d : expansions) h = hashCombine(h, d->hash);
    key = h;
}

bool State::inWeight(Dim d) const {
    for (const auto& w : weights)
        if (std::find(w.begin(), w.end(), d) != w.end()) return true;
    return false;
}

bool isBelow(Dim leaf, Dim d) {
    if (d == leaf) return true;
    return (d->lhs && isBelow(leaf, d->lhs)) || (d->rhs && isBelow(leaf, d->rhs));
}

bool State::weighted(Dim r) const {
    for (const auto& w : weights)
        for (Dim d : w)
            if (isBelow(r, d)) return true;
    return false;
}

bool State::belowFrontier(Dim r) const {
    for (Dim d : frontier)
        if (isBelow(r, d)) return true;
    return false;
}

bool hasReduceBelow(Dim d) {
    if (d->kind == DimKind::Reduce) return true;
    if (d->kind == DimKind::Iterator) return false;
    return (d->lhs && hasReduceBelow(d->lhs)) || (d->rhs && hasReduceBelow(d->rhs));
}

bool hasIteratorBelow(Dim d) {
    if (d->kind == DimKind::Iterator) return true;
    if (d->kind == DimKind::Reduce) return false;
    return (d->lhs && hasIteratorBelow(d->lhs)) || (d->rhs && hasIteratorBelow(d->rhs));
}

}  // namespace syno
