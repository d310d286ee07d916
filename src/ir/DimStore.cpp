#include "ir/DimStore.h"

#include <algorithm>

#include "base/Error.h"
#include "base/StableHash.h"

namespace syno {

const char* dimKindName(DimKind kind) {
    switch (kind) {
        case DimKind::Iterator: return "iterator";
        case DimKind::Reduce: return "reduce";
        case DimKind::Split: return "split";
        case DimKind::MergeOuter: return "merge_outer";
        case DimKind::MergeInner: return "merge_inner";
        case DimKind::Shift: return "shift";
        case DimKind::Stride: return "stride";
        case DimKind::Unfold: return "unfold";
    }
    return "?";
}

namespace {
bool sameNode(const DimNode& a, const DimNode& b) {
    return a.kind == b.kind && a.size == b.size && a.index == b.index && a.reduce == b.reduce &&
           a.shift == b.shift && a.factor == b.factor && a.lhs == b.lhs && a.rhs == b.rhs;
}
}  // namespace

Dim DimStore::intern(DimNode node) {
    uint64_t h = hashString(dimKindName(node.kind));
    h = hashCombine(h, node.size.stableHash(vars_));
    h = hashCombine(h, static_cast<uint64_t>(node.index));
    h = hashCombine(h, static_cast<uint64_t>(node.reduce));
    h = hashCombine(h, static_cast<uint64_t>(static_cast<int64_t>(node.shift)));
    h = hashCombine(h, node.factor.stableHash(vars_));
    h = hashCombine(h, node.lhs ? node.lhs->hash : 0);
    h = hashCombine(h, node.rhs ? node.rhs->hash : 0);
    node.hash = h;
    node.height = std::max(node.lhs ? node.lhs->height + 1 : 0, node.rhs ? node.rhs->height + 1 : 0);
    auto [it, fresh] = byHash_.emplace(h, nullptr);
    if (!fresh) {
        if (sameNode(*it->second, node)) return it->second;
        for (Dim d : collisions_)
            if (sameNode(*d, node)) return d;
    }
    nodes_.push_back(node);
    Dim made = &nodes_.back();
    if (fresh) it->second = made;
    else collisions_.push_back(made);
    return made;
}

namespace {
DimNode node(DimKind kind, const Size& size) {
    DimNode n;
    n.kind = kind;
    n.size = size;
    return n;
}

void requireDim(Dim d, const char* what) {
    if (!d) throw Error(std::string("null dimension passed to ") + what);
}
}  // namespace

Dim DimStore::iterator(int index, const Size& size) {
    DimNode n = node(DimKind::Iterator, size);
    n.index = index;
    return intern(n);
}

Dim DimStore::reduce(int index, const Size& size, ReduceKind kind) {
    DimNode n = node(DimKind::Reduce, size);
    n.index = index;
    n.reduce = kind;
    return intern(n);
}

Dim DimStore::split(Dim major, Dim minor) {
    requireDim(major, "split");
    requireDim(minor, "split");
    DimNode n = node(DimKind::Split, major->size * minor->size);
    n.lhs = major;
    n.rhs = minor;
    return intern(n);
}

Dim DimStore::mergeOuter(Dim below, const Size& block) {
    requireDim(below, "merge");
    DimNode n = node(DimKind::MergeOuter, below->size / block);
    n.factor = block;
    n.lhs = below;
    return intern(n);
}

Dim DimStore::mergeInner(Dim below, const Size& block) {
    requireDim(below, "merge");
    DimNode n = node(DimKind::MergeInner, block);
    n.factor = block;
    n.lhs = below;
    return intern(n);
}

Dim DimStore::shift(Dim below, int amount) {
    requireDim(below, "shift");
    DimNode n = node(DimKind::Shift, below->size);
    n.shift = amount;
    n.lhs = below;
    return intern(n);
}

Dim DimStore::stride(Dim below, const Size& stride) {
    requireDim(below, "stride");
    DimNode n = node(DimKind::Stride, below->size * stride);
    n.factor = stride;
    n.lhs = below;
    return intern(n);
}

Dim DimStore::unfold(Dim main, Dim window) {
    requireDim(main, "unfold");
    requireDim(window, "unfold");
    DimNode n = node(DimKind::Unfold, main->size);
    n.lhs = main;
    n.rhs = window;
    return intern(n);
}

}  // namespace syno
