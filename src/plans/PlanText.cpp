// Plans as text and as a hash: names of ops and kernels, one line per op, one block per stage.
#include "plans/Plan.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/StableHash.h"

namespace syno::plans {

const char* opKindName(OpKind kind) {
    switch (kind) {
        case OpKind::Pad: return "pad";
        case OpKind::Reshape: return "reshape";
        case OpKind::Permute: return "permute";
        case OpKind::Roll: return "roll";
        case OpKind::Slice: return "slice";
        case OpKind::Window: return "window";
        case OpKind::RepeatOuter: return "repeat_interleave";
        case OpKind::RepeatInner: return "tile";
        case OpKind::Broadcast: return "broadcast";
        case OpKind::Sum: return "sum";
        case OpKind::Conv: return "conv";
        case OpKind::MatMul: return "matmul";
        case OpKind::Mul: return "mul";
        case OpKind::Einsum: return "einsum";
        case OpKind::FoldWindow: return "fold_window";
        case OpKind::Scale: return "scale";
        case OpKind::Crop: return "crop";
        case OpKind::Diagonal: return "diagonal";
        case OpKind::Gather: return "gather";
        case OpKind::Products: return "products";
    }
    return "?";
}

const char* kernelName(Kernel kernel) {
    switch (kernel) {
        case Kernel::Views: return "views";
        case Kernel::Sum: return "sum";
        case Kernel::Conv: return "conv";
        case Kernel::MatMul: return "matmul";
        case Kernel::Mul: return "mul";
        case Kernel::Einsum: return "einsum";
    }
    return "?";
}

std::string listText(const std::vector<int64_t>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += fmt::format("{}{}", i ? ", " : "", v[i]);
    return out + "]";
}

std::string PlanOp::describe() const {
    std::string lhs = fmt::format("s{} = ", dst);
    switch (kind) {
        case OpKind::Pad: return lhs + fmt::format("pad(s{}, before {}, after {})", a, listText(shape), listText(ints));
        case OpKind::Reshape: return lhs + fmt::format("reshape(s{}, {})", a, listText(shape));
        case OpKind::Permute: return lhs + fmt::format("permute(s{}, {})", a, listText(ints));
        case OpKind::Roll:
            if (ints.empty()) return lhs + fmt::format("roll(s{}, {}, axis {})", a, amount, axis);
            return lhs + fmt::format("roll(s{}, {} {}, axes {} {})", a, amount, listText(ints2), axis, listText(ints));
        case OpKind::Slice: return lhs + fmt::format("slice(s{}, axis {}, step {})", a, axis, amount);
        case OpKind::Window:
            return lhs + fmt::format("window(s{}, axis {}, pad {}, span {}, dilation {})", a, axis, amount, extent,
                                     ints.empty() ? 1 : ints[0]);
        case OpKind::RepeatOuter: return lhs + fmt::format("repeat_interleave(s{}, {}, axis {})", a, amount, axis);
        case OpKind::RepeatInner: return lhs + fmt::format("tile(s{}, {}, axis {})", a, amount, axis);
        case OpKind::Broadcast: return lhs + fmt::format("broadcast(s{}, {})", a, listText(shape));
        case OpKind::Sum: return lhs + fmt::format("sum(s{}, axes {})", a, listText(ints));
        case OpKind::Conv:
            return lhs + fmt::format("conv{}d(s{}, s{}, groups {}, padding {}, dilation {})", extent, a, b, amount,
                                     listText(ints), listText(ints2));
        case OpKind::MatMul: return lhs + fmt::format("matmul(s{}, s{})", a, b);
        case OpKind::Mul: return lhs + fmt::format("mul(s{}, s{})", a, b);
        case OpKind::Einsum:
            return lhs + (b >= 0 ? fmt::format("einsum('{}', s{}, s{})", equation, a, b)
                                 : fmt::format("einsum('{}', s{})", equation, a));
        case OpKind::FoldWindow:
            return lhs + fmt::format("fold_window(s{}, {} rows onto {})", a, ints.size(), amount);
        case OpKind::Scale: return lhs + fmt::format("scale(s{}, {:.6g})", a, scale);
        case OpKind::Crop: return lhs + fmt::format("crop(s{}, offsets {}, sizes {})", a, listText(ints), listText(shape));
        case OpKind::Gather:
            return lhs + fmt::format("gather(s{}, {} {} -> {}; fuses {})", a, ints.size(),
                                     ints2.empty() ? "elements" : "terms summed", listText(shape), equation);
        case OpKind::Products:
            return lhs + fmt::format("products(s{}, s{}, {} terms -> {}; fuses {})", a, b, ints2.size(), listText(shape),
                                     equation);
        case OpKind::Diagonal:
            return lhs + fmt::format("diagonal(s{}, axis {} shifted by {} x axis {} - {})", a, axis, ints[1], ints[0], amount);
    }
    return "?";
}

int Plan::count(Kernel kernel) const {
    int n = 0;
    for (const auto& s : stages) n += s.kernel == kernel;
    return n;
}

int Plan::kernelCalls() const {
    int n = 0;
    for (const auto& o : ops)
        n += o.kind == OpKind::Conv || o.kind == OpKind::MatMul || o.kind == OpKind::Mul || o.kind == OpKind::Einsum;
    return n;
}

int Plan::libraryStages() const { return static_cast<int>(stages.size()) - einsums(); }

uint64_t Plan::hash() const {
    uint64_t h = hashString("syno-plan");
    h = hashCombine(h, operatorId);
    auto mixVec = [&h](const std::vector<int64_t>& v) {
        h = hashCombine(h, v.size());
        for (auto x : v) h = hashCombine(h, static_cast<uint64_t>(x));
    };
    h = hashCombine(h, options.inference);
    if (!options.fuseWeightOps) h = hashCombine(h, uint64_t{0xF05E});  // hashes of fused plans stay as they were
    mixVec(inputShape);
    mixVec(outputShape);
    for (const auto& w : weightShapes) mixVec(w);
    for (const auto& o : ops) {
        h = hashCombine(h, hashString(o.describe()));
        const bool lists = o.kind == OpKind::Gather || o.kind == OpKind::Products;
        if (o.kind == OpKind::FoldWindow || lists) mixVec(o.ints);  // describe() only counts them
        if (lists) mixVec(o.ints2);
    }
    return h;
}

std::string Plan::describe() const {
    std::string out = fmt::format("plan {:016x} for operator {} at binding {} ({}){}{}{}{}\n", hash(), operatorIdHex,
                                  binding + 1, bindingText, padded ? ", padded" : "",
                                  options.einsumOnly ? ", einsum lowering" : "", options.inference ? ", stages ordered for inference" : "",
                                  options.fuseWeightOps ? "" : ", weight ops unfused");
    out += fmt::format("  input {}{}, output {}", listText(inputShape),
                       padded ? fmt::format(" (padded to {})", listText(paddedInputShape)) : "", listText(outputShape));
    for (size_t w = 0; w < weightShapes.size(); ++w) out += fmt::format(", weight {} {}", w + 1, listText(weightShapes[w]));
    out += fmt::format("\n  {:.4g} FLOPs{}, {:.4g} parameters, {} stage(s): {} convolution(s), {} matmul(s), {} einsum(s)\n",
                       flops,
                       inferenceFlops < flops ? fmt::format(" ({:.4g} per inference call)", inferenceFlops) : "",
                       params, stages.size(), convolutions(), matmuls(), einsums());
    for (const auto& s : stages) {
        std::string shapes;
        for (const auto& sh : s.operandShapes) shapes += (shapes.empty() ? "" : " x ") + listText(sh);
        out += fmt::format("  {}: {} -> {}  {:.4g} FLOPs{}\n    kernel: {}\n    why: {}\n", s.what, shapes,
                           listText(s.resultShape), s.flops, s.weightOnly ? " (weights only: once per weight version in inference)" : "",
                           s.kernelText, s.why);
        for (size_t i = s.firstOp; i < s.endOp; ++i) out += "      " + ops[i].describe() + "\n";
    }
    return out;
}

void dropOps(Plan& plan, const std::vector<bool>& drop) {
    const size_t n = plan.ops.size();
    std::vector<size_t> keptBefore(n + 1, 0);  // kept ops before each old position: the stages' new ranges
    for (size_t j = 0; j < n; ++j) keptBefore[j + 1] = keptBefore[j] + (drop[j] ? 0 : 1);
    for (StageRecord& s : plan.stages) {
        s.firstOp = keptBefore[std::min(s.firstOp, n)];
        s.endOp = keptBefore[std::min(s.endOp, n)];
    }
    std::vector<PlanOp> out;
    out.reserve(keptBefore[n]);
    for (size_t j = 0; j < n; ++j)
        if (!drop[j]) out.push_back(std::move(plan.ops[j]));
    plan.ops = std::move(out);
}

}  // namespace syno::plans
