#pragma once
// Immutable dimension nodes. An operator is read from its output upward: each node is a dimension
// defined by the primitive that produces it from the dimensions *below* it (toward the output), so a
// node's value (its loop index) is a function of the output iterators and reductions.
//
//   Iterator i      output dimension i                         value = i
//   Reduce r        a summed (or averaged) loop                  value = r
//   Split(a, b)     one dim of size |a|*|b| split into [a, b]    value = a*|b| + b
//   MergeOuter/Inner(d, B)  dims [|d|/B, B] merged into d        value = d / B,  d % B
//   Shift(d, s)     roll                                         value = (d + s) mod |d|
//   Stride(d, s)    subsampling (dilation of windows)            value = d * s,  size |d|*s
//   Unfold(d, w)    same-padding sliding window over d           value = d + w - span(w)/2
//                   (zero outside [0, |d|); span(w) = largest value of w, so windows are centred)
//
// Share is not a node: a dimension that appears in a weight and on the data path is shared. Expand is
// not a node either: an expanded dimension is listed by the operator and reaches no input.
// Nodes are hash-consed by DimStore, so equal sub-graphs are the same pointer.
#include <cstdint>

#include "sizes/Size.h"

namespace syno {

enum class DimKind : uint8_t { Iterator, Reduce, Split, MergeOuter, MergeInner, Shift, Stride, Unfold };
enum class ReduceKind : uint8_t { Sum, Mean };

const char* dimKindName(DimKind kind);

struct DimNode {
    DimKind kind = DimKind::Iterator;
    Size size;
    int index = 0;                  // Iterator: output position. Reduce: reduction number.
    ReduceKind reduce = ReduceKind::Sum;
    int shift = 0;                  // Shift: amount
    Size factor;                    // MergeOuter/Inner: block B. Stride: stride s.
    const DimNode* lhs = nullptr;   // the dim below (Split: major part; Unfold: main dim)
    const DimNode* rhs = nullptr;   // Split: minor part; Unfold: window
    uint64_t hash = 0;              // Merkle hash over kind, parameters and the dims below; portable
    int height = 0;                 // longest chain of primitives below this dim (0 for leaves)

    bool isLeaf() const { return kind == DimKind::Iterator || kind == DimKind::Reduce; }
};

using Dim = const DimNode*;

}  // namespace syno
