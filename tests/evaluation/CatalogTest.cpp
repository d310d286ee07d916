// The model catalog (placeholder specs that parse and fit the library's layers, FLOPs that agree with the
// plans' count) and the budgets (defaults, overrides, bad values). Torch-free.
#include <gtest/gtest.h>

#include "TestHelpers.h"
#include "evaluation/Budget.h"
#include "evaluation/ModelCatalog.h"
#include "ir/Library.h"
#include "plans/Plan.h"

namespace syno::evaluation {
namespace {

TEST(Catalog, SpecsParseAndListOneBindingPerShape) {
    for (const char* name : {"resnet", "vgg", "mlp"}) {
        const ModelLayout m = modelLayout(name);
        const PlaceholderSpec spec = placeholderSpec(name);
        const SizeContext ctx = test::makeContext(spec.primaries, spec.coefficients, spec.bindings);
        EXPECT_NO_THROW(parseShape(spec.input, ctx.vars())) << name;
        EXPECT_NO_THROW(parseShape(spec.output, ctx.vars())) << name;
        int most = 0;
        for (const Slot& s : m.slots) most = std::max(most, s.binding);
        EXPECT_EQ(ctx.bindingCount(), most + 1) << name;
    }
    const ModelLayout resnet = modelLayout("resnet");
    EXPECT_EQ(resnet.slots.size(), 6u);
    EXPECT_EQ(placeholderSpec("resnet").bindings,
              "N=1, C_in=16, C_out=16, H=28, W=28; N=1, C_in=16, C_out=32, H=14, W=14; N=1, C_in=32, C_out=32, H=14, W=14; "
              "N=1, C_in=32, C_out=64, H=7, W=7; N=1, C_in=64, C_out=64, H=7, W=7");
    EXPECT_EQ(modelLayout("mlp").slots.size(), 2u);
    EXPECT_NE(test::errorOf([] { placeholderSpec("transformer"); }).find("resnet, vgg, mlp"), std::string::npos);
}

TEST(Catalog, LibraryLayersFitTheirModelsAndFlopsAgreeWithPlans) {
    struct Case {
        const char* model;
        const char* layer;
    };
    for (auto [model, layer] : {Case{"resnet", "conv2d"}, Case{"vgg", "conv2d"}, Case{"mlp", "linear"}}) {
        const ModelLayout m = modelLayout(model);
        const Operator op = library::byName(layer, placeholderVariables(m.spec));
        const SizeContext ctx = placeholderContext(m, op);
        double flops = m.fixedFlops;
        for (const Slot& s : m.slots) flops += plans::compilePlan(op, ctx, s.binding).flops;
        EXPECT_DOUBLE_EQ(flops, m.baselineFlops()) << model;
    }
    // Grouped layers and the paper's operators fit every binding of the convolutional models.
    for (const char* layer : {"grouped", "operator1", "operator2", "shiftconv", "dilated"}) {
        const ModelLayout m = modelLayout("resnet");
        EXPECT_NO_THROW(placeholderContext(m, library::byName(layer, placeholderVariables(m.spec)))) << layer;
    }
}

TEST(Catalog, OperatorsOfTheWrongShapeAreRefusedWithOneLine) {
    const ModelLayout resnet = modelLayout("resnet");
    // Depthwise keeps C_in channels: it cannot replace the 16 -> 32 placeholder.
    const Operator dw = library::byName("depthwise", placeholderVariables(resnet.spec));
    std::string msg = test::errorOf([&] { placeholderContext(resnet, dw); });
    EXPECT_NE(msg.find("placeholder needs"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
    const ModelLayout mlp = modelLayout("mlp");
    EXPECT_FALSE(test::errorOf([&] { placeholderContext(mlp, library::byName("conv2d", placeholderVariables(resnet.spec))); })
                     .empty());
}

TEST(Budgets, DefaultsOverridesAndBadValues) {
    EvalSettings s;
    const Budget proxy = resolveBudget(s);
    EXPECT_EQ(proxy.name, "proxy");
    s.budget = "final";
    const Budget fin = resolveBudget(s);
    EXPECT_GT(fin.subset * fin.epochs, proxy.subset * proxy.epochs);
    s.epochs = 5;
    s.subset = 1000;
    s.batch = 32;
    const Budget custom = resolveBudget(s);
    EXPECT_EQ(custom.epochs, 5);
    EXPECT_EQ(custom.subset, 1000);
    EXPECT_EQ(custom.batch, 32);
    EXPECT_NE(custom.describe(), fin.describe());
    EXPECT_NE(test::errorOf([] { EvalSettings e; e.budget = "huge"; resolveBudget(e); }).find("proxy or final"),
              std::string::npos);
    EXPECT_NE(test::errorOf([] { EvalSettings e; e.epochs = 0; resolveBudget(e); }).find("--epochs"), std::string::npos);
    EXPECT_NE(test::errorOf([] { EvalSettings e; e.threads = 0; resolveBudget(e); }).find("--threads"), std::string::npos);
}

}  // namespace
}  // namespace syno::evaluation
