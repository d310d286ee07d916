#pragma once
// The variables sizes are made of. Primary variables are large (channels, spatial extents) and may never
// appear in a denominator; coefficient variables are small (kernel 3, stride 2, groups 32) and may.
// Ids are assigned by sorting: primaries first, then coefficients, each alphabetically, so the same
// declarations in any order give the same ids (and the same operator ids downstream).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace syno {

enum class VarKind : uint8_t { Primary, Coefficient };

struct Variable {
    std::string name;
    VarKind kind = VarKind::Primary;
    int maxOccurrences = 3;              // how often the variable may appear in one operator (synthesis budget)
    std::optional<int64_t> value;        // default value, used by every binding that does not override it
    bool operator==(const Variable&) const = default;
};

inline constexpr int kMaxVariables = 16;

class VariableTable {
public:
    VariableTable() = default;
    // Sorts and validates (unique names, at most kMaxVariables); throws syno::Error otherwise.
    explicit VariableTable(std::vector<Variable> variables);

    int size() const { return static_cast<int>(vars_.size()); }
    const Variable& operator[](int id) const { return vars_.at(static_cast<size_t>(id)); }
    const std::vector<Variable>& all() const { return vars_; }
    std::optional<int> find(const std::string& name) const;
    // Throws syno::Error naming the variable when it is not declared.
    int require(const std::string& name) const;
    bool isPrimary(int id) const { return vars_.at(static_cast<size_t>(id)).kind == VarKind::Primary; }

    // A copy with one more variable (used for anonymous constants met in shapes).
    VariableTable with(Variable v) const;

    bool operator==(const VariableTable&) const = default;

private:
    std::vector<Variable> vars_;
};

}  // namespace syno
