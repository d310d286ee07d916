#include "sizes/Size.h"

#include <cstdlib>

#include <fmt/format.h>

#include "base/Error.h"
#include "base/StableHash.h"

namespace syno {

namespace {
int8_t checkedPower(int p) {
    if (p < -100 || p > 100) throw Error(fmt::format("size exponent {} is out of range", p));
    return static_cast<int8_t>(p);
}
}  // namespace

Size Size::variable(int id, int power) {
    if (id < 0 || id >= kMaxVariables) throw Error(fmt::format("variable id {} out of range", id));
    Size s;
    s.powers_[static_cast<size_t>(id)] = checkedPower(power);
    return s;
}

bool Size::isOne() const {
    for (auto p : powers_)
        if (p != 0) return false;
    return true;
}

SizeTrait Size::trait(const VariableTable& vars) const {
    bool hasPrimary = false, negativeCoef = false, any = false;
    for (int i = 0; i < kMaxVariables; ++i) {
        int p = powers_[static_cast<size_t>(i)];
        if (p == 0) continue;
        any = true;
        if (i < vars.size() && vars.isPrimary(i)) {
            if (p < 0) return SizeTrait::NegativePrimary;
            hasPrimary = true;
        } else if (p < 0) {
            negativeCoef = true;
        }
    }
    if (!any) return SizeTrait::One;
    if (hasPrimary) return SizeTrait::General;
    return negativeCoef ? SizeTrait::IllegalCoefficient : SizeTrait::Coefficient;
}

bool Size::isValidDimension(const VariableTable& vars) const {
    auto t = trait(vars);
    return t == SizeTrait::General || t == SizeTrait::Coefficient;
}

Size Size::operator*(const Size& o) const {
    Size r;
    for (size_t i = 0; i < powers_.size(); ++i) r.powers_[i] = checkedPower(powers_[i] + o.powers_[i]);
    return r;
}

Size Size::operator/(const Size& o) const {
    Size r;
    for (size_t i = 0; i < powers_.size(); ++i) r.powers_[i] = checkedPower(powers_[i] - o.powers_[i]);
    return r;
}

Size Size::pow(int e) const {
    Size r;
    for (size_t i = 0; i < powers_.size(); ++i) r.powers_[i] = checkedPower(powers_[i] * e);
    return r;
}

std::string Size::toString(const VariableTable& vars) const {
    std::string num, den;
    auto term = [&](int id, int p) {
        std::string name = id < vars.size() ? vars[id].name : fmt::format("v{}", id);
        return p == 1 ? name : fmt::format("{}^{}", name, p);
    };
    for (int i = 0; i < kMaxVariables; ++i) {
        int p = powers_[static_cast<size_t>(i)];
        if (p > 0) num += (num.empty() ? "" : "*") + term(i, p);
    }
    for (int i = 0; i < kMaxVariables; ++i) {
        int p = powers_[static_cast<size_t>(i)];
        if (p < 0) den += "/" + term(i, -p);
    }
    if (num.empty()) num = "1";
    return num + den;
}

uint64_t Size::stableHash(const VariableTable& vars) const {
    uint64_t h = 0x5157e5a11ULL;
    for (int i = 0; i < kMaxVariables; ++i) {
        int p = powers_[static_cast<size_t>(i)];
        if (p == 0) continue;
        std::string name = i < vars.size() ? vars[i].name : fmt::format("v{}", i);
        h = hashCombine(hashCombine(h, hashString(name)), static_cast<uint64_t>(static_cast<int64_t>(p)));
    }
    return h;
}

int Size::totalPower() const {
    int t = 0;
    for (auto p : powers_) t += std::abs(p);
    return t;
}

int Size::variableCount() const {
    int c = 0;
    for (auto p : powers_) c += p != 0;
    return c;
}

}  // namespace syno
