#pragma once
// A symbolic size: a monomial, a product of integer powers of variables (no sums). Primary variables
// must keep non-negative powers; coefficients may go negative (C_out/g). Sizes are plain values.
#include <array>
#include <cstdint>
#include <string>

#include "sizes/Variables.h"

namespace syno {

// What a size is made of, which decides where it may be used.
enum class SizeTrait : uint8_t {
    One,                 // the constant 1
    Coefficient,         // coefficients only, non-negative powers (k, k^2, g*s)
    IllegalCoefficient,  // coefficients only with a negative power (k/s): cannot be a dimension
    General,             // contains a primary with non-negative powers (C_in/g, H*W)
    NegativePrimary,     // a primary in a denominator: never valid
};

class Size {
public:
    Size() { powers_.fill(0); }
    static Size one() { return Size(); }
    static Size variable(int id, int power = 1);

    int power(int id) const { return powers_.at(static_cast<size_t>(id)); }
    bool isOne() const;
    SizeTrait trait(const VariableTable& vars) const;
    // A size that can be a tensor dimension: has a primary or is a non-trivial coefficient product.
    bool isValidDimension(const VariableTable& vars) const;

    Size operator*(const Size& o) const;
    Size operator/(const Size& o) const;
    Size pow(int e) const;
    bool operator==(const Size&) const = default;
    auto operator<=>(const Size&) const = default;

    // Canonical text: `C_out/g`, `H^2*W`, `k^-1`... numbers for anonymous constants; `1` for one.
    std::string toString(const VariableTable& vars) const;
    // Hash over (variable name, power): independent of the ids a particular table assigns.
    uint64_t stableHash(const VariableTable& vars) const;
    // Sum of |power| over variables, and the number of distinct variables.
    int totalPower() const;
    int variableCount() const;

private:
    std::array<int8_t, kMaxVariables> powers_;
};

}  // namespace syno
