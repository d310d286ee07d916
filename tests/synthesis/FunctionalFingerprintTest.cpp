// The functional fingerprint: equal for operators that compute one family of functions up to a
// reparametrisation of their weights (axis order, weight order, elements reindexed by a roll or a reshape),
// different for operators that do not (a roll's direction, a window's size, the known layers).
#include "SynthesisFixtures.h"
#include "ir/TextForm.h"
#include "synthesis/FunctionalFingerprint.h"

namespace syno::test {
namespace {

constexpr const char* kWindows = "k=3: 2, j=5: 2, g=4: 3, s=2: 2";

Problem windowsProblem() { return convProblem(optionsWithDepth(6), kConvOut, kWindows); }

uint64_t fingerprintOf(const Operator& op, const Problem& p) {
    const auto f = functionalFingerprint(op, fingerprintProbes(p));
    EXPECT_TRUE(f.has_value()) << printOperator(op);
    return f.value_or(0);
}

TEST(FunctionalFingerprint, ProbesMakeTheSpaceIntegralWithDistinctSmallCoefficients) {
    const Problem p = windowsProblem();
    const SizeContext probes = fingerprintProbes(p);
    ASSERT_EQ(probes.bindingCount(), 2);
    const VariableTable& vars = probes.vars();
    std::set<int64_t> coefficients;
    for (int b = 0; b < 2; ++b) {
        for (int id = 0; id < vars.size(); ++id) {
            const int64_t v = probes.bindings()[static_cast<size_t>(b)][id];
            if (vars[id].name == "N") {
                EXPECT_EQ(v, 1);
            } else if (vars.isPrimary(id)) {
                EXPECT_GE(v, 5) << vars[id].name;
            } else if (b == 0) {
                EXPECT_TRUE(coefficients.insert(v).second) << vars[id].name << " repeats " << v;
            }
        }
        for (const Size& s : p.candidates) {
            if (s.power(vars.require("H")) == 0 && s.power(vars.require("W")) == 0) {
                EXPECT_TRUE(probes.eval(s, b).isInteger()) << s.toString(vars);
            }
        }
    }
    EXPECT_EQ(probes.bindings()[0][vars.require("k")], 3) << "odd windows stay odd";
    EXPECT_NE(probes.bindings()[0], probes.bindings()[1]);
}

TEST(FunctionalFingerprint, WeightAxisOrderAndWeightOrderDoNotMatter) {
    const Problem p = windowsProblem();
    const VariableTable& vars = p.ctx.vars();
    auto conv = [&](bool permuted) {
        OperatorBuilder b(vars);
        auto o = b.output(kConvOut);
        Dim c = b.sum("C_in"), kh = b.sum("k"), kw = b.sum("k");
        b.input({o[0], c, b.unfold(o[2], kh), b.unfold(o[3], kw)});
        if (permuted) b.weight({kw, c, o[1], kh});
        else b.weight({o[1], c, kh, kw});
        b.expand(o[1]);
        return b.build();
    };
    EXPECT_EQ(fingerprintOf(conv(false), p), fingerprintOf(conv(true), p));
    EXPECT_EQ(fingerprintOf(conv(false), p), fingerprintOf(library::conv2d(vars), p));

    // Operator 1 with its two weights listed the other way round.
    auto operator1 = [&](bool swapped) {
        OperatorBuilder b(vars);
        auto o = b.output(kConvOut);
        Dim group = b.sum("g"), c = b.sum("C_in/g"), kh = b.sum("k"), kw = b.sum("k");
        Dim m = b.sum("C_out/g/s");
        Dim channel = b.split(group, c);
        b.input({o[0], channel, b.unfold(o[2], kh), b.unfold(o[3], kw)});
        if (swapped) b.weight({group, kh, kw, o[1], m});
        b.weight({channel, kw, m});
        if (!swapped) b.weight({group, kh, kw, o[1], m});
        b.expand(o[1]);
        b.expand(m);
        return b.build();
    };
    EXPECT_EQ(fingerprintOf(operator1(false), p), fingerprintOf(operator1(true), p));
    EXPECT_EQ(fingerprintOf(operator1(false), p), fingerprintOf(library::operator1(vars), p));
}

TEST(FunctionalFingerprint, WeightElementsReindexedByARollOrAReshapeDoNotMatter) {
    const Problem p = windowsProblem();
    const VariableTable& vars = p.ctx.vars();
    const Operator base = library::conv1x1(vars);
    // Input and weight read channel c+1 (mod C_in): the weight's elements relabelled by a roll.
    OperatorBuilder r(vars);
    auto ro = r.output(kConvOut);
    Dim rolledChannel = r.shift(r.sum("C_in"), 1);
    r.input({ro[0], rolledChannel, ro[2], ro[3]});
    r.weight({ro[1], rolledChannel});
    r.expand(ro[1]);
    const Operator rolled = r.build();
    EXPECT_NE(canonicalHash(base), canonicalHash(rolled)) << "structurally different";
    EXPECT_EQ(fingerprintOf(base, p), fingerprintOf(rolled, p));

    // The channel sum as two sums (g groups of C_in/g) that only ever occur together: one sum of the
    // product size, its weight reshaped.
    OperatorBuilder b(vars);
    auto o = b.output(kConvOut);
    Dim group = b.sum("g"), within = b.sum("C_in/g");
    b.input({o[0], b.split(group, within), o[2], o[3]});
    b.weight({within, o[1], group});
    b.expand(o[1]);
    const Operator twoSums = b.build();
    EXPECT_NE(canonicalHash(base), canonicalHash(twoSums));
    EXPECT_EQ(fingerprintOf(base, p), fingerprintOf(twoSums, p));
}

TEST(FunctionalFingerprint, RollDirectionWindowSizeAndKnownLayersAreToldApart) {
    const Problem p = windowsProblem();
    const VariableTable& vars = p.ctx.vars();
    auto rolledRows = [&](int amount) {
        OperatorBuilder b(vars);
        auto o = b.output(kConvOut);
        Dim c = b.sum("C_in");
        b.input({o[0], c, b.shift(o[2], amount), o[3]});
        b.weight({o[1], c});
        b.expand(o[1]);
        return b.build();
    };
    EXPECT_NE(fingerprintOf(rolledRows(1), p), fingerprintOf(rolledRows(-1), p));
    EXPECT_NE(fingerprintOf(rolledRows(1), p), fingerprintOf(library::conv1x1(vars), p));
    EXPECT_EQ(fingerprintOf(rolledRows(1), p), fingerprintOf(library::shiftConv1x1(vars, 1), p)) << "the same layer";

    auto window = [&](const std::string& k) {
        OperatorBuilder b(vars);
        auto o = b.output(kConvOut);
        Dim c = b.sum("C_in"), kh = b.sum(k);
        b.input({o[0], c, b.unfold(o[2], kh), o[3]});
        b.weight({o[1], c, kh});
        b.expand(o[1]);
        return b.build();
    };
    EXPECT_NE(fingerprintOf(window("k"), p), fingerprintOf(window("j"), p));

    std::set<uint64_t> seen;
    for (const Operator& op : std::vector<Operator>{library::conv2d(vars), library::conv1x1(vars),
                                                    library::groupedConv2d(vars), library::operator1(vars),
                                                    library::operator2(vars), window("k")})
        EXPECT_TRUE(seen.insert(fingerprintOf(op, p)).second) << printOperator(op);
}

// In an enumerated space the fingerprint merges structurally distinct operators (the reparametrisations
// above occur there), and all but a few operators have one (the rest keep their canonical hash: 14 of 398 here). Operators
// merged run the same number of loop points at every probe (a bijection of weight elements keeps the
// terms).
TEST(FunctionalFingerprint, EnumeratedSpaceHasFunctionalDuplicates) {
    Space space(convProblem(optionsWithDepth(5)));
    const auto all = space.enumerate(1000000);
    ASSERT_GT(all.size(), 100u);
    const SizeContext probes = fingerprintProbes(space.problem());
    std::map<uint64_t, const Sampled*> firstOf;
    size_t merged = 0, unfingerprinted = 0;
    for (const auto& s : all) {
        const auto f = functionalFingerprint(s.op, probes);
        if (!f) {
            ++unfingerprinted;
            continue;
        }
        auto [it, fresh] = firstOf.emplace(*f, &s);
        if (fresh) continue;
        ++merged;
        const Operator& a = it->second->op;
        for (const Binding& b : probes.bindings()) {
            const SizeContext one = probes.withBindings({b});
            EXPECT_DOUBLE_EQ(naiveCost(a, one).flops / a.tensorCount(), naiveCost(s.op, one).flops / s.op.tensorCount())
                << printOperator(a) << "\nand\n" << printOperator(s.op);
        }
    }
    std::cout << all.size() << " operators, " << merged << " functional duplicates, " << unfingerprinted
              << " without a fingerprint\n";
    EXPECT_GT(merged, 0u) << "the depth-5 conv space holds reparametrised duplicates";
    EXPECT_LE(unfingerprinted * 20, all.size()) << "at most 5% fall back to the canonical hash";
}

}  // namespace
}  // namespace syno::test
