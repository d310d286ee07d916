// The kernel of a settled contraction: a broadcast product, a (batched) matrix product, a 1x1
// convolution run as a GEMM, or a 1-3-D convolution on oneDNN (Planner.h).
#include "plans/Planner.h"

#include <fmt/format.h>

namespace syno::plans::planner {

Operand Planner::emitKernel(Operand a, Operand b, const std::vector<Role>& ra, const std::vector<Role>& rb, int dst,
                            StageRecord& rec) {
    std::vector<Dim> G, I, O;
    for (size_t k = 0; k < a.axes.size(); ++k) {
        if (ra[k] == Role::Group) G.push_back(a.axes[k]);
        if (ra[k] == Role::Contracted) I.push_back(a.axes[k]);
    }
    for (size_t k = 0; k < b.axes.size(); ++k)
        if (rb[k] == Role::Free) O.push_back(b.axes[k]);
    // B's free axes become output channels in the order chosen here: the output's own order, when B is
    // weights alone (its permute is prepared once), saves the final layout a reordering copy.
    if (O.size() > 1 && dataSlots_.count(b.slot) == 0) {
        const std::vector<Dim> order = outputOrder();
        auto rank = [&](Dim d) {
            for (size_t p = 0; p < order.size(); ++p)
                if (cm(d) >> coordBit_.at(order[p]) & 1u) return p;
            return order.size();
        };
        std::stable_sort(O.begin(), O.end(), [&](Dim x, Dim y) { return rank(x) < rank(y); });
    }
    // A's layout: free axes before its first channel axis (Nb), then channels, then trailing axes.
    std::vector<Dim> Nb, T;
    bool seenChannel = false;
    for (size_t k = 0; k < a.axes.size(); ++k) {
        Role r = ra[k];
        if (r == Role::Group || r == Role::Contracted) seenChannel = true;
        else if (r == Role::Free && !seenChannel) Nb.push_back(a.axes[k]);
        else T.push_back(a.axes[k]);  // free after the channels, or spatial
    }
    const int64_t g = numel(G), i = numel(I), o = numel(O);
    std::vector<Dim> spatialWindows;
    for (size_t k = 0; k < a.axes.size(); ++k)
        if (ra[k] == Role::Spatial) spatialWindows.push_back(windowOf(a.axes[k]).first);
    std::string why = fmt::format("batch {}, groups {}, contracted {}, out {}", names(Nb), names(G), names(I), names(O));

    if (I.empty() && spatialWindows.empty()) {
        // A broadcast product: [N.., G..] x [G.., O..].
        const std::vector<Dim> Na = joined({Nb, T});
        permuteTo(a, joined({Na, G}));
        reshape(a.slot, {numel(Na), g, 1});
        permuteTo(b, joined({G, O}));
        reshape(b.slot, {1, g, o});
        emit(mk(OpKind::Mul, dst, a.slot, b.slot));
        std::vector<Dim> axes = joined({Na, G, O});
        reshape(dst, shapeOf(axes));
        rec.kernel = Kernel::Mul;
        rec.kernelText = "broadcast multiply (nothing contracted)";
        rec.why = why;
        return Operand{dst, axes};
    }

    if (T.empty()) {
        // A matrix product: [G?, Nb, I] x [G?, I, O].
        permuteTo(a, joined({G, Nb, I}));
        permuteTo(b, joined({G, I, O}));
        const int64_t nb = numel(Nb);
        if (G.empty()) {
            reshape(a.slot, {nb, i});
            reshape(b.slot, {i, o});
        } else {
            reshape(a.slot, {g, nb, i});
            reshape(b.slot, {g, i, o});
        }
        emit(mk(OpKind::MatMul, dst, a.slot, b.slot));
        std::vector<Dim> axes = joined({G, Nb, O});
        reshape(dst, shapeOf(axes));
        rec.kernel = Kernel::MatMul;
        rec.kernelText = G.empty() ? fmt::format("matmul [{}x{}] x [{}x{}]", nb, i, i, o)
                                   : fmt::format("batched matmul {} x [{}x{}] x [{}x{}]", g, nb, i, i, o);
        rec.why = why + ", no window";
        return Operand{dst, axes};
    }

    if (spatialWindows.empty() && (!G.empty() || dataSlots_.count(a.slot) == 0)) {
        // A grouped 1x1 convolution is B [G, O, I] times A [Nb, G, I, T] per group: a GEMM on the same
        // layout, no copy. Measured one thread, batch 1 (ms, oneDNN 1x1 conv / matmul): grouped 256->256
        // g=32 @14 0.085 / 0.038, 64->64 g=8 @56 0.073 / 0.048, 768->384 g=96 @14 0.23 / 0.09; and oneDNN
        // crawls (~1 GFLOP/s) when weights meet weights (huge "channels", tiny map). A dense one runs as a
        // convolution below: torch::matmul of [O, I] by [N, I, T] broadcasts the weight into a batched
        // GEMM, 2 threads, batch 32 (ms, matmul / oneDNN 1x1): 64@56 16.7 / 7.5, 512@7 6.5 / 4.5,
        // 16@28 1.87 / 0.19; batch 1: 64@56 0.29 / 0.19. Weights meeting weights stay GEMMs (oneDNN, above),
        // and so does a weight in A's place (a small activation at batch 1: 512@7, a [1536, 512] weight
        // as a conv1d input with 49 output channels).
        const int64_t nb = numel(Nb), t = numel(T);
        permuteTo(b, joined({G, O, I}));
        reshape(b.slot, {g, o, i});
        rec.kernel = Kernel::MatMul;
        rec.why = why + ", no window (a 1x1 convolution as a GEMM)";
        if (!G.empty() && nb > 1 && t < 256) {
            // Thin GEMMs: copy A to [G, I, Nb T] so that each group is one GEMM, not Nb thin ones (per-row
            // weights, G = a map axis, 2 threads, batch 32: 64@56 56 x [64x64] x 32 x [64x56] 30 ms, as
            // 56 x [64x64] x [64x1792] 14-17 ms; 256@14, A already in order: 14 x 32 GEMMs 36 ms, 14 GEMMs 6). With
            // wide ones (T a whole map) the G-major result costs its consumer a copy: Operator 1 at 64@56
            // batch 32, 41 ms against 55.
            permuteTo(a, joined({G, I, Nb, T}));
            reshape(a.slot, {g, i, nb * t});
            emit(mk(OpKind::MatMul, dst, b.slot, a.slot));
            std::vector<Dim> axes = joined({G, O, Nb, T});
            reshape(dst, shapeOf(axes));
            rec.kernelText = fmt::format("batched matmul {} x [{}x{}] x [{}x{}]", g, o, i, i, nb * t);
            return Operand{dst, axes};
        }
        permuteTo(a, joined({Nb, G, I, T}));
        reshape(a.slot, {nb, g, i, t});
        emit(mk(OpKind::MatMul, dst, b.slot, a.slot));
        std::vector<Dim> axes = joined({Nb, G, O, T});
        reshape(dst, shapeOf(axes));
        rec.kernelText = G.empty() ? fmt::format("matmul [{}x{}] x {} x [{}x{}]", o, i, nb, i, t)
                                   : fmt::format("batched matmul {} x [{}x{}] x {} x [{}x{}]", g, o, i, nb, i, t);
        return Operand{dst, axes};
    }

    // A convolution: trailing axes are spatial (window from B) or free (kernel 1).
    std::vector<Dim> spatialSet;
    for (size_t k = 0; k < a.axes.size(); ++k)
        if (ra[k] == Role::Spatial) spatialSet.push_back(a.axes[k]);
    auto isSpatial = [&](Dim d) { return std::find(spatialSet.begin(), spatialSet.end(), d) != spatialSet.end(); };
    std::vector<std::vector<Dim>> groupsT;  // each conv axis: one spatial unfold or a run of free axes
    for (Dim d : T) groupsT.push_back({d});
    // Merge runs of free axes: at most 3 conv axes, and a 1x1 convolution (no window) over at most 2.
    if (groupsT.size() > 3 || (spatialSet.empty() && groupsT.size() > 2)) {
        std::vector<std::vector<Dim>> merged;
        for (auto& grp : groupsT) {
            if (!merged.empty() && !isSpatial(grp[0]) && !isSpatial(merged.back().back())) merged.back().push_back(grp[0]);
            else merged.push_back(grp);
        }
        groupsT = merged;
    }
    if (groupsT.size() > 3) throw TooManyConvAxes{};  // the caller falls back to einsum (rare)
    permuteTo(a, joined({Nb, G, I, T}));
    std::vector<int64_t> shapeA = {numel(Nb), g * i};
    std::vector<Dim> orderB = joined({G, O, I});
    std::vector<int64_t> shapeB = {g * o, i};
    PlanOp conv = mk(OpKind::Conv, dst, a.slot, b.slot);
    std::vector<Dim> resultT;
    std::string spatialText;
    for (const auto& grp : groupsT) {
        if (isSpatial(grp[0])) {
            Dim u = grp[0];
            auto [w, dil] = windowOf(u);
            orderB.push_back(w);
            shapeA.push_back(sz(u));
            shapeB.push_back(sz(w));
            conv.ints.push_back(concrete(u).offset);
            conv.ints2.push_back(dil);
            resultT.push_back(u->lhs);
            spatialText += fmt::format("{}{} by {} (pad {}, dilation {})", spatialText.empty() ? "" : ", ",
                                       dimName(u->lhs), dimName(w), concrete(u).offset, dil);
        } else {
            shapeA.push_back(numel(grp));
            shapeB.push_back(1);
            conv.ints.push_back(0);
            conv.ints2.push_back(1);
            resultT.insert(resultT.end(), grp.begin(), grp.end());
        }
    }
    permuteTo(b, orderB);
    // A 2-D grouped convolution with one output channel per group runs as a depthwise one (each input
    // channel its own group) whose outputs are summed per group: oneDNN's depthwise kernels are ~2x
    // faster than its grouped ones there (2 threads, 64@56 1x3, 2-16 channels per group: 0.18-0.21 ms
    // grouped, 0.09-0.11 depthwise + sum; training steps 0.88-0.97 vs 0.39-0.42).
    const bool depthwise = groupsT.size() == 2 && g > 1 && o == 1 && i > 1;
    // In inference, when the first conv axis has no window, the group's channels stack along it instead
    // (a view of A): one depthwise conv with an i-tap kernel dilated by that axis's length sums them, with
    // no per-channel intermediate and no sum pass. Operator 2's first stage, 2 threads (inference): 64@56
    // batch 1 0.066 ms against 0.099, batch 32 3.8 against 26 (7.7 in the plan); 256@14 batch 32 0.30
    // against 1.8. Not on fewer than 16 groups, where it loses (8 groups at 16@28: 0.045 against 0.038 ms
    // at batch 1, 0.19 against 0.16 at batch 32; 16 groups at 32@14: 0.071 against 0.113 at batch 32).
    // Not in training: oneDNN's backward of the dilated kernel is 1.5-4x slower than the depthwise + sum's
    // (64@56 batch 1: 1.26 against 0.38 ms).
    constexpr int64_t kMinStackedGroups = 16;
    const bool stacked = depthwise && options_.inference && g >= kMinStackedGroups && !isSpatial(groupsT[0][0]);
    const int64_t rows = shapeA[2];
    if (stacked) {
        shapeA = {shapeA[0], g, i * rows, shapeA[3]};
        shapeB = {g, 1, i, shapeB[3]};
        conv.ints2[0] = rows;  // the first axis has no window: its padding is 0 already
    } else if (depthwise) {
        shapeB[0] = g * i;
        shapeB[1] = 1;
    }
    if (shapeOf(a.axes) != shapeA) reshape(a.slot, shapeA);
    if (shapeOf(b.axes) != shapeB) reshape(b.slot, shapeB);
    conv.amount = depthwise && !stacked ? g * i : g;
    conv.extent = static_cast<int64_t>(groupsT.size());
    conv.shape = shapeB;  // the weight as the kernel sees it: [groups * out, in, taps...] (for the layout rule)
    emit(conv);
    std::vector<int64_t> convOut = {shapeA[0], g * o};
    for (size_t t = 2; t < shapeA.size(); ++t) convOut.push_back(shapeA[t]);
    if (stacked) convOut[2] = rows;
    if (depthwise && !stacked) {
        std::vector<int64_t> perGroup = convOut;
        perGroup.insert(perGroup.begin() + 2, i);  // [N, g, i, taps...]
        perGroup[1] = g;
        reshape(dst, perGroup);
        PlanOp sum = mk(OpKind::Sum, dst, dst);
        sum.ints = {2};
        emit(sum);
    }
    std::vector<Dim> axes = joined({Nb, G, O, resultT});
    if (shapeOf(axes) != convOut) reshape(dst, shapeOf(axes));
    rec.kernel = Kernel::Conv;
    rec.kernelText =
        stacked ? fmt::format("depthwise conv2d groups={} padding={} dilation={}, each group's {} channels stacked "
                              "along the first axis (a grouped conv with one output per group, faster this way)",
                              g, listText(conv.ints), listText(conv.ints2), i)
        : depthwise ? fmt::format("depthwise conv{}d groups={} padding={} dilation={}, then a sum of each group's {} "
                                "channels (a grouped conv with one output per group, faster this way)",
                                groupsT.size(), g * i, listText(conv.ints), listText(conv.ints2), i)
                  : fmt::format("conv{}d groups={} in={} out={} padding={} dilation={}", groupsT.size(), g, g * i,
                                g * o, listText(conv.ints), listText(conv.ints2));
    rec.why = why + (spatialText.empty() ? ", 1x1 over the trailing free axes" : ", windows " + spatialText);
    return Operand{dst, axes};
}

}  // namespace syno::plans::planner
