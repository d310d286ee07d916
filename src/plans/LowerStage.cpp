// One stage lowered: a sum of one operand, a contraction of two (settled, then emitKernel), or the
// einsum fallback that is always exact (Planner.h).
#include "plans/Planner.h"

#include <map>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::plans::planner {

Operand Planner::sumStage(Operand x, uint64_t R, int dst, StageRecord& rec) {
    Operand* ops[2] = {&x, nullptr};
    bool spatialAllowed[2] = {false, false};
    if (options_.einsumOnly || !settle(ops, 1, R, spatialAllowed)) return einsumStage(x, nullptr, R, dst, rec);
    std::vector<size_t> priv;
    for (size_t k = 0; k < x.axes.size(); ++k)
        if (classify(x, k, nullptr, R, false) == Role::Private) priv.push_back(k);
    rec.kernel = priv.empty() ? Kernel::Views : Kernel::Sum;
    rec.kernelText = priv.empty() ? "views" : fmt::format("sum over {} axis(es)", priv.size());
    std::vector<Dim> privDims;
    for (size_t k : priv) privDims.push_back(x.axes[k]);
    rec.why = fmt::format("single tensor: private sums {}", names(privDims));
    sumAxes(x, priv);
    PlanOp mv = mk(OpKind::Reshape, dst, x.slot);
    mv.shape = shapeOf(x.axes);
    emit(mv);
    return Operand{dst, x.axes};
}

Operand Planner::einsumStage(Operand a, Operand* bp, uint64_t R, int dst, StageRecord& rec) {
    refineFully(a);
    std::map<Dim, char> letter;
    auto letterOf = [&](Dim d) {
        auto it = letter.find(d);
        if (it != letter.end()) return it->second;
        size_t n = letter.size();
        if (n >= 52) throw Error("operator stage has more than 52 coordinates for einsum");
        char c = n < 26 ? static_cast<char>('a' + n) : static_cast<char>('A' + (n - 26));
        letter[d] = c;
        return c;
    };
    std::string eq;
    std::vector<Dim> result;
    auto addResult = [&](Dim d) {
        if ((cm(d) & ~R) == 0 && std::find(result.begin(), result.end(), d) == result.end()) result.push_back(d);
    };
    for (Dim d : a.axes) {
        eq += letterOf(d);
        addResult(d);
    }
    PlanOp o = mk(OpKind::Einsum, dst, a.slot);
    if (bp) {
        Operand b = *bp;
        refineFully(b);
        eq += ",";
        for (Dim d : b.axes) {
            eq += letterOf(d);
            addResult(d);
        }
        o.b = b.slot;
    }
    eq += "->";
    for (Dim d : result) eq += letter.at(d);
    o.equation = eq;
    emit(o);
    rec.kernel = Kernel::Einsum;
    rec.kernelText = fmt::format("einsum '{}'", eq);
    rec.why = options_.einsumOnly ? "einsum lowering requested" : "no convolution, matrix product or view computes this stage";
    return Operand{dst, result};
}

Operand Planner::contract(Operand a, Operand b, uint64_t R, int dst, StageRecord& rec) {
    if (options_.einsumOnly) return einsumStage(a, &b, R, dst, rec);
    Operand sa = a, sb = b;
    size_t opsBefore = plan_.ops.size();
    Operand* ops[2] = {&a, &b};
    bool spatialAllowed[2] = {true, true};
    unfoldAll();
    if (!settle(ops, 2, R, spatialAllowed)) {
        plan_.ops.resize(opsBefore);
        unfoldAll();
        return einsumStage(sa, &sb, R, dst, rec);
    }
    auto roles = [&](const Operand& x, const Operand& y, bool sp) {
        std::vector<Role> out;
        for (size_t k = 0; k < x.axes.size(); ++k) out.push_back(classify(x, k, &y, R, sp));
        return out;
    };
    // Private sums first.
    for (int s = 0; s < 2; ++s) {
        Operand& x = s == 0 ? a : b;
        auto rs = roles(x, s == 0 ? b : a, spatialAllowed[s]);
        std::vector<size_t> priv;
        for (size_t k = 0; k < rs.size(); ++k)
            if (rs[k] == Role::Private) priv.push_back(k);
        sumAxes(x, priv);
    }
    auto ra = roles(a, b, spatialAllowed[0]);
    auto rb = roles(b, a, spatialAllowed[1]);
    bool bSpatial = std::count(rb.begin(), rb.end(), Role::Spatial) > 0;
    bool aSpatial = std::count(ra.begin(), ra.end(), Role::Spatial) > 0;
    bool swap = bSpatial && !aSpatial;
    if (!aSpatial && !bSpatial) {
        swap = numel(b.axes) > numel(a.axes);
    }
    if (swap) {
        std::swap(a, b);
        std::swap(ra, rb);
        std::swap(spatialAllowed[0], spatialAllowed[1]);
    }
    try {
        Operand out = emitKernel(a, b, ra, rb, dst, rec);
        if (!folded_.empty()) {
            const auto windows = std::count_if(folded_.begin(), folded_.end(),
                                               [](const auto& f) { return f.first->kind == DimKind::Unfold; });
            const auto maps = static_cast<long>(folded_.size()) - windows;
            rec.why += fmt::format(", folded into the other operand:{}{}", windows ? fmt::format(" {} window(s)", windows) : "",
                                   maps ? fmt::format(" {} tiled index map(s)", maps) : "");
        }
        unfoldAll();
        return out;
    } catch (const TooManyConvAxes&) {
        plan_.ops.resize(opsBefore);
        unfoldAll();
        return einsumStage(sa, &sb, R, dst, rec);
    }
}

}  // namespace syno::plans::planner
