// A search given the functional fingerprint (DriverOptions::family) evaluates one operator of each family
// of functions: a proposal of a family already evaluated, or in flight in the same batch, is a repeat and
// gets that family's reward at no cost. Without it every structurally distinct operator is evaluated.
// (Which operators share a family: FunctionalFingerprintTest.)
#include <gtest/gtest.h>

#include <map>

#include "SearchFixtures.h"
#include "ir/Builder.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "synthesis/CanonicalForm.h"
#include "synthesis/FunctionalFingerprint.h"

namespace syno::search {
namespace {

// Proposes a fixed list of operators, once each, and records the rewards it is told.
class ListProposer : public Proposer {
public:
    explicit ListProposer(std::vector<Operator> ops) : ops_(std::move(ops)) {}
    ProposeStatus propose(Proposal& out) override {
        if (next_ == ops_.size()) return ProposeStatus::Exhausted;
        const Operator& op = ops_[next_];
        out.ticket = static_cast<int>(next_++);
        out.candidate.operatorText = printOperator(op);
        out.candidate.canonicalId = std::to_string(canonicalHash(op));
        return ProposeStatus::Ready;
    }
    void report(int ticket, std::optional<double> reward) override { told[ticket] = reward; }
    std::string name() const override { return "list"; }
    std::map<int, std::optional<double>> told;

private:
    std::vector<Operator> ops_;
    size_t next_ = 0;
};

struct Evaluated : SearchObserver {
    std::vector<std::string> ids, families;
    void finished(const Dispatch& d, const Outcome&, std::optional<double>, double, bool) override {
        ids.push_back(d.candidate.canonicalId);
        families.push_back(d.candidate.family);
    }
};

// conv1x1, then conv1x1 with its channel sum as g groups of C_in/g (one family), then conv2d, then
// conv1x1 with its weight rolled along the channels (the first family again).
std::vector<Operator> operators(const VariableTable& vars) {
    std::vector<Operator> out{library::conv1x1(vars)};
    {
        OperatorBuilder b(vars);
        auto o = b.output("[N, C_out, H, W]");
        Dim group = b.sum("g"), within = b.sum("C_in/g");
        b.input({o[0], b.split(group, within), o[2], o[3]});
        b.weight({within, o[1], group});
        b.expand(o[1]);
        out.push_back(b.build());
    }
    out.push_back(library::conv2d(vars));
    {
        OperatorBuilder b(vars);
        auto o = b.output("[N, C_out, H, W]");
        Dim rolled = b.shift(b.sum("C_in"), 1);
        b.input({o[0], rolled, o[2], o[3]});
        b.weight({o[1], rolled});
        b.expand(o[1]);
        out.push_back(b.build());
    }
    return out;
}

struct Result {
    std::vector<std::string> evaluated, families;
    SearchSummary summary;
    std::map<int, std::optional<double>> told;
};

Result run(bool byFamily, int batch) {
    const Problem problem = test::convProblem();
    const SizeContext probes = fingerprintProbes(problem);
    SyntheticSettings settings;
    settings.seed = 3;
    settings.referenceFlops = 1e8;
    SyntheticEvaluator evaluator(settings);
    ListProposer proposer(operators(problem.ctx.vars()));
    LocalWorkerPool pool(evaluator, 1);
    DriverOptions options;
    options.budget = 10;
    options.batch = batch;
    if (byFamily)
        options.family = [&](const Candidate& c) {
            const auto f = functionalFingerprint(parseOperator(c.operatorText, &problem.ctx.vars()), probes);
            return f ? std::to_string(*f) : std::string{};
        };
    SearchDriver driver(proposer, pool, RewardOptions{}, options);
    Evaluated observer;
    Result r;
    r.summary = driver.run(observer);
    r.evaluated = observer.ids;
    r.families = observer.families;
    r.told = proposer.told;
    return r;
}

TEST(FunctionalDedup, OneOperatorOfEachFamilyIsEvaluated) {
    for (int batch : {1, 4}) {
        SCOPED_TRACE("batch " + std::to_string(batch));
        const Result plain = run(false, batch);
        EXPECT_EQ(plain.evaluated.size(), 4u);
        EXPECT_EQ(plain.summary.sameFamily, 0);
        const Result byFamily = run(true, batch);
        ASSERT_EQ(byFamily.evaluated.size(), 2u) << "conv1x1 and conv2d";
        EXPECT_EQ(byFamily.evaluated[0], plain.evaluated[0]);
        EXPECT_EQ(byFamily.evaluated[1], plain.evaluated[2]);
        EXPECT_EQ(byFamily.summary.sameFamily, 2);
        // Each evaluated candidate carries its family to the observer (the run database records it).
        ASSERT_EQ(byFamily.families.size(), 2u);
        EXPECT_FALSE(byFamily.families[0].empty());
        EXPECT_NE(byFamily.families[0], byFamily.families[1]);
        EXPECT_EQ(plain.families, std::vector<std::string>(4, "")) << "no family without the callback";
        EXPECT_EQ(byFamily.summary.repeats, 2);
        ASSERT_EQ(byFamily.told.size(), 4u) << "every proposal is answered";
        EXPECT_EQ(byFamily.told.at(1), byFamily.told.at(0)) << "a member gets its family's reward";
        EXPECT_EQ(byFamily.told.at(3), byFamily.told.at(0));
    }
}

}  // namespace
}  // namespace syno::search
