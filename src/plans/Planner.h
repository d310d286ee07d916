#pragma once
// The plan compiler's working state, private to src/plans (compilePlan in Plan.cpp is its one user).
//
// A Planner lowers one operator at one binding. Its run() (Planner.cpp) reads as the whole lowering:
// for each stage of planStages' contraction order, settle the operands' axes into roles (ClassifyAxes.cpp)
// by views and cheap copies (RefineAxes.cpp) or by moving index maps onto the smaller operand
// (FoldIndexMaps.cpp), lower the stage to one kernel (LowerStage.cpp, EmitKernel.cpp), and finally bring
// the last tensor to the output's layout (OutputLayout.cpp). Facts about dims and coordinates that every
// step asks live in PlannerDims.cpp.
//
// Vocabulary: a "coordinate" is a loop index of the operator (an output iterator, a reduction, or a half
// of a merged one that is not merged again), one bit of a 64-bit mask; every dim's value is a function of
// the coordinates in its mask (cm). R is the mask of the coordinates the current stage's result keeps.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "plans/Plan.h"
#include "semantics/Stages.h"

namespace syno::plans::planner {

// The axis lists one after another (an operand's axes in the order a kernel reads them).
inline std::vector<Dim> joined(std::initializer_list<std::reference_wrapper<const std::vector<Dim>>> parts) {
    std::vector<Dim> out;
    for (const std::vector<Dim>& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

inline PlanOp mk(OpKind kind, int dst, int a, int b = -1) {
    PlanOp o;
    o.kind = kind;
    o.dst = dst;
    o.a = a;
    o.b = b;
    return o;
}

// Thrown by emitKernel when a stage would need a convolution over more than 3 axes; contract falls back
// to einsum.
struct TooManyConvAxes {};

// What an operand's axis is in a stage (Plan.h's header comment); Kernel: a summed axis that is the
// window of another operand's convolved unfold.
enum class Role { Unknown, Free, Group, Contracted, Private, Spatial, Kernel };

// A tensor slot of the plan with the dim labelling each of its axes.
struct Operand {
    int slot = 0;
    std::vector<Dim> axes;
};

class Planner {
public:
    // Realizes the operator at the binding and numbers its coordinates (Planner.cpp).
    Planner(const Operator& op, const SizeContext& ctx, int binding, PaddingPolicy policy, const PlanOptions& options);
    // The plan: every stage lowered in planStages' order, then the output layout (Planner.cpp).
    Plan run();

private:
    // ---- facts about dims (inline here, the rest in PlannerDims.cpp) ------------------------------------
    int leafBit(Dim leaf) const { return leaf->kind == DimKind::Iterator ? leaf->index : nOut_ + leaf->index; }
    bool isMerged(Dim d) const {
        auto it = halves_.find(d);
        return it != halves_.end() && it->second.first && it->second.second;
    }
    bool isCoord(Dim d) const { return coordBit_.count(d) > 0; }
    bool isCoordish(Dim d) const { return coordish_.at(d); }
    const ConcreteDim& concrete(Dim d) const { return r_.dims[static_cast<size_t>(index_.at(d))]; }
    int64_t sz(Dim d) const { return concrete(d).size; }
    uint64_t cm(Dim d) const { return mask_.at(d); }
    // A shift of an output iterator standing as the iterator's coordinate (shiftedOutput_).
    bool isShiftedOutput(Dim d) const { return d->kind == DimKind::Shift && isCoord(d); }
    static bool contains(Dim d, Dim target) {
        if (d == target) return true;
        return (d->lhs && contains(d->lhs, target)) || (d->rhs && contains(d->rhs, target));
    }
    static size_t countOf(const Operand& x, Dim d) {
        return static_cast<size_t>(std::count(x.axes.begin(), x.axes.end(), d));
    }
    static size_t indexOf(const Operand& x, Dim d) {
        return static_cast<size_t>(std::find(x.axes.begin(), x.axes.end(), d) - x.axes.begin());
    }

    // The coordinates d's value depends on (memoised; the constructor fills it for every dim).
    uint64_t maskOf(Dim d);
    // The map from the coordinates below d to d's value is a bijection onto [0, |d|).
    bool bijective(Dim d) const;
    std::string dimName(Dim d) const;
    std::string names(const std::vector<Dim>& ds) const;
    std::string slotName(int slot) const;
    std::vector<int64_t> shapeOf(const std::vector<Dim>& axes) const;
    int64_t numel(const std::vector<Dim>& axes) const;
    // The other half of the merged dim that d is a half of.
    Dim otherHalf(Dim d) const;
    // The window of an unfold, without a stride (dilation) on top.
    std::pair<Dim, int64_t> windowOf(Dim u) const;
    // value(d) at one assignment of the coordinates (by coordinate bit); -1 where a window falls outside.
    int64_t valueAt(Dim d, const std::vector<int64_t>& coord) const;
    // The coordinates of x's axes other than axis `skip`.
    uint64_t othersMask(const Operand& x, size_t skip) const;
    // The output's coordinates in memory order: each output dim, a merged one as its outer then inner half.
    std::vector<Dim> outputOrder() const;
    // The mask of the output iterators' coordinates.
    uint64_t outputCoords() const;

    // ---- emitting views and cheap copies (RefineAxes.cpp) ------------------------------------------------
    void emit(PlanOp op) { plan_.ops.push_back(std::move(op)); }
    void reshape(int slot, std::vector<int64_t> shape);
    // Axis k of x becomes the axes `replacement` (a reshape).
    void reshapeAxes(Operand& x, size_t k, std::vector<Dim> replacement);
    void permuteTo(Operand& x, const std::vector<Dim>& order);
    void sumAxes(Operand& x, const std::vector<size_t>& axes);
    // Appends axes the tensor does not vary along: a reshape adding unit axes, then a broadcast.
    void broadcastAlong(Operand& x, const std::vector<Dim>& dims);
    // Axis k of x is a shift: a roll brings it to the dim below.
    void rollShift(Operand& x, size_t k);
    // One refinement step of axis k of x that needs no unfold expansion; false when there is none.
    bool refine(Operand& x, size_t k, bool allowUnfold);
    // Refines every axis of x down to coordinates, expanding unfolds (einsum's operands).
    void refineFully(Operand& x);

    // ---- roles of axes (ClassifyAxes.cpp) ----------------------------------------------------------------
    // Axis k of x is an unfold that a convolution can compute, its window being an axis of y.
    bool spatialOk(const Operand& x, size_t k, const Operand* y, uint64_t R) const;
    // Free and group axes keep their dims whatever they share with the other free axes of their own
    // operand (the result keeps them side by side); summed axes must be bijective and disjoint from
    // everything else, so that every summed coordinate runs once over its range.
    Role classify(const Operand& x, size_t k, const Operand* y, uint64_t R, bool spatialAllowed) const;
    // Axis k of x is an unfold whose coordinates the result keeps, its window an axis of y that the result
    // keeps too: the contraction runs on x's values unwindowed (the unfold a free axis of x, its window a
    // free axis of y, an output channel), and the result takes the window afterwards, its tap being an axis
    // there (refine's diagonal: one pass over the result, where expanding the window copied x |window|
    // times). Operator 1's first stage, 16@28 batch 128, 2 threads (`syno plan --profile`): 6.6 ms as a
    // window, a reordering copy and 3072 GEMMs of [1x2] by [2x784]; 2.9 ms as 1024 GEMMs of [3x2] by
    // [2x784] and the diagonal.
    bool windowDeferred(const Operand& x, size_t k, const Operand& y, uint64_t R) const;
    // Axis k of x is the window of an unfold of y that windowDeferred defers.
    bool deferredWindow(const Operand& x, size_t k, const Operand& y, uint64_t R) const;
    // Axis k of x (data) is a shift of a coordinate that y (weights alone) has once and the result keeps,
    // in the last stage of an inference plan whose output is rolled anyway (a shifted output): rolling y
    // instead (prepared once) leaves the shift on the result, where finish's roll of it joins the output's
    // in one pass (FuseRolls.h) instead of a pass over x here.
    bool rollMovesToWeights(const Operand& x, size_t k, const Operand& y, uint64_t R) const;
    // y's axis over that coordinate is rolled to carry x's shift (the axes then match: a group axis).
    void rollWeightsFor(const Operand& x, size_t k, Operand& y);
    // Refines the operands until every axis has a role; false when that is impossible (einsum fallback).
    bool settle(Operand* ops[2], int n, uint64_t R, bool spatialAllowed[2]);

    // ---- folding index maps into the other operand (FoldIndexMaps.cpp) -----------------------------------
    // A sum whose reductions sit inside a window of its operand, followed by a contraction of its result
    // with a smaller tensor: the contraction can fold the window (sums included) into that tensor instead
    // of this stage expanding the window to sum it (foldInto broadcasts the tensor along the sums).
    bool deferSum(const std::map<int, Operand>& slots, const Stage& sum, const Stage& next, int dst, uint64_t R) const;
    bool isFolded(Dim d) const;
    // A folded axis is a plain contracted axis of this stage: its coordinates are gone from both operands.
    void unfoldAll();
    // Whether refining x's axis k would tile it: one half of a merged dim whose other half x lacks.
    bool wouldTile(const Operand& x, size_t k) const;
    // Whether x's axis k is a small channel axis mixing kept and summed coordinates, worth a dense fold
    // (the measurements are next to its definition).
    bool denseFoldPays(const Operand& x, size_t k, uint64_t R) const;
    // Moves the index map of x's axis k (an unfold's window, or a dim that would be tiled; its coordinates
    // x has nowhere else, some of them summed here) onto y: y's axes over those coordinates become
    // [kept coordinates..., u], where y'[.., v] sums y over the coordinates at which u's value is v. Done
    // when cheaper than expanding x: the contraction then runs over |u| values instead of every summed
    // coordinate tuple, and y is no larger than x expanded. False (nothing emitted) otherwise.
    //
    // densify: the fold may also keep coordinates that x's axis shares with the result (conv groups): y'
    // is then block-sparse over [kept, u] and the contraction runs dense over |u|, up to |kept| times the
    // FLOPs, in exchange for x's axis staying as it is (no roll, no reordering copy of x).
    bool foldInto(Operand& x, size_t k, Operand& y, uint64_t R, bool densify = false);

    // ---- lowering a stage (LowerStage.cpp, EmitKernel.cpp) -----------------------------------------------
    // A sum of one operand: private sums, or einsum.
    Operand sumStage(Operand x, uint64_t R, int dst, StageRecord& rec);
    // Every axis refined to coordinates, then einsum: always exact.
    Operand einsumStage(Operand a, Operand* bp, uint64_t R, int dst, StageRecord& rec);
    // A contraction of two operands: settled into roles, then one kernel (emitKernel), or einsum.
    Operand contract(Operand a, Operand b, uint64_t R, int dst, StageRecord& rec);
    // The kernel for settled operands (A the one with the windows, or the larger one): a broadcast
    // product, a (batched) matrix product, a GEMM-run 1x1 convolution, or a 1-3-D convolution.
    Operand emitKernel(Operand a, Operand b, const std::vector<Role>& ra, const std::vector<Role>& rb, int dst,
                       StageRecord& rec);

    // ---- the output (OutputLayout.cpp) -------------------------------------------------------------------
    // The last tensor becomes the output: coordinates merged back into outputs, broadcast where expanded.
    void finish(Operand& x);

    const Operator& op_;
    PlanOptions options_;
    Realization r_;
    SizeContext single_;
    Plan plan_;
    int nOut_ = 0;
    std::unordered_map<Dim, int> index_;
    std::unordered_map<Dim, std::pair<Dim, Dim>> halves_;
    std::unordered_map<Dim, bool> coordish_;
    std::unordered_map<Dim, Dim> shiftedOutput_;  // output iterator -> its shift, the coordinate in its place
    std::unordered_map<Dim, int> coordBit_;
    std::vector<Dim> coordDims_;
    std::vector<int> coordLeaf_;
    std::unordered_map<Dim, uint64_t> mask_;
    std::vector<Dim> spatialKernelOf_;
    std::vector<std::pair<Dim, uint64_t>> folded_;  // this stage's folded axes, with their coordinate masks
    std::set<int> dataSlots_ = {0};  // slots that depend on the input (the others hold weights alone)
    bool lastStage_ = false;          // the stage being lowered is the last (its result goes to finish)
};

}  // namespace syno::plans::planner
