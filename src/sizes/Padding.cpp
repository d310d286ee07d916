#include "sizes/Padding.h"

#include <numeric>

#include <fmt/format.h>

#include "base/Error.h"

namespace syno {

SizeContext padToDivide(const SizeContext& ctx, const std::vector<Size>& sizes) {
    const VariableTable& vars = ctx.vars();
    std::vector<Binding> padded;
    for (int b = 0; b < ctx.bindingCount(); ++b) {
        Binding binding = ctx.bindings()[static_cast<size_t>(b)];
        std::vector<int64_t> modulus(static_cast<size_t>(vars.size()), 1);
        for (const Size& s : sizes) {
            // Split s into its coefficient part num/den and its primaries.
            int64_t num = 1, den = 1;
            int firstPrimary = -1;
            for (int id = 0; id < vars.size(); ++id) {
                int p = s.power(id);
                if (p == 0) continue;
                if (vars.isPrimary(id)) {
                    if (firstPrimary < 0 && p > 0) firstPrimary = id;
                    continue;
                }
                for (int k = 0; k < std::abs(p); ++k) (p > 0 ? num : den) *= binding[id];
            }
            int64_t missing = den / std::gcd(den, num);
            if (missing == 1) continue;
            if (firstPrimary < 0)
                throw Error(fmt::format("size {} is not an integer in binding {} and has no primary to pad",
                                        s.toString(vars), b + 1));
            auto& m = modulus[static_cast<size_t>(firstPrimary)];
            m = std::lcm(m, missing);
        }
        for (int id = 0; id < vars.size(); ++id) {
            int64_t m = modulus[static_cast<size_t>(id)];
            auto& v = binding.values[static_cast<size_t>(id)];
            v = (v + m - 1) / m * m;
        }
        padded.push_back(std::move(binding));
    }
    SizeContext result = ctx.withBindings(std::move(padded));
    for (const Size& s : sizes)
        for (int b = 0; b < result.bindingCount(); ++b) result.evalInteger(s, b);  // throws if still fractional
    return result;
}

}  // namespace syno
