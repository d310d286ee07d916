#include "export/EmitCpp.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/Error.h"
#include "export/Program.h"

namespace syno::exports {

namespace {

using plans::OpKind;

// The layout rule's threshold, as in Execute.cpp and the Python export.
constexpr int64_t kNhwcMinPositions = 14 * 14;

std::string vec(const std::vector<SymInt>& v) { return "std::vector<int64_t>{" + joinedText(v) + "}"; }
std::string vec(const std::vector<int64_t>& v) { return "std::vector<int64_t>{" + joinedText(v) + "}"; }

// The libtorch call for one op (Execute.cpp's, without its speed paths that give the same values).
std::string expression(const SymOp& s, const std::string& a, const std::string& b, bool training, int weights) {
    const plans::PlanOp& o = s.op;
    switch (o.kind) {
        case OpKind::Pad: {
            std::vector<SymInt> pads;
            for (size_t i = s.shape.size(); i-- > 0;) {
                pads.push_back(s.shape[i]);
                pads.push_back(s.ints[i]);
            }
            return fmt::format("torch::constant_pad_nd({}, {}, 0)", a, vec(pads));
        }
        case OpKind::Reshape: return fmt::format("{}.reshape({})", a, vec(s.shape));
        case OpKind::Permute: return fmt::format("{}.permute({})", a, vec(s.ints));
        case OpKind::Roll: {
            std::vector<SymInt> shifts = {s.amount}, axes = {s.axis};
            shifts.insert(shifts.end(), s.ints2.begin(), s.ints2.end());
            axes.insert(axes.end(), s.ints.begin(), s.ints.end());
            if (!training && axes.size() > 1)  // one pass over the tensor, as syno's inference rolls
                return fmt::format("rollOnce({}, {}, {})", a, vec(shifts), vec(axes));
            return fmt::format("torch::roll({}, {}, {})", a, vec(shifts), vec(axes));
        }
        case OpKind::Slice: {
            const int64_t axis = constant(s.axis, "axis");
            return fmt::format("{}.slice({}, 0, {}.size({}), {})", a, axis, a, axis, intText(s.amount));
        }
        case OpKind::Window:
            return fmt::format("window({}, {}, {}, {}, {})", a, constant(s.axis, "axis"), intText(s.amount),
                               intText(s.extent), s.ints.empty() ? "1" : intText(s.ints[0]));
        case OpKind::RepeatOuter:
            return fmt::format("{}.repeat_interleave({}, {})", a, intText(s.amount), constant(s.axis, "axis"));
        case OpKind::RepeatInner:
            return fmt::format("{}.repeat(reps({}.dim(), {}, {}))", a, a, constant(s.axis, "axis"), intText(s.amount));
        case OpKind::Broadcast: return fmt::format("{}.expand({})", a, vec(s.shape));
        case OpKind::Sum:
            if (s.ints.empty()) return a;
            return fmt::format("{}.sum({})", a, vec(s.ints));
        case OpKind::Conv: {
            const int64_t e = constant(s.extent, "convolution rank");
            if (e == 2 && plans::convPrefersChannelsLast(o, training))
                return fmt::format("conv2dAuto({}, {}, {}, {}, {}, {})", a, b, o.a > weights ? "true" : "false",
                                   vec(s.ints), vec(s.ints2), intText(s.amount));
            if (e == 2)
                return fmt::format("torch::conv2d({}.contiguous(), canonicalWeight({}).contiguous(), {{}}, 1, {}, {}, {})",
                                   a, b, vec(s.ints), vec(s.ints2), intText(s.amount));
            return fmt::format("torch::conv{}d({}, canonicalWeight({}), {{}}, 1, {}, {}, {})", e, a, b, vec(s.ints),
                               vec(s.ints2), intText(s.amount));
        }
        case OpKind::MatMul: return fmt::format("torch::matmul({}, {})", a, b);
        case OpKind::Mul: return fmt::format("{} * {}", a, b);
        case OpKind::Einsum:
            return o.b >= 0 ? fmt::format("torch::einsum(\"{}\", {{{}, {}}})", o.equation, a, b)
                            : fmt::format("torch::einsum(\"{}\", {{{}}})", o.equation, a);
        case OpKind::FoldWindow:
            return fmt::format("torch::zeros({{{} + 1, {}.size(1)}}, {}.options()).index_add(0, indexList({}), {}).narrow(0, 0, {})",
                               intText(s.amount), a, a, vec(constants(s.ints, "fold row")), a, intText(s.amount));
        case OpKind::Scale: return fmt::format("{} * {}", a, floatText(o.scale));
        case OpKind::Crop: {
            std::string out = a;
            for (size_t i = 0; i < s.shape.size(); ++i)
                out += fmt::format(".narrow({}, {}, {})", i, intText(s.ints[i]), intText(s.shape[i]));
            return out;
        }
        case OpKind::Diagonal:
            return fmt::format("diagonal({}, {}, {}, {}, {})", a, constant(s.axis, "axis"), constant(s.ints[0], "tap axis"),
                               intText(s.ints[1]), intText(s.amount));
        case OpKind::Gather:
        case OpKind::Products:
            throw Error(fmt::format("internal: the export's plan has a fused {} op", plans::opKindName(o.kind)));
    }
    throw Error("internal: unknown plan op");
}

std::string ref(const std::string& name) {
    return isWeightName(name) ? fmt::format("w[{}]", std::stoi(name.substr(1)) - 1) : name;
}

std::string statements(const std::vector<Statement>& list, bool training, int weights) {
    std::string out;
    for (const Statement& st : list)
        out += fmt::format("    const torch::Tensor {} = {};\n", st.var,
                           expression(*st.op, ref(st.a), st.b.empty() ? "" : ref(st.b), training, weights));
    return out;
}

// The helpers the programs call, as in Execute.cpp.
constexpr const char* kHelpers = R"(std::vector<int64_t> reps(int64_t rank, int64_t axis, int64_t n) {
    std::vector<int64_t> r(static_cast<size_t>(rank), 1);
    r[static_cast<size_t>(axis)] = n;
    return r;
}

std::vector<int64_t> pads(int64_t rank, int64_t axis, int64_t before, int64_t after) {
    std::vector<int64_t> p(static_cast<size_t>(2 * (rank - axis)), 0);
    p[static_cast<size_t>(2 * (rank - 1 - axis))] = before;
    p[static_cast<size_t>(2 * (rank - 1 - axis) + 1)] = after;
    return p;
}

torch::Tensor indexList(const std::vector<int64_t>& v) { return torch::tensor(v, torch::kLong); }

// A contiguous weight whose strides also read as channels-last would make the convolution run NHWC.
torch::Tensor canonicalWeight(const torch::Tensor& w) {
    return w.is_contiguous() && w.suggest_memory_format() == torch::MemoryFormat::ChannelsLast
               ? w.clone(torch::MemoryFormat::Contiguous)
               : w;
}

// Channels-last when the input already is, or is an intermediate on a large enough map.
torch::Tensor conv2dAuto(const torch::Tensor& a, const torch::Tensor& weight, bool intermediate,
                         const std::vector<int64_t>& padding, const std::vector<int64_t>& dilation, int64_t groups) {
    const torch::Tensor b = canonicalWeight(weight);
    const bool nhwc = a.dim() == 4 && !a.is_contiguous() && a.is_contiguous(torch::MemoryFormat::ChannelsLast);
    const bool cl = a.dim() == 4 && (nhwc || (intermediate && a.size(2) * a.size(3) >= NHWC_MIN_POSITIONS));
    const auto format = cl ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
    return torch::conv2d(a.contiguous(format), b.contiguous(format), {}, 1, padding, dilation, groups);
}

// A zero-padded sliding window of `extent` positions (every `dilation`-th kept), as a new axis after `axis`.
torch::Tensor window(const torch::Tensor& a, int64_t axis, int64_t pad, int64_t extent, int64_t dilation) {
    torch::Tensor w = torch::constant_pad_nd(a, pads(a.dim(), axis, pad, pad), 0).unfold(axis, extent, 1);
    if (dilation > 1) w = w.slice(-1, 0, extent, dilation);
    return w.movedim(-1, axis + 1);
}

// Each block of the result copied once from its block of the input (torch::roll copies once per axis).
torch::Tensor rollOnce(const torch::Tensor& a, const std::vector<int64_t>& shifts, const std::vector<int64_t>& axes) {
    torch::Tensor out = torch::empty(a.sizes(), a.options().memory_format(torch::MemoryFormat::Contiguous));
    for (size_t block = 0; block < (size_t{1} << axes.size()); ++block) {
        torch::Tensor src = a, dst = out;
        bool empty = false;
        for (size_t k = 0; k < axes.size(); ++k) {
            const int64_t n = a.size(axes[k]), s0 = ((-shifts[k]) % n + n) % n;
            const bool high = (block >> k) & 1u;
            const int64_t len = high ? s0 : n - s0;
            if (len == 0) {
                empty = true;
                break;
            }
            src = src.narrow(axes[k], high ? 0 : s0, len);
            dst = dst.narrow(axes[k], high ? n - s0 : 0, len);
        }
        if (!empty) dst.copy_(src);
    }
    return out;
}

// Tap j of tapAxis reads its slice shifted by j * step - amount along axis, zero outside.
torch::Tensor diagonal(const torch::Tensor& a, int64_t axis, int64_t tapAxis, int64_t step, int64_t amount) {
    const int64_t n = a.size(axis), ax = axis > tapAxis ? axis - 1 : axis;
    torch::Tensor out = torch::empty_like(a);
    for (int64_t j = 0; j < a.size(tapAxis); ++j) {
        const int64_t shift = j * step - amount, len = std::max<int64_t>(0, n - std::abs(shift));
        torch::Tensor dst = out.select(tapAxis, j), src = a.select(tapAxis, j);
        if (len > 0) dst.narrow(ax, std::max<int64_t>(0, -shift), len).copy_(src.narrow(ax, std::max<int64_t>(0, shift), len));
        if (len < n) dst.narrow(ax, shift > 0 ? len : 0, n - len).zero_();
    }
    return out;
}
)";

}  // namespace

CppSource emitCppModule(const ExportedOperator& e, const std::string& synoVersion, const std::string& headerName) {
    const std::string& C = e.className;
    std::string doc;
    for (const auto& b : e.bindings) doc += fmt::format("//   {}({})\n", C, b.text);
    std::string text;
    for (size_t start = 0; start < e.text.size();) {
        size_t end = e.text.find('\n', start);
        if (end == std::string::npos) end = e.text.size();
        text += "//   " + e.text.substr(start, end - start) + "\n";
        start = end + 1;
    }
    std::string args;
    for (const auto& n : e.sizeNames) args += fmt::format("int64_t {}, ", n);
    CppSource out;
    out.header = fmt::format(R"(#pragma once
// {0}: an operator synthesized by syno {1}, as libtorch C++ (no syno dependency).
// One class serves every layer it was exported for:
{2}// The weights are w1, w2, ... as in syno, drawn as syno draws them for the seed. Without autograd, the
// ops on the weights alone run once and are kept until the weights change (tensor version).
//
// Operator {3}:
{4}#include <torch/torch.h>

#include <cstdint>
#include <vector>

class {0}Impl : public torch::nn::Module {{
public:
    // Throws std::invalid_argument for sizes it was not exported for.
    {0}Impl({5}uint64_t seed = 1);
    torch::Tensor forward(const torch::Tensor& x);
    void reset_parameters(uint64_t seed);
    void invalidate() {{ cache_.clear(); }}
    const std::vector<torch::Tensor>& weights() const {{ return w_; }}

private:
    int variant(const torch::Tensor& x) const;
    std::vector<int64_t> stamp() const;
    int binding_ = 0;
    std::vector<torch::Tensor> w_;
    std::vector<double> std_;
    std::vector<torch::Tensor> cache_;
    int cacheVariant_ = -1;
    std::vector<int64_t> stamp_;
}};
TORCH_MODULE({0});
)",
                             C, synoVersion, doc, e.idHex, text, args);

    // The source: helpers and programs in a namespace of the class's own (several exports may share a
    // translation unit), then the class.
    std::string src = fmt::format("// {0}: exported by syno {1} (see {2}).\n#include \"{2}\"\n\n#include <algorithm>\n"
                                  "#include <cstdlib>\n#include <stdexcept>\n#include <string>\n\nnamespace {0}_detail {{\n\n",
                                  C, synoVersion, headerName);
    std::string helpers = kHelpers;
    helpers.replace(helpers.find("NHWC_MIN_POSITIONS"), 18, std::to_string(kNhwcMinPositions));
    src += helpers;
    int index = 0;
    std::string variantFn = "int variantOf(int binding, const torch::Tensor& x) {\n";
    for (size_t b = 0; b < e.bindings.size(); ++b) {
        const ExportedBinding& x = e.bindings[b];
        const size_t rank = x.inputTail.size() + (e.batched ? 1 : 0);
        std::string cond = fmt::format("x.dim() != {}", rank);
        for (size_t k = 0; k < x.inputTail.size(); ++k)
            cond += fmt::format(" || x.size({}) != {}", k + (e.batched ? 1 : 0), x.inputTail[k]);
        variantFn += fmt::format("    if (binding == {}) {{\n        if ({})\n            throw std::invalid_argument(\"{}({}) "
                                 "takes inputs of shape [{}{}]\");\n",
                                 b, cond, C, x.text, e.batched ? "N, " : "", joinedText(x.inputTail));
        bool general = false;
        for (size_t k = 0; k < x.training.size(); ++k) {
            const Program p = variantProgram(x.training[k], x.inference[k], e.weights);
            const std::string batch = x.training[k].batch > 0 ? fmt::format("batch {}", x.training[k].batch) : "any batch";
            src += fmt::format("\n// {}({}), {}\n", C, x.text, batch);
            src += fmt::format("torch::Tensor train{}(const std::vector<torch::Tensor>& w, const torch::Tensor& x, "
                               "int64_t N) {{\n    (void)w;\n    (void)N;\n",
                               index);
            src += statements(p.train, true, e.weights) + fmt::format("    return {};\n}}\n\n", ref(p.trainResult));
            src += fmt::format("std::vector<torch::Tensor> prepare{}(const std::vector<torch::Tensor>& w) {{\n    (void)w;\n", index);
            std::vector<std::string> kept;
            for (const auto& k2 : p.kept) kept.push_back(k2);
            src += statements(p.prepare, false, e.weights) +
                   fmt::format("    return std::vector<torch::Tensor>{{{}}};\n}}\n\n", fmt::join(kept, ", "));
            src += fmt::format("torch::Tensor infer{}(const std::vector<torch::Tensor>& w, const torch::Tensor& x, "
                               "int64_t N, const std::vector<torch::Tensor>& prep) {{\n    (void)w;\n    (void)N;\n    (void)prep;\n",
                               index);
            for (size_t k2 = 0; k2 < p.kept.size(); ++k2)
                src += fmt::format("    const torch::Tensor& {} = prep[{}];\n", p.kept[k2], k2);
            src += statements(p.infer, false, e.weights) + fmt::format("    return {};\n}}\n", ref(p.inferResult));
            if (x.training[k].batch > 0)
                variantFn += fmt::format("        if (x.size(0) == {}) return {};\n", x.training[k].batch, index);
            else {
                variantFn += fmt::format("        return {};\n", index);
                general = true;
            }
            ++index;
        }
        if (!general)
            variantFn += fmt::format("        throw std::invalid_argument(\"exported for the batch sizes of its "
                                     "variants only (no plan fits every batch: {})\");\n",
                                     x.generalMissing);
        variantFn += "    }\n";
    }
    variantFn += "    throw std::invalid_argument(\"no such binding\");\n}\n";
    src += "\n" + variantFn;
    auto dispatch = [&](const std::string& ret, const std::string& name, const std::string& params,
                        const std::string& args2) {
        std::string f = fmt::format("\n{} {}(int v{}) {{\n    switch (v) {{\n", ret, name, params);
        for (int k = 0; k < index; ++k) f += fmt::format("        case {}: return {}{}({});\n", k, name, k, args2);
        return f + "    }\n    throw std::invalid_argument(\"no such variant\");\n}\n";
    };
    src += dispatch("torch::Tensor", "train", ", const std::vector<torch::Tensor>& w, const torch::Tensor& x, int64_t N",
                    "w, x, N");
    src += dispatch("std::vector<torch::Tensor>", "prepare", ", const std::vector<torch::Tensor>& w", "w");
    src += dispatch("torch::Tensor", "infer",
                    ", const std::vector<torch::Tensor>& w, const torch::Tensor& x, int64_t N, const "
                    "std::vector<torch::Tensor>& prep",
                    "w, x, N, prep");
    src += fmt::format("\n}}  // namespace {}_detail\n\n", C);

    // The class.
    std::string sizesCheck;
    for (size_t b = 0; b < e.bindings.size(); ++b) {
        std::string cond;
        for (size_t k = 0; k < e.sizeNames.size(); ++k)
            cond += fmt::format("{}{} == {}", k ? " && " : "", e.sizeNames[k], e.bindings[b].sizes[k]);
        if (cond.empty()) cond = "true";
        std::string shapes, stds;
        for (const auto& s : e.bindings[b].weightShapes) shapes += fmt::format("{{{}}}, ", joinedText(s));
        for (double s : e.bindings[b].initStd) stds += floatText(s) + ", ";
        sizesCheck += fmt::format("    {}if ({}) {{\n        binding_ = {};\n        shapes = {{{}}};\n        std_ = {{{}}};\n    }}",
                                  b ? "else " : "", cond, b, shapes, stds);
        sizesCheck += "\n";
    }
    std::string layerList;
    for (const auto& b : e.bindings) layerList += (layerList.empty() ? "" : "; ") + b.text;
    src += fmt::format(R"({0}Impl::{0}Impl({1}uint64_t seed) {{
    std::vector<std::vector<int64_t>> shapes;
{2}    else
        throw std::invalid_argument("{0} was exported for {3} only");
    for (size_t k = 0; k < shapes.size(); ++k)
        w_.push_back(register_parameter("w" + std::to_string(k + 1), torch::empty(shapes[k])));
    reset_parameters(seed);
}}

void {0}Impl::reset_parameters(uint64_t seed) {{
    // syno's draw: one generator per module, the weights in order, normal scaled by each one's std.
    auto gen = at::detail::createCPUGenerator(seed);
    torch::NoGradGuard noGrad;
    for (size_t k = 0; k < w_.size(); ++k) w_[k].copy_(at::randn(w_[k].sizes(), gen) * std_[k]);
    cache_.clear();
}}

std::vector<int64_t> {0}Impl::stamp() const {{
    std::vector<int64_t> s;
    for (const auto& w : w_) {{
        s.push_back(static_cast<int64_t>(w._version()));
        s.push_back(reinterpret_cast<int64_t>(w.data_ptr()));
    }}
    return s;
}}

int {0}Impl::variant(const torch::Tensor& x) const {{ return {0}_detail::variantOf(binding_, x); }}

torch::Tensor {0}Impl::forward(const torch::Tensor& x) {{
    const int v = variant(x);
    const int64_t N = x.size(0);
    if (torch::GradMode::is_enabled()) {{
        cache_.clear();
        return {0}_detail::train(v, w_, x, N);
    }}
    if (cache_.empty() || cacheVariant_ != v || stamp_ != stamp()) {{
        cache_ = {0}_detail::prepare(v, w_);
        cache_.push_back(torch::Tensor());  // non-empty even when prepare keeps nothing
        cacheVariant_ = v;
        stamp_ = stamp();
    }}
    return {0}_detail::infer(v, w_, x, N, cache_);
}}
)",
                       C, args, sizesCheck, layerList);
    out.source = src;
    return out;
}

}  // namespace syno::exports
