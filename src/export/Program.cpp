#include "export/Program.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno::exports {

bool isWeightName(const std::string& name) { return name.size() > 1 && name[0] == 'w'; }

std::string intText(const SymInt& s) {
    if (s.power == 0) return fmt::format("{}", s.coef);
    const std::string n = s.power == 1 ? "N" : "N * N";
    return s.coef == 1 ? n : fmt::format("{} * {}", s.coef, n);
}

std::string joinedText(const std::vector<SymInt>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + intText(v[i]);
    return out;
}

std::string joinedText(const std::vector<int64_t>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) out += fmt::format("{}{}", i ? ", " : "", v[i]);
    return out;
}

std::string floatText(double x) {
    std::string s = fmt::format("{:.17g}", x);
    if (s.find_first_of(".en") == std::string::npos) s += ".0";
    return s;
}

int64_t constant(const SymInt& s, const char* what) {
    if (s.power != 0) throw Error(fmt::format("internal: a plan's {} scales with the batch", what));
    return s.coef;
}

std::vector<int64_t> constants(const std::vector<SymInt>& v, const char* what) {
    std::vector<int64_t> out;
    for (const auto& s : v) out.push_back(constant(s, what));
    return out;
}

Program variantProgram(const BatchVariant& train, const BatchVariant& infer, int weights) {
    Program p;
    auto initial = [weights] {
        std::map<int, std::string> name{{0, "x"}};
        for (int w = 1; w <= weights; ++w) name[w] = fmt::format("w{}", w);
        return name;
    };
    std::map<int, std::string> name = initial();
    for (size_t i = 0; i < train.ops.size(); ++i) {
        const SymOp& s = train.ops[i];
        p.train.push_back({fmt::format("t{}", i), &s, name.at(s.op.a), s.op.b >= 0 ? name.at(s.op.b) : ""});
        name[s.op.dst] = p.train.back().var;
    }
    p.trainResult = name.at(train.plan.resultSlot);

    // Inference: a data op that reads a value computed from the weights alone takes it from prepare's
    // list (as PlanModule keeps the operands of its prepared weights); the weights themselves it reads
    // directly.
    name = initial();
    std::map<int, bool> onWeights;
    for (int w = 1; w <= weights; ++w) onWeights[w] = true;
    auto use = [&](int slot) {
        const std::string& n = name.at(slot);
        if (onWeights[slot] && !isWeightName(n) && std::find(p.kept.begin(), p.kept.end(), n) == p.kept.end())
            p.kept.push_back(n);
        return n;
    };
    for (size_t i = 0; i < infer.ops.size(); ++i) {
        const SymOp& s = infer.ops[i];
        const std::string var = fmt::format("t{}", i);
        if (s.op.weightOnly) {
            p.prepare.push_back({var, &s, name.at(s.op.a), s.op.b >= 0 ? name.at(s.op.b) : ""});
        } else {
            const std::string a = use(s.op.a), b = s.op.b >= 0 ? use(s.op.b) : "";
            p.infer.push_back({var, &s, a, b});
        }
        name[s.op.dst] = var;
        onWeights[s.op.dst] = s.op.weightOnly;
    }
    p.inferResult = name.at(infer.plan.resultSlot);
    return p;
}

}  // namespace syno::exports
