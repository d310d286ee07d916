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
        // Padding one size can break another that divided before (H/3 pads 28 to 30, then H/4 no longer
        // divides): repeat until nothing changes. Moduli only grow, so this ends quickly.
        const Binding original = binding;
        for (int round = 0; round < 16; ++round) {
        bool changed = false;
        SizeContext current = ctx.withBindings({binding});
        for (const Size& s : sizes) {
            if (current.eval(s, 0).isInteger()) continue;  // divides already: nothing to pad
            // The coefficient part num/den, and the first primary, which pays for the missing factor.
            __int128 num = 1, den = 1;
            const __int128 limit = static_cast<__int128>(1) << 62;
            int firstPrimary = -1;
            for (int id = 0; id < vars.size(); ++id) {
                int p = s.power(id);
                if (p == 0) continue;
                if (vars.isPrimary(id)) {
                    if (firstPrimary < 0 && p > 0) firstPrimary = id;
                    continue;
                }
                for (int k = 0; k < std::abs(p); ++k) {
                    (p > 0 ? num : den) *= binding[id];
                    if (num > limit || den > limit)
                        throw Error(fmt::format("size {} overflows 64 bits in binding {}", s.toString(vars), b + 1));
                }
            }
            int64_t n64 = static_cast<int64_t>(num), d64 = static_cast<int64_t>(den);
            int64_t missing = d64 / std::gcd(d64, n64);
            if (missing == 1) continue;
            if (firstPrimary < 0)
                throw Error(fmt::format("size {} is not an integer in binding {} and has no primary to pad",
                                        s.toString(vars), b + 1));
            auto& m = modulus[static_cast<size_t>(firstPrimary)];
            int64_t next = std::lcm(m, missing);
            changed |= next != m;
            m = next;
            if (m > (int64_t{1} << 40))
                throw Error(fmt::format("padding {} in binding {} would need a multiple of {}", vars[firstPrimary].name, b + 1, m));
        }
        for (int id = 0; id < vars.size(); ++id) {
            int64_t m = modulus[static_cast<size_t>(id)];
            int64_t v = original[id];
            binding.values[static_cast<size_t>(id)] = (v + m - 1) / m * m;
        }
        if (!changed) break;
        }
        padded.push_back(std::move(binding));
    }
    SizeContext result = ctx.withBindings(std::move(padded));
    for (const Size& s : sizes)
        for (int b = 0; b < result.bindingCount(); ++b) result.evalInteger(s, b);  // throws if still fractional
    return result;
}

}  // namespace syno
