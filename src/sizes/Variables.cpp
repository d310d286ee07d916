#include "sizes/Variables.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno {

VariableTable::VariableTable(std::vector<Variable> variables) : vars_(std::move(variables)) {
    std::stable_sort(vars_.begin(), vars_.end(), [](const Variable& a, const Variable& b) {
        if (a.kind != b.kind) return a.kind == VarKind::Primary;
        return a.name < b.name;
    });
    std::set<std::string> seen;
    for (const auto& v : vars_) {
        if (v.name.empty()) throw Error("variable with an empty name");
        if (!seen.insert(v.name).second) throw Error(fmt::format("variable '{}' is declared twice", v.name));
        if (v.value && *v.value <= 0)
            throw Error(fmt::format("variable '{}' has value {}: sizes must be positive", v.name, *v.value));
        if (v.maxOccurrences < 0)
            throw Error(fmt::format("variable '{}' has a negative maximum occurrence count", v.name));
    }
    if (vars_.size() > static_cast<size_t>(kMaxVariables))
        throw Error(fmt::format("{} variables declared; at most {} are supported", vars_.size(), kMaxVariables));
}

std::optional<int> VariableTable::find(const std::string& name) const {
    for (size_t i = 0; i < vars_.size(); ++i)
        if (vars_[i].name == name) return static_cast<int>(i);
    return std::nullopt;
}

int VariableTable::require(const std::string& name) const {
    if (auto id = find(name)) return *id;
    throw Error(fmt::format("unknown variable '{}'", name));
}

VariableTable VariableTable::with(Variable v) const {
    auto copy = vars_;
    copy.push_back(std::move(v));
    return VariableTable(std::move(copy));
}

}  // namespace syno
