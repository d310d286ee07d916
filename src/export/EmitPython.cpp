#include "export/EmitPython.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/Error.h"
#include "export/Program.h"

namespace syno::exports {

namespace {

using plans::OpKind;

enum class Dialect {
    Python,      // eager PyTorch that also scripts (torch.jit.script)
    TorchScript  // what torch::jit::Module::define compiles from C++
};

// The layout rule's threshold (Execute.cpp): an intermediate on a map of this many positions or more
// runs a dense windowed 2-D convolution channels-last.
constexpr int64_t kNhwcMinPositions = 14 * 14;

std::string listText(const std::vector<SymInt>& v) { return "[" + joinedText(v) + "]"; }
std::string listText(const std::vector<int64_t>& v) { return "[" + joinedText(v) + "]"; }

struct Emitter {
    Dialect dialect;
    std::string indent;  // of a method body

    std::string cl() const { return dialect == Dialect::Python ? "torch.channels_last" : "2"; }
    std::string contiguousFormat() const { return dialect == Dialect::Python ? "torch.contiguous_format" : "0"; }
    std::string longType() const { return dialect == Dialect::Python ? "torch.long" : "4"; }

    // The expression computing one op from its operands' names.
    std::string expression(const SymOp& s, const std::string& a, const std::string& b, bool training, int weights) const {
        const plans::PlanOp& o = s.op;
        switch (o.kind) {
            case OpKind::Pad: {
                std::vector<SymInt> pads;
                for (size_t i = s.shape.size(); i-- > 0;) {
                    pads.push_back(s.shape[i]);
                    pads.push_back(s.ints[i]);
                }
                return fmt::format("torch.constant_pad_nd({}, {}, 0.0)", a, listText(pads));
            }
            case OpKind::Reshape: return fmt::format("{}.reshape({})", a, listText(s.shape));
            case OpKind::Permute: return fmt::format("{}.permute({})", a, listText(s.ints));
            case OpKind::Roll: {
                std::vector<SymInt> shifts = {s.amount}, axes = {s.axis};
                shifts.insert(shifts.end(), s.ints2.begin(), s.ints2.end());
                axes.insert(axes.end(), s.ints.begin(), s.ints.end());
                if (!training && axes.size() > 1)  // one pass over the tensor, as syno's inference rolls
                    return fmt::format("self._roll({}, {}, {})", a, listText(shifts), listText(axes));
                return fmt::format("torch.roll({}, {}, {})", a, listText(shifts), listText(axes));
            }
            case OpKind::Slice: {
                std::string index;
                for (int64_t k = 0; k < constant(s.axis, "axis"); ++k) index += ":, ";
                return fmt::format("{}[{}::{}]", a, index, intText(s.amount));
            }
            case OpKind::Window:
                return fmt::format("self._window({}, {}, {}, {}, {})", a, constant(s.axis, "axis"), intText(s.amount),
                                   intText(s.extent), s.ints.empty() ? "1" : intText(s.ints[0]));
            case OpKind::RepeatOuter:
                return fmt::format("{}.repeat_interleave({}, {})", a, intText(s.amount), constant(s.axis, "axis"));
            case OpKind::RepeatInner:
                return fmt::format("{}.repeat(self._reps({}.dim(), {}, {}))", a, a, constant(s.axis, "axis"),
                                   intText(s.amount));
            case OpKind::Broadcast: return fmt::format("{}.expand({})", a, listText(s.shape));
            case OpKind::Sum:
                if (s.ints.empty()) return a;
                return fmt::format("{}.sum({})", a, listText(s.ints));
            case OpKind::Conv: {
                const int64_t e = constant(s.extent, "convolution rank");
                const std::string ones = e == 1 ? "[1]" : e == 2 ? "[1, 1]" : "[1, 1, 1]";
                if (e == 2 && plans::convPrefersChannelsLast(o, training))
                    return fmt::format("self._conv2d_auto({}, {}, {}, {}, {}, {})", a, b,
                                       o.a > weights ? "True" : "False", listText(s.ints), listText(s.ints2),
                                       intText(s.amount));
                if (e == 2)
                    return fmt::format("torch.conv2d({}.contiguous(), self._cw({}).contiguous(), None, {}, {}, {}, {})", a,
                                       b, ones, listText(s.ints), listText(s.ints2), intText(s.amount));
                return fmt::format("torch.conv{}d({}, self._cw({}), None, {}, {}, {}, {})", e, a, b, ones,
                                   listText(s.ints), listText(s.ints2), intText(s.amount));
            }
            case OpKind::MatMul: return fmt::format("torch.matmul({}, {})", a, b);
            case OpKind::Mul: return fmt::format("{} * {}", a, b);
            case OpKind::Einsum:
                return o.b >= 0 ? fmt::format("torch.einsum(\"{}\", [{}, {}])", o.equation, a, b)
                                : fmt::format("torch.einsum(\"{}\", [{}])", o.equation, a);
            case OpKind::FoldWindow:
                if (dialect == Dialect::Python)  // scatter_add: torch.onnx exports it, index_add with repeated rows not
                    return fmt::format(
                        "torch.zeros([{} + 1, {}.size(1)], dtype={}.dtype, device={}.device).scatter_add(0, "
                        "torch.tensor({}, dtype=torch.long, device={}.device).unsqueeze(1).expand(-1, {}.size(1)), "
                        "{}).narrow(0, 0, {})",
                        intText(s.amount), a, a, a, listText(constants(s.ints, "fold row")), a, a, a, intText(s.amount));
                return fmt::format(
                    "torch.zeros([{} + 1, {}.size(1)], dtype={}.dtype, device={}.device).index_add(0, "
                    "torch.tensor({}, dtype={}, device={}.device), {}).narrow(0, 0, {})",
                    intText(s.amount), a, a, a, listText(constants(s.ints, "fold row")), longType(), a, a, intText(s.amount));
            case OpKind::Scale: return fmt::format("{} * {}", a, floatText(o.scale));
            case OpKind::Crop: {
                std::string out = a;
                for (size_t i = 0; i < s.shape.size(); ++i)
                    out += fmt::format(".narrow({}, {}, {})", i, intText(s.ints[i]), intText(s.shape[i]));
                return out;
            }
            case OpKind::Diagonal:
                return fmt::format("self._diagonal({}, {}, {}, {}, {})", a, constant(s.axis, "axis"),
                                   constant(s.ints[0], "tap axis"), intText(s.ints[1]), intText(s.amount));
            case OpKind::Gather:
            case OpKind::Products:
                throw Error(fmt::format("internal: the export's plan has a fused {} op", plans::opKindName(o.kind)));
        }
        throw Error("internal: unknown plan op");
    }

    std::string ref(const std::string& name) const { return isWeightName(name) ? "self." + name : name; }

    std::string statements(const std::vector<Statement>& list, bool training, int weights) const {
        std::string out;
        for (const Statement& st : list)
            out += fmt::format("{}{} = {}\n", indent, st.var,
                               expression(*st.op, ref(st.a), st.b.empty() ? "" : ref(st.b), training, weights));
        return out;
    }

    std::string trainBody(const Program& p, int weights) const {
        return statements(p.train, true, weights) + fmt::format("{}return {}\n", indent, ref(p.trainResult));
    }

    // `prepare` returns the values the rest reads; `infer` runs the rest from them.
    std::pair<std::string, std::string> inferBodies(const Program& p, int weights) const {
        std::string prepare = statements(p.prepare, false, weights);
        if (p.kept.empty())  // an empty list literal would be typed List[Tensor] only by an annotation
            prepare += fmt::format("{}kept: List[{}] = []\n{}return kept\n", indent,
                                   dialect == Dialect::Python ? "torch.Tensor" : "Tensor", indent);
        else
            prepare += fmt::format("{}return [{}]\n", indent, fmt::join(p.kept, ", "));
        std::string infer;
        for (size_t k = 0; k < p.kept.size(); ++k) infer += fmt::format("{}{} = prep[{}]\n", indent, p.kept[k], k);
        infer += statements(p.infer, false, weights) + fmt::format("{}return {}\n", indent, ref(p.inferResult));
        return {prepare, infer};
    }
};

std::string tensorType(Dialect d) { return d == Dialect::Python ? "torch.Tensor" : "Tensor"; }

// Every method of the module: forward, the dispatch on binding and batch, each variant's bodies, helpers.
std::string methods(const ExportedOperator& e, Dialect d, const std::string& in) {
    const Emitter em{d, in + "    "};
    const std::string T = tensorType(d), i2 = in + "    ", i3 = i2 + "    ", i4 = i3 + "    ";
    const std::string E = "RuntimeError";  // define() resolves it through ScriptModule.cpp's resolver
    std::string out;
    // forward
    out += fmt::format("{}def forward(self, x: {}) -> {}:\n", in, T, T);
    out += fmt::format("{}v = self._variant(x)\n", i2);
    out += fmt::format("{}N = x.size(0)\n", i2);
    out += fmt::format("{}if torch.is_grad_enabled():\n", i2);
    out += fmt::format("{}self._cache = None\n", i3);
    out += fmt::format("{}return self._train(x, N, v)\n", i3);
    out += fmt::format("{}cache = self._cache\n", i2);
    out += fmt::format("{}if cache is not None and self._cache_variant == v and self._fresh():\n", i2);
    out += fmt::format("{}return self._infer(x, N, v, cache)\n", i3);
    out += fmt::format("{}prep = self._prepare(v)\n", i2);
    out += fmt::format("{}self._cache = prep\n", i2);
    out += fmt::format("{}self._cache_variant = v\n", i2);
    if (d == Dialect::Python) {
        out += fmt::format("{}if not torch.jit.is_scripting():\n", i2);
        out += fmt::format("{}self._stamp = self._stamp_now()\n", i3);
    }
    out += fmt::format("{}return self._infer(x, N, v, prep)\n\n", i2);
    // invalidate
    out += fmt::format("{}def invalidate(self) -> None:\n", in);
    out += fmt::format("{}self._cache = None\n\n", i2);
    // _fresh
    out += fmt::format("{}def _fresh(self) -> bool:\n", in);
    if (d == Dialect::Python) {
        out += fmt::format("{}if torch.jit.is_scripting():\n", i2);
        out += fmt::format("{}return True  # scripted: call invalidate() after changing the weights in inference\n", i3);
        out += fmt::format("{}return self._stamp == self._stamp_now()\n\n", i2);
        out += fmt::format("{}@torch.jit.unused\n", in);
        out += fmt::format("{}def _stamp_now(self) -> List[int]:\n", in);
        out += fmt::format("{}stamp: List[int] = []\n", i2);
        out += fmt::format("{}for w in [{}]:\n", i2, [&] {
            std::string ws;
            for (int w = 1; w <= e.weights; ++w) ws += fmt::format("{}self.w{}", w > 1 ? ", " : "", w);
            return ws;
        }());
        out += fmt::format("{}stamp += [w._version, w.data_ptr()]\n", i3);
        out += fmt::format("{}return stamp\n\n", i2);
    } else {
        out += fmt::format("{}return True  # call invalidate() after changing the weights in inference\n\n", i2);
    }
    // _variant: the binding's input shape, then the batch
    std::vector<std::pair<const BatchVariant*, const BatchVariant*>> variants;  // (training, inference), numbered
    out += fmt::format("{}def _variant(self, x: {}) -> int:\n", in, T);
    for (size_t b = 0; b < e.bindings.size(); ++b) {
        const ExportedBinding& x = e.bindings[b];
        out += fmt::format("{}if self.binding == {}:\n", i2, b);
        const size_t rank = x.inputTail.size() + (e.batched ? 1 : 0);
        std::string cond = fmt::format("x.dim() != {}", rank);
        for (size_t k = 0; k < x.inputTail.size(); ++k)
            cond += fmt::format(" or x.size({}) != {}", k + (e.batched ? 1 : 0), x.inputTail[k]);
        std::string shape = e.batched ? "[N" : "[";
        for (size_t k = 0; k < x.inputTail.size(); ++k)
            shape += fmt::format("{}{}", (k || e.batched) ? ", " : "", x.inputTail[k]);
        shape += "]";
        out += fmt::format("{}if {}:\n", i3, cond);
        out += fmt::format("{}raise {}(\"{}({}) takes inputs of shape {}, not \" + str(x.size()))\n", i4, E,
                           e.className, x.text, shape);
        bool general = false;
        for (size_t k = 0; k < x.training.size(); ++k) {
            const int index = static_cast<int>(variants.size());
            variants.push_back({&x.training[k], &x.inference[k]});
            if (x.training[k].batch > 0) {
                out += fmt::format("{}if x.size(0) == {}:\n", i3, x.training[k].batch);
                out += fmt::format("{}return {}\n", i4, index);
            } else {
                out += fmt::format("{}return {}\n", i3, index);
                general = true;
            }
        }
        if (!general)
            out += fmt::format("{}raise {}(\"exported for the batch sizes of its variants only (no plan fits "
                               "every batch: {})\")\n",
                               i3, E, x.generalMissing);
    }
    out += fmt::format("{}raise {}(\"no such binding\")\n\n", i2, E);
    // Dispatch to each variant's bodies.
    auto dispatch = [&](const char* name, const std::string& params, const std::string& args, const std::string& ret) {
        out += fmt::format("{}def {}(self{}, v: int) -> {}:\n", in, name, params, ret);
        for (size_t k = 0; k < variants.size(); ++k) {
            out += fmt::format("{}if v == {}:\n", i2, k);
            out += fmt::format("{}return self.{}_{}({})\n", i3, name, k, args);
        }
        out += fmt::format("{}raise {}(\"no such variant\")\n\n", i2, E);
    };
    const std::string L = d == Dialect::Python ? "List[torch.Tensor]" : "List[Tensor]";
    // The dispatchers take v last, after their own arguments.
    out += fmt::format("{}def _train(self, x: {}, N: int, v: int) -> {}:\n", in, T, T);
    for (size_t k = 0; k < variants.size(); ++k)
        out += fmt::format("{}if v == {}:\n{}return self._train_{}(x, N)\n", i2, k, i3, k);
    out += fmt::format("{}raise {}(\"no such variant\")\n\n", i2, E);
    dispatch("_prepare", "", "", L);
    out += fmt::format("{}def _infer(self, x: {}, N: int, v: int, prep: {}) -> {}:\n", in, T, L, T);
    for (size_t k = 0; k < variants.size(); ++k)
        out += fmt::format("{}if v == {}:\n{}return self._infer_{}(x, N, prep)\n", i2, k, i3, k);
    out += fmt::format("{}raise {}(\"no such variant\")\n\n", i2, E);
    for (size_t k = 0; k < variants.size(); ++k) {
        const auto& [train, infer] = variants[k];
        const std::string batch = train->batch > 0 ? fmt::format("batch {}", train->batch) : "any batch";
        out += fmt::format("{}def _train_{}(self, x: {}, N: int) -> {}:  # {}\n", in, k, T, T, batch);
        const Program program = variantProgram(*train, *infer, e.weights);
        out += em.trainBody(program, e.weights) + "\n";
        auto [prepare, body] = em.inferBodies(program, e.weights);
        out += fmt::format("{}def _prepare_{}(self) -> {}:\n", in, k, L);
        out += prepare + "\n";
        out += fmt::format("{}def _infer_{}(self, x: {}, N: int, prep: {}) -> {}:\n", in, k, T, L, T);
        out += body + "\n";
    }
    // Helpers.
    out += fmt::format(R"({0}def _pads(self, rank: int, axis: int, before: int, after: int) -> List[int]:
{1}pads = [0] * (2 * (rank - axis))
{1}pads[2 * (rank - 1 - axis)] = before
{1}pads[2 * (rank - 1 - axis) + 1] = after
{1}return pads

{0}def _reps(self, rank: int, axis: int, n: int) -> List[int]:
{1}reps = [1] * rank
{1}reps[axis] = n
{1}return reps

{0}def _cw(self, w: {2}) -> {2}:
{1}# A contiguous weight whose strides also read as channels-last would make the convolution run NHWC.
{1}if w.dim() == 4 and w.is_contiguous() and w.is_contiguous(memory_format={3}):
{1}    return w.clone(memory_format={4})
{1}return w

{0}def _conv2d_auto(self, a: {2}, b: {2}, intermediate: bool, padding: List[int], dilation: List[int], groups: int) -> {2}:
{1}# Channels-last when the input already is, or is an intermediate on a large enough map.
{1}b = self._cw(b)
{1}nhwc = a.dim() == 4 and not a.is_contiguous() and a.is_contiguous(memory_format={3})
{1}if a.dim() == 4 and (nhwc or (intermediate and a.size(2) * a.size(3) >= {5})):
{1}    return torch.conv2d(a.contiguous(memory_format={3}), b.contiguous(memory_format={3}), None, [1, 1], padding, dilation, groups)
{1}return torch.conv2d(a.contiguous(), b.contiguous(), None, [1, 1], padding, dilation, groups)

{0}def _roll(self, a: {2}, shifts: List[int], axes: List[int]) -> {2}:
{1}# Each block of the result copied once from its block of the input (torch.roll copies once per axis).
{1}out = torch.empty_like(a, memory_format={4})
{1}for block in range(1 << len(axes)):
{1}    src = a
{1}    dst = out
{1}    empty = False
{1}    for k in range(len(axes)):
{1}        n = a.size(axes[k])
{1}        s0 = ((-shifts[k]) % n + n) % n
{1}        high = ((block >> k) & 1) == 1
{1}        length = s0 if high else n - s0
{1}        if length == 0:
{1}            empty = True
{1}        else:
{1}            src = src.narrow(axes[k], 0 if high else s0, length)
{1}            dst = dst.narrow(axes[k], n - s0 if high else 0, length)
{1}    if not empty:
{1}        dst.copy_(src)
{1}return out

{0}def _diagonal(self, a: {2}, axis: int, tap_axis: int, step: int, amount: int) -> {2}:
{1}# Tap j of axis tap_axis reads its slice shifted by j * step - amount along axis, zero outside.
{1}n = a.size(axis)
{1}ax = axis - 1 if axis > tap_axis else axis
{1}out = torch.empty_like(a)
{1}for j in range(a.size(tap_axis)):
{1}    shift = j * step - amount
{1}    length = max(0, n - abs(shift))
{1}    dst = out.select(tap_axis, j)
{1}    src = a.select(tap_axis, j)
{1}    if length > 0:
{1}        dst.narrow(ax, max(0, -shift), length).copy_(src.narrow(ax, max(0, shift), length))
{1}    if length < n:
{1}        dst.narrow(ax, length if shift > 0 else 0, n - length).zero_()
{1}return out

)",
                       in, i2, T, em.cl(), em.contiguousFormat(), kNhwcMinPositions);
    if (d == Dialect::Python)
        // Shifted slices stacked: the same values as an unfold, and it exports to ONNX, where unfold does not.
        out += fmt::format(R"({0}def _window(self, a: {2}, axis: int, pad: int, extent: int, dilation: int) -> {2}:
{1}p = torch.constant_pad_nd(a, self._pads(a.dim(), axis, pad, pad), 0.0)
{1}n = p.size(axis) - extent + 1
{1}return torch.stack([p.narrow(axis, j, n) for j in range(0, extent, dilation)], axis + 1)
)",
                           in, i2, T);
    else
        out += fmt::format(R"({0}def _window(self, a: {2}, axis: int, pad: int, extent: int, dilation: int) -> {2}:
{1}p = torch.constant_pad_nd(a, self._pads(a.dim(), axis, pad, pad), 0.0)
{1}w = p.unfold(axis, extent, 1)
{1}if dilation > 1:
{1}    w = w.slice(-1, 0, extent, dilation)
{1}return w.movedim(-1, axis + 1)
)",
                           in, i2, T);
    return out;
}

std::string indented(const std::string& text, const std::string& in) {
    std::string out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string line = text.substr(start, end - start);
        out += line.empty() ? "\n" : in + line + "\n";
        start = end + 1;
    }
    return out;
}

}  // namespace

std::string emitPythonModule(const ExportedOperator& e, const std::string& synoVersion) {
    std::string sizesDoc, layers, shapes, stds;
    for (size_t b = 0; b < e.bindings.size(); ++b) {
        const ExportedBinding& x = e.bindings[b];
        sizesDoc += fmt::format("    {}({})\n", e.className, x.text);
        layers += fmt::format("{}({}{})", b ? ", " : "", [&] {
            std::string t;
            for (size_t k = 0; k < x.sizes.size(); ++k) t += fmt::format("{}{}", k ? ", " : "", x.sizes[k]);
            return t;
        }(), x.sizes.size() == 1 ? "," : "");
        std::string ws;
        for (size_t w = 0; w < x.weightShapes.size(); ++w) ws += (w ? ", " : "") + listText(x.weightShapes[w]);
        shapes += fmt::format("{}[{}]", b ? ", " : "", ws);
        std::string sd;
        for (size_t w = 0; w < x.initStd.size(); ++w) sd += (w ? ", " : "") + floatText(x.initStd[w]);
        stds += fmt::format("{}[{}]", b ? ", " : "", sd);
    }
    std::string dicts;
    for (size_t b = 0; b < e.bindings.size(); ++b) {
        dicts += b ? ", {" : "{";
        for (size_t k = 0; k < e.sizeNames.size(); ++k)
            dicts += fmt::format("{}\"{}\": {}", k ? ", " : "", e.sizeNames[k], e.bindings[b].sizes[k]);
        dicts += "}";
    }
    std::string batches;
    if (!e.bindings.empty())
        for (const auto& v : e.bindings[0].training)
            if (v.batch > 0) batches += fmt::format("{}{}", batches.empty() ? "" : ", ", v.batch);
    std::string args, tuple;
    for (size_t k = 0; k < e.sizeNames.size(); ++k) {
        args += fmt::format("{}: int, ", e.sizeNames[k]);
        tuple += fmt::format("{}{}", k ? ", " : "", e.sizeNames[k]);
    }
    if (e.sizeNames.size() == 1) tuple += ",";
    std::string out = fmt::format(R"("""{0}: an operator synthesized by syno {1}, as plain PyTorch (no syno import).

One class serves every layer it was exported for:
{2}
Batch sizes {3} run plans of their own; any other batch runs the general plan (when one fits). Without
autograd, the ops on the weights alone run once and are kept until the weights change (checked by tensor
version; a scripted module cannot check: call invalidate() after changing its weights in inference).
Weights are w1, w2, ... as in syno; reset_parameters(seed) draws syno's initialisation for that seed.

Operator {4}:
{5}
Loop nest (forward):
{6}"""
from typing import List, Optional

import torch

# The layers this class was exported for: {0}(**LAYERS[i]).
LAYERS = [{12}]


class {0}(torch.nn.Module):
    _cache: Optional[List[torch.Tensor]]
    _stamp: List[int]

    def __init__(self, {7}seed: int = 1):
        super().__init__()
        layers = [{8}]
        sizes = ({9})
        if sizes not in layers:
            raise ValueError("{0} was exported for the layers listed in its docstring, not " + str(sizes))
        self.binding = layers.index(sizes)
        shapes = [{10}][self.binding]
        self._std = [{11}][self.binding]
)",
                                  e.className, synoVersion, sizesDoc, batches.empty() ? "(none)" : batches, e.idHex,
                                  indented(e.text, "    "), indented(e.loops, "    "), args, layers, tuple, shapes, stds,
                                  dicts);
    for (int w = 1; w <= e.weights; ++w)
        out += fmt::format("        self.w{} = torch.nn.Parameter(torch.empty(shapes[{}]))\n", w, w - 1);
    out += R"(        self._cache = None
        self._cache_variant = -1
        self._stamp = []
        self.reset_parameters(seed)

    @torch.jit.unused
    def reset_parameters(self, seed: int = 1) -> None:
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
)";
    for (int w = 1; w <= e.weights; ++w)
        out += fmt::format("            self.w{0}.copy_(torch.randn(self.w{0}.shape, generator=g) * self._std[{1}])\n", w,
                           w - 1);
    if (e.weights == 0) out += "            pass\n";
    out += "        self._cache = None\n\n";
    out += methods(e, Dialect::Python, "    ");
    return out;
}

std::string emitScriptMethods(const ExportedOperator& e) { return methods(e, Dialect::TorchScript, ""); }

}  // namespace syno::exports
