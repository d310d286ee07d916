// The catalog's entry points: a model by name and instance, bindings shared by both instances, the
// placeholders' size context and the FLOPs of the layers they replace.
#include "evaluation/ModelCatalog.h"

#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/Error.h"
#include "evaluation/LayoutBuilders.h"
#include "semantics/Realize.h"
#include "sizes/Parse.h"
#include "sizes/ParseContext.h"

namespace syno::evaluation {

namespace layouts {

void assignBindings(std::vector<ModelLayout*> layouts) {
    std::map<std::tuple<int64_t, int64_t, int64_t>, int> seen;
    std::vector<std::string> sets;
    for (ModelLayout* m : layouts)
        for (Slot& s : m->slots) {
            auto key = std::make_tuple(s.cin, s.cout, s.size);
            auto [it, fresh] = seen.emplace(key, static_cast<int>(sets.size()));
            s.binding = it->second;
            if (!fresh) continue;
            sets.push_back(m->convolutional()
                               ? fmt::format("N=1, C_in={}, C_out={}, H={}, W={}", s.cin, s.cout, s.size, s.size)
                               : fmt::format("N=1, C_in={}, C_out={}", s.cin, s.cout));
        }
    for (ModelLayout* m : layouts) m->spec.bindings = fmt::format("{}", fmt::join(sets, "; "));
}

}  // namespace layouts

double ModelLayout::baselineSlotFlops(const Slot& slot, bool conv) {
    return conv ? 2.0 * static_cast<double>(slot.cin * slot.cout * 9 * slot.size * slot.size / slot.groups)
                : 2.0 * static_cast<double>(slot.cin * slot.cout);
}

double ModelLayout::placeholderFlops() const {
    double f = 0;
    for (const Slot& s : slots) f += baselineSlotFlops(s, convolutional());
    return f;
}

double ModelLayout::baselineFlops() const { return fixedFlops + placeholderFlops(); }

const char* modelNames() { return "resnet, vgg, mlp, resnet18, resnet34, resnext29, densenet121"; }

bool isRealNetwork(const std::string& name) {
    return name == "resnet18" || name == "resnet34" || name == "resnext29" || name == "densenet121";
}

ModelLayout modelLayout(const std::string& name, Instance instance, const DataShape& data) {
    if (name == "resnet" || name == "vgg" || name == "mlp") {
        ModelLayout m = layouts::small(name);
        layouts::assignBindings({&m});
        return m;
    }
    if (!isRealNetwork(name)) throw Error(fmt::format("unknown model '{}': known models are {}", name, modelNames()));
    layouts::Pair p = layouts::network(name, data);
    layouts::assignBindings({&p.training, &p.deployment});
    return instance == Instance::Training ? p.training : p.deployment;
}

PlaceholderSpec placeholderSpec(const std::string& model) { return modelLayout(model).spec; }

std::vector<double> referenceFlopsPerBinding(const std::string& name) {
    std::vector<double> out;
    std::set<int> seen;
    for (Instance inst : {Instance::Training, Instance::Deployment}) {
        const ModelLayout m = modelLayout(name, inst);
        for (const Slot& s : m.slots) {
            if (!seen.insert(s.binding).second) continue;
            if (out.size() <= static_cast<size_t>(s.binding)) out.resize(static_cast<size_t>(s.binding) + 1, 0);
            out[static_cast<size_t>(s.binding)] = ModelLayout::baselineSlotFlops(s, m.convolutional());
        }
    }
    return out;
}

VariableTable placeholderVariables(const PlaceholderSpec& spec) {
    return parseVariables(spec.primaries, spec.coefficients);
}

SizeContext placeholderContext(const ModelLayout& layout, const Operator& op) {
    SizeContext ctx(op.vars(), parseBindings(layout.spec.bindings));
    auto concrete = [&](const std::vector<Size>& shape, int b) {
        std::vector<int64_t> out;
        for (const Size& s : shape) out.push_back(ctx.evalInteger(s, b));
        return out;
    };
    // Every binding of the spec, not only this instance's: one operator serves both instances.
    std::vector<bool> checked(static_cast<size_t>(ctx.bindingCount()), false);
    auto check = [&](const ModelLayout& m) {
        for (const Slot& slot : m.slots) {
            if (checked[static_cast<size_t>(slot.binding)]) continue;
            checked[static_cast<size_t>(slot.binding)] = true;
            std::vector<int64_t> in{1, slot.cin}, out{1, slot.cout};
            if (m.convolutional()) {
                in.insert(in.end(), {slot.size, slot.size});
                out.insert(out.end(), {slot.size, slot.size});
            }
            try {  // every size the operator uses divides (merges, splits, groups), not only its shapes
                realize(op, ctx, slot.binding, PaddingPolicy::Exact);
            } catch (const Error& e) {
                throw Error(fmt::format("the operator does not fit the {} {} placeholder at {}: {}", m.name,
                                        m.instance == Instance::Training ? "training" : "deployment",
                                        ctx.describeBinding(slot.binding), e.message()));
            }
            const auto gotIn = concrete(op.inputShape(), slot.binding);
            const auto gotOut = concrete(op.outputShape(), slot.binding);
            if (gotIn != in || gotOut != out)
                throw Error(fmt::format("the operator maps [{}] -> [{}] at {}, but the {} placeholder needs [{}] -> [{}]",
                                        fmt::join(gotIn, ", "), fmt::join(gotOut, ", "),
                                        ctx.describeBinding(slot.binding), m.name, fmt::join(in, ", "),
                                        fmt::join(out, ", ")));
        }
    };
    check(layout);
    if (layout.real())
        check(modelLayout(layout.name, layout.instance == Instance::Training ? Instance::Deployment : Instance::Training));
    return ctx;
}

}  // namespace syno::evaluation
