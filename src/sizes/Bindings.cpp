#include "sizes/Bindings.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno {

std::string Ratio::toString() const {
    return den == 1 ? fmt::format("{}", num) : fmt::format("{}/{}", num, den);
}

SizeContext::SizeContext(VariableTable vars,
                         std::vector<std::vector<std::pair<std::string, int64_t>>> bindings)
    : vars_(std::move(vars)) {
    if (bindings.empty()) bindings.emplace_back();
    for (size_t b = 0; b < bindings.size(); ++b) {
        Binding binding;
        binding.values.assign(static_cast<size_t>(vars_.size()), 0);
        std::vector<bool> given(static_cast<size_t>(vars_.size()), false);
        for (const auto& [name, value] : bindings[b]) {
            auto id = vars_.find(name);
            if (!id) throw Error(fmt::format("binding {} sets unknown variable '{}'", b + 1, name));
            if (given[static_cast<size_t>(*id)])
                throw Error(fmt::format("binding {} sets '{}' twice", b + 1, name));
            if (value <= 0)
                throw Error(fmt::format("binding {} sets {}={}: sizes must be positive", b + 1, name, value));
            given[static_cast<size_t>(*id)] = true;
            binding.values[static_cast<size_t>(*id)] = value;
        }
        for (int id = 0; id < vars_.size(); ++id) {
            if (given[static_cast<size_t>(id)]) continue;
            if (!vars_[id].value)
                throw Error(fmt::format("variable '{}' has no value in binding {} (give it in the spec as {}=VALUE "
                                        "or in --bindings)",
                                        vars_[id].name, b + 1, vars_[id].name));
            binding.values[static_cast<size_t>(id)] = *vars_[id].value;
        }
        bindings_.push_back(std::move(binding));
    }
}

SizeContext SizeContext::withBindings(std::vector<Binding> bindings) const {
    for (const auto& b : bindings) {
        if (b.values.size() != static_cast<size_t>(vars_.size())) throw Error("binding has the wrong number of values");
        for (auto v : b.values)
            if (v <= 0) throw Error("binding values must be positive");
    }
    SizeContext copy;
    copy.vars_ = vars_;
    copy.bindings_ = std::move(bindings);
    return copy;
}

Ratio SizeContext::eval(const Size& s, int b) const {
    const Binding& binding = bindings_.at(static_cast<size_t>(b));
    __int128 num = 1, den = 1;
    const __int128 limit = static_cast<__int128>(std::numeric_limits<int64_t>::max());
    for (int id = 0; id < vars_.size(); ++id) {
        int p = s.power(id);
        for (int k = 0; k < std::abs(p); ++k) {
            (p > 0 ? num : den) *= binding[id];
            if (num > limit || den > limit)
                throw Error(fmt::format("size {} overflows 64 bits in binding {}", s.toString(vars_), b + 1));
        }
    }
    auto g = std::gcd(static_cast<int64_t>(num), static_cast<int64_t>(den));
    return Ratio{static_cast<int64_t>(num) / g, static_cast<int64_t>(den) / g};
}

int64_t SizeContext::evalInteger(const Size& s, int b) const {
    Ratio r = eval(s, b);
    if (!r.isInteger())
        throw Error(fmt::format("size {} = {} is not an integer in binding {} ({})", s.toString(vars_),
                                r.toString(), b + 1, describeBinding(b)));
    return r.num;
}

bool SizeContext::isIntegralEverywhere(const Size& s) const {
    for (int b = 0; b < bindingCount(); ++b)
        if (!eval(s, b).isInteger()) return false;
    return true;
}

double SizeContext::lowerBound(const Size& s) const {
    double lo = std::numeric_limits<double>::infinity();
    for (int b = 0; b < bindingCount(); ++b) lo = std::min(lo, eval(s, b).toDouble());
    return lo;
}

double SizeContext::upperBound(const Size& s) const {
    double hi = 0;
    for (int b = 0; b < bindingCount(); ++b) hi = std::max(hi, eval(s, b).toDouble());
    return hi;
}

double SizeContext::sumOverBindings(const Size& s) const {
    double sum = 0;
    for (int b = 0; b < bindingCount(); ++b) sum += eval(s, b).toDouble();
    return sum;
}

std::string SizeContext::describeBinding(int b) const {
    std::string out;
    for (int id = 0; id < vars_.size(); ++id)
        out += fmt::format("{}{}={}", out.empty() ? "" : ", ", vars_[id].name, bindings_.at(static_cast<size_t>(b))[id]);
    return out;
}

}  // namespace syno
