// The export layer without Python: plans fitted over batch sizes agree with the plans compiled at other
// batches, the emitted code holds what the plans hold, and `syno export` turns bad input into one line
// with nothing written. The exports themselves run in PyTorch in check_export.py (ctest export.pytorch).
#include <gtest/gtest.h>

#include <filesystem>

#include "SynoProcess.h"
#include "TestHelpers.h"
#include "export/BatchVariants.h"
#include "export/EmitPython.h"
#include "export/ExportedOperator.h"
#include "ir/Library.h"
#include "sizes/Parse.h"

namespace syno::exports {
namespace {

namespace fs = std::filesystem;

SizeContext resnetLayers(const VariableTable& vars) {
    return SizeContext(vars, parseBindings("C_in=64, C_out=64, H=56, W=56; C_in=512, C_out=512, H=7, W=7"));
}

VariableTable convVariables() {
    return VariableTable({{"N", VarKind::Primary, 3, 1},
                          {"C_in", VarKind::Primary, 2, 64},
                          {"C_out", VarKind::Primary, 4, 64},
                          {"H", VarKind::Primary, 3, 56},
                          {"W", VarKind::Primary, 3, 56},
                          {"k", VarKind::Coefficient, 2, 3},
                          {"s", VarKind::Coefficient, 2, 2},
                          {"g", VarKind::Coefficient, 3, 32}});
}

// Every field of the fitted plan, read at batch n, is the field of the plan compiled at n, wherever the
// two plans have the same ops: the fit is the plan's own arithmetic, not a coincidence of the probes.
TEST(BatchVariants, TheGeneralPlanIsThePlanAtOtherBatches) {
    const VariableTable vars = convVariables();
    const SizeContext ctx = resnetLayers(vars);
    int compared = 0;
    for (const char* name : {"conv2d", "grouped", "depthwise", "operator1", "operator2", "shiftconv"}) {
        const Operator op = library::byName(name, vars);
        for (int b = 0; b < ctx.bindingCount(); ++b)
            for (bool inference : {false, true}) {
                plans::PlanOptions options;
                options.inference = inference;
                options.fuseWeightOps = false;
                std::string why;
                auto general = generalVariant(op, ctx, b, "N", options, &why);
                ASSERT_TRUE(general) << name << " binding " << b << ": " << why;
                for (int64_t n : {2, 6, 19, 32}) {
                    const BatchVariant fixed = fixedVariant(op, ctx, b, "N", n, options);
                    if (fixed.ops.size() != general->ops.size()) continue;
                    bool sameKinds = true;
                    for (size_t i = 0; i < fixed.ops.size(); ++i)
                        sameKinds = sameKinds && fixed.ops[i].op.kind == general->ops[i].op.kind &&
                                    fixed.ops[i].op.a == general->ops[i].op.a && fixed.ops[i].op.dst == general->ops[i].op.dst;
                    if (!sameKinds) continue;
                    ++compared;
                    for (size_t i = 0; i < fixed.ops.size(); ++i) {
                        const auto& g = general->ops[i];
                        const plans::PlanOp& f = fixed.ops[i].op;
                        auto at = [n](const std::vector<SymInt>& v) {
                            std::vector<int64_t> out;
                            for (const auto& s : v) out.push_back(s.at(n));
                            return out;
                        };
                        EXPECT_EQ(at(g.shape), f.shape) << name << " op " << i << " at batch " << n;
                        EXPECT_EQ(at(g.ints), f.ints) << name << " op " << i << " at batch " << n;
                        EXPECT_EQ(at(g.ints2), f.ints2) << name << " op " << i << " at batch " << n;
                        EXPECT_EQ(g.amount.at(n), f.amount) << name << " op " << i << " at batch " << n;
                    }
                }
            }
    }
    EXPECT_GT(compared, 20);  // most plans keep their structure across these batches
}

TEST(BatchVariants, BadBatchesAreOneLineErrors) {
    const VariableTable vars = convVariables();
    const Operator op = library::byName("conv2d", vars);
    const SizeContext ctx = resnetLayers(vars);
    EXPECT_NE(test::errorOf([&] { fixedVariant(op, ctx, 0, "N", 0, {}); }).find("at least 1"), std::string::npos);
    EXPECT_NE(test::errorOf([&] { fixedVariant(op, ctx, 5, "N", 1, {}); }).find("binding 6 does not exist"),
              std::string::npos);
    std::string why;
    EXPECT_FALSE(generalVariant(op, ctx, 0, "Z", {}, &why));
    EXPECT_NE(why.find("no batch variable Z"), std::string::npos);
}

TEST(EmitPython, TheFileHoldsEveryLayerVariantAndTheOperator) {
    const VariableTable vars = convVariables();
    const Operator op = library::byName("operator2", vars);
    ExportOptions options;
    options.batches = {1, 16};
    const ExportedOperator e = prepareExport(op, resnetLayers(vars), options);
    ASSERT_EQ(e.bindings.size(), 2u);
    EXPECT_EQ(e.sizeNames, (std::vector<std::string>{"C_in", "C_out", "H", "W"}));
    for (const auto& b : e.bindings) {
        ASSERT_EQ(b.training.size(), 3u) << b.generalMissing;  // batch 1, batch 16, any batch
        EXPECT_EQ(b.training[0].batch, 1);
        EXPECT_EQ(b.training[2].batch, 0);
    }
    const std::string py = emitPythonModule(e, "test");
    EXPECT_NE(py.find("class Op(torch.nn.Module):"), std::string::npos);
    EXPECT_NE(py.find("def __init__(self, C_in: int, C_out: int, H: int, W: int, seed: int = 1):"), std::string::npos);
    EXPECT_NE(py.find("{\"C_in\": 512, \"C_out\": 512, \"H\": 7, \"W\": 7}"), std::string::npos);
    EXPECT_NE(py.find(e.idHex), std::string::npos);
    EXPECT_NE(py.find("def _train_5(self"), std::string::npos);  // 2 layers x 3 variants
    EXPECT_EQ(py.find("def _train_6(self"), std::string::npos);
    EXPECT_NE(py.find("torch.conv2d("), std::string::npos);
    EXPECT_NE(py.find("N, "), std::string::npos);  // the general plans' shapes use the batch
    EXPECT_EQ(py.find("gather"), std::string::npos);  // weight ops stay standard calls
    // The TorchScript dialect that define() compiles has no eager-only names.
    const std::string script = emitScriptMethods(e);
    EXPECT_EQ(script.find("torch.channels_last"), std::string::npos);
    EXPECT_EQ(script.find("is_scripting"), std::string::npos);
    EXPECT_NE(script.find("def forward(self, x: Tensor) -> Tensor:"), std::string::npos);
}

TEST(EmitPython, BadClassNamesAreRefused) {
    const VariableTable vars = convVariables();
    const Operator op = library::byName("conv2d", vars);
    for (const char* name : {"", "1Op", "my-op", "a b"}) {
        ExportOptions options;
        options.className = name;
        EXPECT_NE(test::errorOf([&] { prepareExport(op, resnetLayers(vars), options); }).find("not an identifier"),
                  std::string::npos)
            << name;
    }
}

class ExportCli : public ::testing::Test {
protected:
    fs::path dir;
    void SetUp() override {
        dir = test::makeTempDir("syno_export");
        ASSERT_FALSE(dir.empty());
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    // Runs syno export expecting a one-line refusal that contains `what`, and nothing written.
    void refused(std::vector<std::string> args, const std::string& what) {
        args.insert(args.begin(), "export");
        const auto r = test::runSyno(args, dir);
        EXPECT_EQ(r.exitCode, 1) << r.err;
        EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        for (const auto& f : fs::directory_iterator(dir)) {
            const std::string n = f.path().filename().string();
            EXPECT_TRUE(n == "stdout" || n == "stderr") << "left behind: " << n;
        }
    }
};

TEST_F(ExportCli, BadInputIsOneLineAndWritesNothing) {
    const std::string out = (dir / "op.py").string();
    refused({"--library", "operator2", "--format", "onnx", "-o", out}, "--format");
    refused({"--library", "nosuch", "--format", "pytorch", "-o", out}, "nosuch");
    refused({"--library", "operator2", "--format", "pytorch", "-o", (dir / "no" / "op.py").string()}, "no directory");
    refused({"--library", "operator2", "--format", "pytorch", "-o", dir.string()}, "is a directory");
    refused({"--library", "operator2", "--format", "torchscript", "-o", out, "--bindings",
             "C_in=64, C_out=64, H=56, W=56; C_in=128, C_out=128, H=28, W=28"},
            "--binding");
    refused({"--library", "operator2", "--format", "pytorch", "-o", out, "--binding", "3"}, "does not exist");
    refused({"--library", "linear", "--model", "resnet18", "--format", "pytorch", "-o", out}, "");
    refused({"--library", "conv2d", "--format", "pytorch", "-o", out, "--class-name", "my-op"}, "not an identifier");
    refused({"--library", "conv2d", "--format", "pytorch", "-o", out, "--batches", "0"}, "--batches");
    refused({"--db", (dir / "none.db").string(), "--candidate", "3", "--format", "pytorch", "-o", out}, "none.db");
    refused({"--library", "conv2d", "--best", "--format", "pytorch", "-o", out}, "--db");
    refused({"--format", "pytorch", "-o", out}, "give exactly one operator");
    refused({"--library", "conv2d", "--model", "resnet18", "--format", "pytorch", "-o", out, "--bindings", "H=7, W=7"},
            "either --model or --bindings");
}

TEST_F(ExportCli, WritesAPythonFileForAModelsLayers) {
    const std::string out = (dir / "op.py").string();
    const auto r = test::runSyno({"export", "--library", "operator2", "--model", "resnet18", "--format", "pytorch", "-o", out}, dir);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string py = test::readFile(out);
    for (const char* layer : {"\"C_in\": 64, \"C_out\": 64, \"H\": 56", "\"C_in\": 512, \"C_out\": 512, \"H\": 7"})
        EXPECT_NE(py.find(layer), std::string::npos) << layer;
    EXPECT_NE(r.out.find("wrote " + out), std::string::npos) << r.out;
}

}  // namespace
}  // namespace syno::exports
