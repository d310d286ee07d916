#include "plans/FuseRolls.h"

#include <utility>

namespace syno::plans {

namespace {

bool inPlace(const PlanOp& o, OpKind kind) { return o.kind == kind && o.dst == o.a; }

// Adds other's shifts to into's: rolls over axes (axis, ints...) by (amount, ints2...). Two shifts of
// one axis add up (a roll's axes must differ: Execute.cpp cuts each axis into blocks once).
void addRoll(PlanOp& into, const PlanOp& other) {
    auto add = [&into](int64_t axis, int64_t amount) {
        if (axis == into.axis) {
            into.amount += amount;
            return;
        }
        for (size_t k = 0; k < into.ints.size(); ++k)
            if (into.ints[k] == axis) {
                into.ints2[k] += amount;
                return;
            }
        into.ints.push_back(axis);
        into.ints2.push_back(amount);
    };
    add(other.axis, other.amount);
    for (size_t k = 0; k < other.ints.size(); ++k) add(other.ints[k], other.ints2[k]);
}

void fuseRange(std::vector<PlanOp>& ops) {
    // Adjacent rolls of one slot: one roll over all their axes.
    for (size_t j = 0; j + 1 < ops.size();) {
        if (inPlace(ops[j], OpKind::Roll) && inPlace(ops[j + 1], OpKind::Roll) && ops[j].a == ops[j + 1].a) {
            addRoll(ops[j], ops[j + 1]);
            ops.erase(ops.begin() + static_cast<long>(j) + 1);
        } else {
            ++j;
        }
    }
}

}  // namespace

void fuseRolls(Plan& plan) {
    // Only when the stages tile the op list, so that every op keeps its stage.
    size_t next = 0;
    for (const StageRecord& s : plan.stages) {
        if (s.firstOp != next) return;
        next = s.endOp;
    }
    if (next != plan.ops.size()) return;
    std::vector<PlanOp> out;
    for (StageRecord& s : plan.stages) {
        std::vector<PlanOp> range(plan.ops.begin() + static_cast<long>(s.firstOp),
                                  plan.ops.begin() + static_cast<long>(s.endOp));
        fuseRange(range);
        s.firstOp = out.size();
        out.insert(out.end(), range.begin(), range.end());
        s.endOp = out.size();
    }
    plan.ops = std::move(out);
}

}  // namespace syno::plans
