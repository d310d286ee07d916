#pragma once
// Concrete values for the variables: one Binding per layer an operator will replace. Every check
// (integrality, bounds) runs over all bindings at once, because one operator must fit every layer.
#include <cstdint>
#include <string>
#include <vector>

#include "sizes/Size.h"
#include "sizes/Variables.h"

namespace syno {

// An exact rational value num/den with den > 0, in lowest terms.
struct Ratio {
    int64_t num = 1;
    int64_t den = 1;
    bool isInteger() const { return den == 1; }
    double toDouble() const { return static_cast<double>(num) / static_cast<double>(den); }
    std::string toString() const;
};

struct Binding {
    std::vector<int64_t> values;  // indexed by variable id
    int64_t operator[](int id) const { return values.at(static_cast<size_t>(id)); }
    bool operator==(const Binding&) const = default;
};

// Variables plus the bindings they are checked against. A value type: copy it freely.
class SizeContext {
public:
    SizeContext() = default;
    // Fills every binding's missing values from the variables' defaults; throws syno::Error naming the
    // variable and binding when a value is missing or not positive. With no bindings given, one binding
    // is made of the defaults.
    SizeContext(VariableTable vars, std::vector<std::vector<std::pair<std::string, int64_t>>> bindings);

    // The same variables with other concrete bindings (e.g. padded ones); values must be positive.
    SizeContext withBindings(std::vector<Binding> bindings) const;

    const VariableTable& vars() const { return vars_; }
    const std::vector<Binding>& bindings() const { return bindings_; }
    int bindingCount() const { return static_cast<int>(bindings_.size()); }

    Ratio eval(const Size& s, int binding) const;
    // Throws syno::Error when s is not an integer for some binding (names the binding and the value).
    int64_t evalInteger(const Size& s, int binding) const;
    bool isIntegralEverywhere(const Size& s) const;
    double lowerBound(const Size& s) const;
    double upperBound(const Size& s) const;
    // Σ over bindings, used for costs (FLOPs) that add up over the layers an operator replaces.
    double sumOverBindings(const Size& s) const;
    std::string describeBinding(int binding) const;  // "C_in=64, H=56, ..."

private:
    VariableTable vars_;
    std::vector<Binding> bindings_;
};

}  // namespace syno
