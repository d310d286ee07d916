#pragma once
// The arena that owns dimension nodes and hash-conses them: asking twice for the same primitive over
// the same dims returns the same node. It only grows; nodes never change once made. Sizes are not
// checked here (that is the builder's and the synthesiser's job), only structure.
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

#include "ir/Dim.h"
#include "sizes/Variables.h"

namespace syno {

class DimStore {
public:
    explicit DimStore(VariableTable vars) : vars_(std::move(vars)) {}
    DimStore(const DimStore&) = delete;
    DimStore& operator=(const DimStore&) = delete;

    const VariableTable& vars() const { return vars_; }

    Dim iterator(int index, const Size& size);
    Dim reduce(int index, const Size& size, ReduceKind kind);
    Dim split(Dim major, Dim minor);
    Dim mergeOuter(Dim below, const Size& block);
    Dim mergeInner(Dim below, const Size& block);
    Dim shift(Dim below, int amount);
    Dim stride(Dim below, const Size& stride);
    Dim unfold(Dim main, Dim window);

    size_t nodeCount() const { return nodes_.size(); }

private:
    Dim intern(DimNode node);

    VariableTable vars_;
    std::deque<DimNode> nodes_;                    // stable addresses
    std::unordered_map<uint64_t, Dim> byHash_;     // one node per 64-bit hash...
    std::vector<Dim> collisions_;                  // ...and the (astronomically rare) others
};

}  // namespace syno
