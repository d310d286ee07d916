// The canonicalization rules lose no operator: every family of functions (functional fingerprint: the same
// functions up to a bijection of weight elements) found with the equivalence rules switched off is also
// found with them on, in small spaces enumerated whole. A rule may only remove an operator when an
// equivalent one stays reachable. Two kinds of operator are left out by design rather than by the
// equivalence rules, and without those rules some reach the space in disguise (a reshape, a roll); they
// are counted, named, and checked to be of that kind, and anything else lost fails:
//   nested weights: over every term, one weight's element is a function of another's, so their product is
//     one weight (W1[f(j)] W2[j] = W[j]): a costlier parametrisation of a smaller family (weight-nested;
//     with one weight left the smaller family is a conv of fewer weights, or a pure per-channel scale,
//     which weight-inner-and-outer leaves out);
//   a window slid along a summed index, through rolls: the sum absorbs the window into the weight
//     (unfold-main-not-sum).
#include <unordered_map>

#include "SynthesisFixtures.h"
#include "ir/TextForm.h"
#include "semantics/Interpreter.h"
#include "synthesis/FunctionalFingerprint.h"

namespace syno::test {
namespace {

struct Families {
    std::map<uint64_t, Operator> byFingerprint;  // an operator of each family
    size_t operators = 0;
    size_t unfingerprinted = 0;
};

Families familiesOf(const Problem& p) {
    Space space(p);
    Families f;
    const SizeContext probes = fingerprintProbes(p);
    for (const auto& s : space.enumerate(10000000)) {
        ++f.operators;
        const auto fp = functionalFingerprint(s.op, probes);
        if (!fp) {
            ++f.unfingerprinted;
            continue;
        }
        f.byFingerprint.emplace(*fp, s.op);
    }
    return f;
}

// Semantic, so that reshapes of the same dim count: at every probe binding, some weight's element is a
// function of another weight's element over all the terms of the operator.
bool hasNestedWeights(const Operator& op, const SizeContext& probes) {
    const int tensors = op.tensorCount();
    for (int inner = 1; inner < tensors; ++inner)
        for (int outer = 1; outer < tensors; ++outer) {
            if (inner == outer) continue;
            bool everywhere = true;
            for (int b = 0; b < probes.bindingCount() && everywhere; ++b) {
                const Realization r = realize(op, probes, b, PaddingPolicy::Exact);
                std::unordered_map<int64_t, int64_t> innerOf;
                forEachTerm(r, [&](int64_t, const std::vector<int64_t>& offsets) {
                    const auto [it, fresh] = innerOf.emplace(offsets[static_cast<size_t>(outer)],
                                                             offsets[static_cast<size_t>(inner)]);
                    everywhere &= fresh || it->second == offsets[static_cast<size_t>(inner)];
                });
            }
            if (everywhere) return true;
        }
    return false;
}

bool slidesAlongASum(const Operator& op) {
    for (Dim d : op.nodesBottomUp()) {
        if (d->kind != DimKind::Unfold) continue;
        Dim main = d->lhs;
        while (main->kind == DimKind::Shift) main = main->lhs;
        if (main->kind == DimKind::Reduce) return true;
    }
    return false;
}

uint32_t equivalenceRules() {
    uint32_t mask = 0;
    for (int r = 0; r < kRuleCount; ++r)
        if (isEquivalenceRule(static_cast<Rule>(r))) mask |= 1u << r;
    return mask;
}

struct Case {
    const char* name;
    const char* coef;
    const char* output;
    int depth;
};

class RulesCompleteness : public ::testing::TestWithParam<Case> {};

TEST_P(RulesCompleteness, EveryFamilyFoundWithoutTheRulesIsFoundWithThem) {
    const Case c = GetParam();
    SynthesisOptions on = optionsWithDepth(c.depth);
    SynthesisOptions off = on;
    off.disabledRules = equivalenceRules();
    const Families with = familiesOf(convProblem(on, c.output, c.coef));
    const Families without = familiesOf(convProblem(off, c.output, c.coef));
    std::cout << c.name << " depth " << c.depth << ": " << with.operators << " operators (" << with.byFingerprint.size()
              << " families) with the rules, " << without.operators << " (" << without.byFingerprint.size()
              << " families) without; unfingerprinted " << with.unfingerprinted << " / " << without.unfingerprinted
              << "\n";
    EXPECT_GT(without.operators, with.operators) << "the rules must remove something here";
    const SizeContext probes = fingerprintProbes(convProblem(on, c.output, c.coef));
    size_t missing = 0, nested = 0, slid = 0;
    for (const auto& [fp, op] : without.byFingerprint) {
        if (with.byFingerprint.count(fp)) continue;
        if (hasNestedWeights(op, probes)) {
            ++nested;
        } else if (slidesAlongASum(op)) {
            ++slid;
        } else if (++missing <= 3) {
            ADD_FAILURE() << "lost by the rules:\n" << printOperator(op);
        }
    }
    std::cout << "  left out by design, reached without the rules in disguise: " << nested
              << " families with nested weights, " << slid << " sliding a window along a sum\n";
    EXPECT_EQ(missing, 0u);
}

INSTANTIATE_TEST_SUITE_P(Spaces, RulesCompleteness,
                         ::testing::Values(Case{"conv", kCoef, kConvOut, 4}, Case{"conv_with_s", kCoefWithS, kConvOut, 4},
                                           Case{"conv", kCoef, kConvOut, 5}, Case{"depthwise", kCoef, kDepthwiseOut, 5}),
                         [](const auto& info) {
                             return std::string(info.param.name) + "_depth" + std::to_string(info.param.depth);
                         });

TEST(RulesCompleteness, OnlyEquivalenceRulesCanBeSwitchedOff) {
    SynthesisOptions o = optionsWithDepth(4);
    o.disabledRules = 1u << static_cast<unsigned>(Rule::UnfoldWindowWeighted);
    EXPECT_NE(errorOf([&] { convProblem(o); }).find("cannot be disabled"), std::string::npos);
}

}  // namespace
}  // namespace syno::test
