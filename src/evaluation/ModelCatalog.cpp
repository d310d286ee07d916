#include "evaluation/ModelCatalog.h"

#include <map>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/Error.h"
#include "sizes/Parse.h"

namespace syno::evaluation {

namespace {

constexpr int64_t kImage = 28;
constexpr int64_t kClassCount = 10;

// Gives each slot the index of the first slot of its shape, and prints the distinct bindings.
void assignBindings(ModelLayout& m) {
    std::map<std::tuple<int64_t, int64_t, int64_t>, int> seen;
    std::vector<std::string> sets;
    for (Slot& s : m.slots) {
        auto key = std::make_tuple(s.cin, s.cout, s.size);
        auto [it, fresh] = seen.emplace(key, static_cast<int>(sets.size()));
        s.binding = it->second;
        if (!fresh) continue;
        sets.push_back(m.convolutional()
                           ? fmt::format("N=1, C_in={}, C_out={}, H={}, W={}", s.cin, s.cout, s.size, s.size)
                           : fmt::format("N=1, C_in={}, C_out={}", s.cin, s.cout));
    }
    m.spec.bindings = fmt::format("{}", fmt::join(sets, "; "));
}

// Widths 16/32/64 give every placeholder channel counts divisible by g*s = 8: grouped operators and the
// paper's Operators 1 and 2 (m = C_out/(g*s)) fit every binding. H = W is 28, 14 or 7: odd 7 means no
// operator may stride or merge along H or W by 2 (those are refused, not padded).
ModelLayout convolutional(const std::string& name, ModelKind kind) {
    ModelLayout m;
    m.name = name;
    m.kind = kind;
    m.widths = {16, 32, 64};
    m.spec.primaries = "N=1: 0, C_in=16: 2, C_out=16: 4, H=28: 0, W=28: 0";
    m.spec.coefficients = "k=3: 2, s=2: 2, g=4: 3";
    m.spec.input = "[N, C_in, H, W]";
    m.spec.output = "[N, C_out, H, W]";
    const int64_t stem = m.widths[0];
    m.fixedFlops = 2.0 * 1 * stem * 9 * kImage * kImage + 2.0 * m.widths.back() * kClassCount;
    int64_t cin = stem, size = kImage;
    for (size_t i = 0; i < m.widths.size(); ++i) {
        const int64_t w = m.widths[i];
        if (i > 0) size /= 2;
        m.slots.push_back({cin, w, size, 0});
        m.slots.push_back({w, w, size, 0});
        if (kind == ModelKind::ResNet && (cin != w || i > 0)) m.fixedFlops += 2.0 * cin * w * size * size;  // 1x1 shortcut
        cin = w;
    }
    assignBindings(m);
    return m;
}

ModelLayout mlp() {
    ModelLayout m;
    m.name = "mlp";
    m.kind = ModelKind::Mlp;
    m.widths = {256, 256};
    m.spec.primaries = "N=1: 0, C_in=784: 2, C_out=256: 4";
    m.spec.coefficients = "s=2: 2, g=4: 3";
    m.spec.input = "[N, C_in]";
    m.spec.output = "[N, C_out]";
    int64_t cin = kImage * kImage;
    for (int64_t w : m.widths) {
        m.slots.push_back({cin, w, 0, 0});
        cin = w;
    }
    m.fixedFlops = 2.0 * cin * kClassCount;
    assignBindings(m);
    return m;
}

}  // namespace

double ModelLayout::baselineSlotFlops(const Slot& slot, bool conv) {
    return conv ? 2.0 * slot.cin * slot.cout * 9 * slot.size * slot.size : 2.0 * slot.cin * slot.cout;
}

double ModelLayout::baselineFlops() const {
    double f = fixedFlops;
    for (const Slot& s : slots) f += baselineSlotFlops(s, convolutional());
    return f;
}

const char* modelNames() { return "resnet, vgg, mlp"; }

ModelLayout modelLayout(const std::string& name) {
    if (name == "resnet") return convolutional(name, ModelKind::ResNet);
    if (name == "vgg") return convolutional(name, ModelKind::Vgg);
    if (name == "mlp") return mlp();
    throw Error(fmt::format("unknown model '{}': known models are {}", name, modelNames()));
}

PlaceholderSpec placeholderSpec(const std::string& model) { return modelLayout(model).spec; }

}  // namespace syno::evaluation

namespace syno::evaluation {

VariableTable placeholderVariables(const PlaceholderSpec& spec) {
    auto vars = parseSpecs(spec.primaries, VarKind::Primary);
    auto coefs = parseSpecs(spec.coefficients, VarKind::Coefficient);
    vars.insert(vars.end(), coefs.begin(), coefs.end());
    return VariableTable(vars);
}

SizeContext placeholderContext(const ModelLayout& layout, const Operator& op) {
    SizeContext ctx(op.vars(), parseBindings(layout.spec.bindings));
    auto concrete = [&](const std::vector<Size>& shape, int b) {
        std::vector<int64_t> out;
        for (const Size& s : shape) out.push_back(ctx.evalInteger(s, b));
        return out;
    };
    for (const Slot& slot : layout.slots) {
        std::vector<int64_t> in{1, slot.cin}, out{1, slot.cout};
        if (layout.convolutional()) {
            in.insert(in.end(), {slot.size, slot.size});
            out.insert(out.end(), {slot.size, slot.size});
        }
        const auto gotIn = concrete(op.inputShape(), slot.binding);
        const auto gotOut = concrete(op.outputShape(), slot.binding);
        if (gotIn != in || gotOut != out)
            throw Error(fmt::format("the operator maps [{}] -> [{}] at {}, but the {} placeholder needs [{}] -> [{}]",
                                    fmt::join(gotIn, ", "), fmt::join(gotOut, ", "), ctx.describeBinding(slot.binding),
                                    layout.name, fmt::join(in, ", "), fmt::join(out, ", ")));
    }
    return ctx;
}

}  // namespace syno::evaluation
