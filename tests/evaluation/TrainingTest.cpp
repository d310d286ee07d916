// Training on a tiny budget: it learns, the same seed gives the same numbers, and every way a candidate can
// go wrong (NaN loss, missed milestone, time limit, bad text, wrong shape) is a failure outcome with one
// line, never an exception. Then the evaluator end to end on the small MLP.
#include <gtest/gtest.h>

#include <cmath>

#include "TestHelpers.h"
#include "evaluation/Training.h"
#include "evaluation/TrainingEvaluator.h"
#include "ir/Library.h"
#include "ir/TextForm.h"
#include "plans/Execute.h"

namespace syno::evaluation {
namespace {

class TrainingTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        data_ = new FashionMnist(loadFashionMnist());
        split_ = new DataSplit(splitTraining(data_->train, 500, 1024));
    }
    static void TearDownTestSuite() {
        delete data_;
        delete split_;
    }

    // 1024 images, one epoch of 16 batches of 64.
    static TrainingJob tinyJob(const ModelLayout& layout) {
        TrainingJob job;
        job.layout = &layout;
        job.data = data_;
        job.split = split_;
        EvalSettings s;
        s.model = layout.name;
        s.epochs = 1;
        s.subset = 1024;
        s.batch = 64;
        s.threads = 1;
        job.budget = resolveBudget(s);
        job.budget.milestones.clear();
        return job;
    }

    static inline FashionMnist* data_ = nullptr;
    static inline DataSplit* split_ = nullptr;
};

TEST_F(TrainingTest, LearnsAndIsDeterministic) {
    plans::setThreads(1);
    const ModelLayout mlp = modelLayout("mlp");
    const TrainResult a = trainModel(tinyJob(mlp));
    ASSERT_TRUE(a.ok) << a.failure;
    EXPECT_GT(a.bestValidation, 0.5);  // chance is 0.1
    EXPECT_GT(a.testAccuracy, 0.5);
    EXPECT_EQ(a.validationByEpoch.size(), 1u);
    const TrainResult b = trainModel(tinyJob(mlp));
    EXPECT_EQ(a.bestValidation, b.bestValidation);
    EXPECT_EQ(a.testAccuracy, b.testAccuracy);
}

TEST_F(TrainingTest, NaNLossIsAFailureNotACrash) {
    const ModelLayout resnet = modelLayout("resnet");
    const Operator op = library::byName("operator2", placeholderVariables(resnet.spec));
    const SizeContext ctx = placeholderContext(resnet, op);
    TrainingJob job = tinyJob(resnet);
    job.op = &op;
    job.ctx = &ctx;
    job.budget.maxLr = 1e30;  // the first step throws the weights to infinity
    job.budget.clipNorm = 0;
    const TrainResult r = trainModel(job);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.failure.find("loss is"), std::string::npos) << r.failure;
    EXPECT_EQ(r.failure.find('\n'), std::string::npos);
}

TEST_F(TrainingTest, MilestoneAndTimeLimitStopTraining) {
    const ModelLayout mlp = modelLayout("mlp");
    TrainingJob job = tinyJob(mlp);
    job.budget.milestones = {{1, 0.99}};
    TrainResult r = trainModel(job);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.failure.find("milestone 0.99 after epoch 1"), std::string::npos) << r.failure;
    job = tinyJob(mlp);
    job.budget.timeLimitSeconds = 1e-6;
    r = trainModel(job);
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.failure.find("time limit"), std::string::npos) << r.failure;
}

// A neighbour's load stretches the time limit instead of failing the candidate; a quiet machine keeps it.
TEST(TimeLimit, StretchesWithOtherProcessesLoadOnly) {
    EXPECT_EQ(timeLimitUnderLoad(300, 0), 300);
    EXPECT_EQ(timeLimitUnderLoad(300, 0.49), 300);
    EXPECT_DOUBLE_EQ(timeLimitUnderLoad(300, 1.5), 750);  // a build on 1.5 of 2 cores
    EXPECT_EQ(timeLimitUnderLoad(300, 7), 1200);         // never more than 4x
    EXPECT_EQ(timeLimitUnderLoad(300, std::nan("")), 300);
}

TEST(Evaluator, BadCandidatesAreFailuresAndAGoodOneIsMeasured) {
    EvalSettings s;
    s.model = "mlp";
    s.epochs = 1;
    s.subset = 1024;
    s.batch = 64;
    s.threads = 1;
    s.latencyRuns = 3;
    TrainingEvaluator evaluator(s);
    EXPECT_NE(evaluator.fingerprint().find("model=mlp"), std::string::npos);

    search::Outcome garbage = evaluator.evaluate({"this is not an operator", "", ""});
    EXPECT_FALSE(garbage.ok);
    EXPECT_FALSE(garbage.failure.empty());
    EXPECT_EQ(garbage.failure.find('\n'), std::string::npos);

    const ModelLayout resnet = modelLayout("resnet");
    const Operator conv = library::byName("conv2d", placeholderVariables(resnet.spec));
    search::Outcome wrongShape = evaluator.evaluate({printOperator(conv), conv.idHex(), ""});
    EXPECT_FALSE(wrongShape.ok);
    EXPECT_FALSE(wrongShape.failure.empty());

    const Operator linear = library::byName("linear", placeholderVariables(evaluator.spec()));
    const EvalReport rep = evaluator.report({printOperator(linear), linear.idHex(), ""});
    ASSERT_TRUE(rep.outcome.ok) << rep.outcome.failure;
    const search::Metrics& m = rep.outcome.metrics;
    EXPECT_GT(m.accuracy, 0.5);
    EXPECT_GT(m.testAccuracy, 0.5);
    EXPECT_NEAR(m.flopsRatio, 1.0, 1e-12);  // linear from primitives is the original layer
    EXPECT_EQ(m.params, rep.baseline.params);
    EXPECT_GT(m.latencyRatio, 0);
    ASSERT_EQ(rep.latency.points.size(), 2u);  // batches 1 and 16 at one thread
    EXPECT_GT(rep.latency.find(16, 1)->ms, 0);
    EXPECT_NE(rep.outcome.details.find("\"latency\""), std::string::npos);
    EXPECT_FALSE(std::isnan(m.baselineAccuracy));
    EXPECT_FALSE(std::isnan(m.trainSeconds));
}

TEST(Evaluator, MissingDataFailsAtConstructionWithOneLine) {
    EvalSettings s;
    s.dataDir = "/nonexistent";
    std::string msg = test::errorOf([&] { TrainingEvaluator e(s); });
    EXPECT_NE(msg.find("dataset-fashion-mnist"), std::string::npos) << msg;
    s.dataDir = kFashionMnistDir;
    s.model = "gpt";
    EXPECT_NE(test::errorOf([&] { makeTrainingEvaluator(s); }).find("unknown model"), std::string::npos);
}

}  // namespace
}  // namespace syno::evaluation
