#include "plans/FuseIndexMaps.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "plans/IndexMaps.h"
#include "semantics/Tensor.h"

namespace syno::plans {

namespace {

using indexmaps::Shape;
using indexmaps::Terms;

// Index lists are copied into tensors on every training call (Execute.cpp): 2^16 pairs is ~0.5 MB.
constexpr int64_t kMaxGatherPairs = int64_t{1} << 16;

// The Gather op computing `src` from the tensor it starts from, in place of the ops `equation` names.
PlanOp gatherOp(int slot, const Terms& src, std::string equation) {
    PlanOp g;
    g.kind = OpKind::Gather;
    g.equation = std::move(equation);
    g.dst = g.a = slot;
    g.shape = src.shape;
    g.weightOnly = true;
    g.ints = src.src;
    std::vector<int64_t> dst = indexmaps::destinations(src);
    bool oneToOne = static_cast<int64_t>(dst.size()) == numelOf(src.shape);
    for (size_t f = 0; f < dst.size() && oneToOne; ++f) oneToOne = dst[f] == static_cast<int64_t>(f);
    if (!oneToOne) g.ints2 = std::move(dst);
    return g;
}

}  // namespace

void fuseIndexMaps(Plan& plan) {
    const size_t n = plan.ops.size();
    // The shape of each op's first operand as it runs.
    std::vector<std::optional<Shape>> slot(static_cast<size_t>(plan.slots)), before(n);
    slot[0] = plan.inputShape;
    for (size_t w = 0; w < plan.weightShapes.size(); ++w) slot[w + 1] = plan.weightShapes[w];
    for (size_t j = 0; j < n; ++j) {
        const PlanOp& o = plan.ops[j];
        before[j] = slot[static_cast<size_t>(o.a)];
        slot[static_cast<size_t>(o.dst)] = indexmaps::resultShape(o, before[j], o.b >= 0 ? slot[static_cast<size_t>(o.b)] : std::nullopt);
    }
    auto candidate = [&](size_t j) {
        const PlanOp& o = plan.ops[j];
        return indexmaps::isIndexOp(o.kind) && o.dst == o.a && o.weightOnly && before[j].has_value();
    };
    std::vector<bool> drop(n, false), inRun(n, false);
    std::vector<std::pair<size_t, PlanOp>> replace;
    for (size_t j = 0; j < n; ++j) {
        if (inRun[j] || !candidate(j)) continue;
        const int s = plan.ops[j].a;
        std::vector<size_t> run = {j};
        for (size_t k = j + 1; k < n; ++k) {
            const PlanOp& o = plan.ops[k];
            if (o.a != s && o.b != s && o.dst != s) continue;  // another slot's op, in between
            if (!candidate(k) || o.a != s) break;
            run.push_back(k);
        }
        for (size_t k : run) inRun[k] = true;
        const bool copies = std::any_of(run.begin(), run.end(), [&](size_t k) {
            return plan.ops[k].kind != OpKind::Reshape && plan.ops[k].kind != OpKind::Permute;
        });
        if (run.size() < 2 || !copies) continue;
        if (numelOf(*before[j]) > kMaxGatherPairs) continue;
        std::optional<Terms> cur = indexmaps::identity(*before[j]);
        for (size_t k : run)
            if (cur) cur = indexmaps::apply(*cur, plan.ops[k], kMaxGatherPairs);
        if (!cur) continue;
        replace.emplace_back(run.back(), gatherOp(s, *cur, indexmaps::kindList(plan, run)));  // where the stage consuming it reads it
        for (size_t r = 0; r + 1 < run.size(); ++r) drop[run[r]] = true;
    }
    for (auto& [j, g] : replace) plan.ops[j] = std::move(g);
    dropOps(plan, drop);
}

}  // namespace syno::plans
