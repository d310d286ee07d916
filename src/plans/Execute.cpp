// The plan executor, the torch-free runner and the module: the libtorch side of execution plans.
#include <torch/torch.h>
#include <ATen/TensorUtils.h>

#include <chrono>

#include <fmt/format.h>

#include "base/Error.h"
#include "plans/Execute.h"
#include "plans/PlanModule.h"
#include "plans/ProductsKernel.h"
#include "plans/RollCopy.h"

namespace syno::plans {

namespace {

std::vector<int64_t> padVector(int64_t rank, int64_t axis, int64_t before, int64_t after) {
    // constant_pad_nd pairs run from the last dim backwards.
    int64_t k = rank - 1 - axis;
    std::vector<int64_t> pads(static_cast<size_t>(2 * (k + 1)), 0);
    pads[static_cast<size_t>(2 * k)] = before;
    pads[static_cast<size_t>(2 * k + 1)] = after;
    return pads;
}

// Layout::Auto converts an intermediate to NHWC for a dense windowed convolution from this many map
// positions on. Operator 2 (grouped 1x3 NCHW, then its 3x1 on the intermediate converted to NHWC),
// one thread, batch 1, NCHW time / mixed time: 64@56 1.16, 128@28 1.16, 256@14 1.07, 512@7 0.95; while
// converting the plan's input for conv2d itself lost (0.71 over the four ResNet-18 layers).
constexpr int64_t kNhwcMinPositions = 14 * 14;

// Inference rolls of at most this many elements copy two contiguous runs per outer position (RollCopy.h):
// 2 threads, [1, 16, 28, 28] along H 1.7 against 4.1 us, along H and W 3.9 against 16 us, [1, 2, 8, 28, 28]
// along the last two 4.1 against 17 us. Larger ones go through libtorch, whose copies run on both threads
// ([32, 16, 28, 28] along H: 47 against 38 us). Training keeps torch::roll: the same copy as a custom
// autograd function was no faster in small samples' training steps at batch 1 (two 5-13% slower, one 9%
// faster).
constexpr int64_t kSmallRoll = 16384;

}  // namespace

namespace {

// What an executor run does with the ops that read the weights alone (PlanOp::weightOnly).
enum class Pass {
    Whole,     // run every op (training, or inference without prepared weights)
    Prepare,   // run only the weight-only ops, keeping the operands the other ops will read
    Prepared,  // run only the other ops, reading those operands from PreparedWeights
};

// A convolution's weight with canonical strides when it is contiguous: libtorch runs a convolution NHWC
// when its weight's strides look channels-last, which a contiguous weight with unit axes can (a [g, 1, i, k]
// permuted from [g, i, k, 1]); its NHWC output then costs the plan's next roll 2.5x (Operator 2 at 64@56,
// batch 32: 2.27 ms against 0.92).
torch::Tensor canonicalWeight(const torch::Tensor& w) {
    return w.is_contiguous() && w.suggest_memory_format() == torch::MemoryFormat::ChannelsLast
               ? w.clone(torch::MemoryFormat::Contiguous)
               : w;
}

// A roll over one or more axes. For inference in a single pass: the blocks of the result are copied from
// the input's blocks (torch::roll first copies a non-contiguous input, then rolls one axis per pass). The
// result is contiguous in the input's axis order, or NHWC when the input is and a convolution ran NHWC,
// so that the next convolution needs no reorder.
torch::Tensor rollOnce(const torch::Tensor& a, const PlanOp& o, bool nhwc) {
    std::vector<int64_t> axes = {o.axis}, shifts = {o.amount};
    axes.insert(axes.end(), o.ints.begin(), o.ints.end());
    shifts.insert(shifts.end(), o.ints2.begin(), o.ints2.end());
    std::vector<int64_t> start;  // x'[i] = x[(i + start) mod n] along each axis
    for (size_t k = 0; k < axes.size(); ++k) {
        const int64_t n = a.size(axes[k]);
        start.push_back(n == 0 ? 0 : ((-shifts[k]) % n + n) % n);
    }
    const bool keepNhwc = nhwc && a.dim() == 4 && a.is_contiguous(torch::MemoryFormat::ChannelsLast);
    if (!torch::GradMode::is_enabled() && a.numel() <= kSmallRoll && (keepNhwc || a.is_contiguous()))
        return rollCopy(a, axes, start);
    if (torch::GradMode::is_enabled() && !keepNhwc) {
        // Autograd: torch::roll's backward is one roll of the gradient. A concatenation of two slices costs
        // each slice's backward a zero-filled input-sized gradient, then their sum (fwd+bwd, 2 threads, 16@28
        // batch 128: 0.33-0.54 ms against 0.93-1.18 ms; batch 32 0.06-0.14 against 0.17-0.26).
        return torch::roll(a, shifts, axes);
    }
    if (torch::GradMode::is_enabled()) {
        // NHWC under autograd: torch::roll would return NCHW; a concatenation keeps the layout.
        torch::Tensor x = a;
        for (size_t k = 0; k < axes.size(); ++k) {
            const int64_t n = x.size(axes[k]), s0 = start[k];
            if (s0 != 0) x = torch::cat({x.narrow(axes[k], s0, n - s0), x.narrow(axes[k], 0, s0)}, axes[k]);
        }
        return x;
    }
    if (axes.size() == 1 && !keepNhwc && a.is_contiguous() && start[0] != 0 && a.stride(axes[0]) > 1) {
        // Rows of at least 7 elements: torch::roll's concatenation of two slices is as fast or faster than
        // the flat copy below (1.0-2.4x; 2 threads, [1, 16, 28, 28] along H: 4.0 against 5.8 us).
        return torch::roll(a, shifts, axes);
    }
    if (axes.size() == 1 && !keepNhwc && a.is_contiguous() && start[0] != 0) {
        // The innermost axis of a contiguous tensor, seen as [outer, n]: out[o, i] = in[o, i + s] for i < n - s
        // is the whole tensor shifted by s elements, one contiguous copy (instead of outer copies of n - s
        // elements, slow as rows are short: torch::roll along W of [32, 64, 7, 7] takes 2.3x as long); then
        // the wrapped column.
        const int64_t axis = axes[0], n = a.size(axis), s0 = start[0], offset = s0 * a.stride(axis);
        torch::Tensor out = torch::empty(a.sizes(), a.options());
        const int64_t total = a.numel();
        out.view({-1}).narrow(0, 0, total - offset).copy_(a.view({-1}).narrow(0, offset, total - offset));
        out.narrow(axis, n - s0, s0).copy_(a.narrow(axis, 0, s0));
        return out;
    }
    torch::Tensor out = torch::empty(a.sizes(), a.options().memory_format(
                                                    keepNhwc ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous));
    for (size_t block = 0; block < (size_t{1} << axes.size()); ++block) {
        torch::Tensor src = a, dst = out;
        bool empty = false;
        for (size_t k = 0; k < axes.size(); ++k) {
            const int64_t n = a.size(axes[k]), s0 = start[k];
            // Low half of the result: x[s0 .. n); high half: x[0 .. s0).
            const bool high = (block >> k) & 1u;
            const int64_t len = high ? s0 : n - s0;
            if (len == 0) empty = true;
            src = src.narrow(axes[k], high ? 0 : s0, len);
            dst = dst.narrow(axes[k], high ? n - s0 : 0, len);
        }
        if (!empty) dst.copy_(src);
    }
    return out;
}

// A plan's index list (FoldWindow rows, Gather pairs) as a tensor, copied: autograd keeps it for the
// backward, which may outlive the plan.
torch::Tensor indexTensor(const std::vector<int64_t>& v) { return torch::tensor(at::ArrayRef<int64_t>(v), torch::kLong); }

// The next op after i that reads or writes `slot`, or ops.size().
size_t nextOn(const Plan& plan, size_t i, int slot) {
    for (size_t j = i + 1; j < plan.ops.size(); ++j) {
        const PlanOp& o = plan.ops[j];
        if (o.a == slot || o.b == slot || o.dst == slot) return j;
    }
    return plan.ops.size();
}

// Inference: a roll whose slot is next permuted, then reshaped in a way no view of the permuted tensor can
// give (a copy), is done after the permute instead: its copy then writes the permuted order and the reshape
// is a view, one pass over the tensor instead of two. The index of that permute, or 0 when it does not apply.
// (Rolling a permuted view whose reshape would have been a view costs a strided gather: FuseRolls.h.)
size_t permuteToRollInto(const Plan& plan, size_t i, const torch::Tensor& a) {
    const PlanOp& roll = plan.ops[i];
    const size_t j = nextOn(plan, i, roll.dst);
    if (j >= plan.ops.size()) return 0;
    const PlanOp& perm = plan.ops[j];
    if (perm.kind != OpKind::Permute || perm.a != roll.dst || perm.dst != roll.dst || perm.weightOnly != roll.weightOnly)
        return 0;
    const size_t k = nextOn(plan, j, roll.dst);
    if (k >= plan.ops.size()) return 0;
    const PlanOp& re = plan.ops[k];
    if (re.kind != OpKind::Reshape || re.a != roll.dst || re.weightOnly != roll.weightOnly) return 0;
    const torch::Tensor permuted = a.permute(perm.ints);
    if (at::detail::computeStride(permuted.sizes(), permuted.strides(), at::IntArrayRef(re.shape))) return 0;
    return j;
}

// Runs the plan's ops over tensor slots. In Prepare, `keep` receives the operands; in Prepared, `use`
// supplies them (and `weights` may be empty).
// opMs, when given, receives each op's wall time in ms (ops it skips keep theirs).
torch::Tensor runOps(const Plan& plan, const torch::Tensor& input, const std::vector<torch::Tensor>& weights,
                     Layout layout, Pass pass, const PreparedWeights* use, PreparedWeights* keep,
                     std::vector<double>* opMs = nullptr) {
    const bool training = torch::GradMode::is_enabled();
    // NHWC once any convolution ran in it: views and rolls then keep those strides.
    bool nhwc = layout == Layout::ChannelsLast;
    std::vector<torch::Tensor> s(static_cast<size_t>(plan.slots));
    s[0] = input;
    for (size_t w = 0; w < weights.size(); ++w) s[w + 1] = weights[w];
    if (pass == Pass::Prepare) {
        keep->a.assign(plan.ops.size(), torch::Tensor());
        keep->b.assign(plan.ops.size(), torch::Tensor());
        keep->index.assign(plan.ops.size(), torch::Tensor());
    }
    std::vector<bool> onWeights(static_cast<size_t>(plan.slots), false);  // Prepare: which slots hold weight-only values
    for (size_t w = 0; w < plan.weightShapes.size(); ++w) onWeights[w + 1] = true;
    std::vector<bool> done(plan.ops.size(), false);  // permutes a roll already applied (permuteToRollInto)
    for (size_t i = 0; i < plan.ops.size(); ++i) {
        const PlanOp& o = plan.ops[i];
        if (done[i]) continue;
        if (pass != Pass::Whole && o.weightOnly != (pass == Pass::Prepare)) {
            if (pass == Pass::Prepare) {
                // A data op: keep the weight-only operands it reads, as they are at this point of the list.
                if (onWeights[static_cast<size_t>(o.a)]) keep->a[i] = s[static_cast<size_t>(o.a)];
                if (o.kind == OpKind::FoldWindow) keep->index[i] = indexTensor(o.ints);  // built once, not per call
                if (o.b >= 0 && onWeights[static_cast<size_t>(o.b)])
                    keep->b[i] = o.kind == OpKind::Conv ? canonicalWeight(s[static_cast<size_t>(o.b)])
                                                        : s[static_cast<size_t>(o.b)];
                onWeights[static_cast<size_t>(o.dst)] = false;
            }
            continue;
        }
        if (pass == Pass::Prepared) {
            if (use->a[i].defined()) s[static_cast<size_t>(o.a)] = use->a[i];
            if (o.b >= 0 && use->b[i].defined()) s[static_cast<size_t>(o.b)] = use->b[i];
        }
        const torch::Tensor& a = s[static_cast<size_t>(o.a)];
        torch::Tensor out;
        const auto started = opMs ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point();
        switch (o.kind) {
            case OpKind::Pad: {
                std::vector<int64_t> pads;
                for (size_t i = o.shape.size(); i-- > 0;) {
                    pads.push_back(o.shape[i]);
                    pads.push_back(o.ints[i]);
                }
                out = torch::constant_pad_nd(a, pads, 0);
                break;
            }
            case OpKind::Reshape: out = a.reshape(o.shape); break;
            case OpKind::Permute: out = a.permute(o.ints); break;
            case OpKind::Roll: {
                const size_t j = training ? 0 : permuteToRollInto(plan, i, a);
                if (j == 0) {
                    out = rollOnce(a, o, nhwc);
                    break;
                }
                const std::vector<int64_t>& p = plan.ops[j].ints;  // axis q of the result is axis p[q] of a
                auto moved = [&p](int64_t axis) {
                    return static_cast<int64_t>(std::find(p.begin(), p.end(), axis) - p.begin());
                };
                PlanOp r = o;
                r.axis = moved(o.axis);
                for (auto& ax : r.ints) ax = moved(ax);
                out = rollOnce(a.permute(p), r, false);
                done[j] = true;
                break;
            }
            case OpKind::Slice: out = a.slice(o.axis, 0, a.size(o.axis), o.amount); break;
            case OpKind::Window: {
                auto padded = torch::constant_pad_nd(a, padVector(a.dim(), o.axis, o.amount, o.amount), 0);
                auto win = padded.unfold(o.axis, o.extent, 1);  // window appended as the last axis
                const int64_t dil = o.ints.empty() ? 1 : o.ints[0];
                if (dil > 1) win = win.slice(-1, 0, o.extent, dil);
                out = win.movedim(-1, o.axis + 1);
                break;
            }
            case OpKind::RepeatOuter: out = a.repeat_interleave(o.amount, o.axis); break;
            case OpKind::RepeatInner: {
                std::vector<int64_t> reps(static_cast<size_t>(a.dim()), 1);
                reps[static_cast<size_t>(o.axis)] = o.amount;
                out = a.repeat(reps);
                break;
            }
            case OpKind::Broadcast: out = a.expand(o.shape); break;
            case OpKind::Sum: out = a.sum(o.ints); break;
            case OpKind::Conv: {
                const torch::Tensor b = canonicalWeight(s[static_cast<size_t>(o.b)]);
                if (o.extent == 1) out = torch::conv1d(a, b, {}, 1, o.ints, o.ints2, o.amount);
                else if (o.extent == 2) {
                    // Auto: a convolution that prefers NHWC (see convPrefersChannelsLast) runs NHWC when its
                    // input already is, or when its input is an intermediate of the plan on a map of at least
                    // 14x14; converting the plan's own NCHW input costs more than NHWC gains.
                    const bool intermediate = o.a > static_cast<int>(plan.weightShapes.size());
                    const bool isNhwc = a.dim() == 4 && !a.is_contiguous() &&
                                        a.is_contiguous(torch::MemoryFormat::ChannelsLast);
                    const bool cl = layout == Layout::ChannelsLast ||
                                    (layout == Layout::Auto && convPrefersChannelsLast(o, training) && a.dim() == 4 &&
                                     (isNhwc || (intermediate && a.size(2) * a.size(3) >= kNhwcMinPositions)));
                    const auto format = cl ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
                    out = torch::conv2d(a.contiguous(format), b.contiguous(format), {}, 1, o.ints, o.ints2, o.amount);
                    nhwc = cl;
                }
                else out = torch::conv3d(a, b, {}, 1, o.ints, o.ints2, o.amount);
                break;
            }
            case OpKind::MatMul: out = torch::matmul(a, s[static_cast<size_t>(o.b)]); break;
            case OpKind::Mul: out = a * s[static_cast<size_t>(o.b)]; break;
            case OpKind::Einsum:
                out = o.b >= 0 ? torch::einsum(o.equation, {a, s[static_cast<size_t>(o.b)]}) : torch::einsum(o.equation, {a});
                break;
            case OpKind::FoldWindow: {
                // index_add reuses one iterator over the rows (one contiguous row of P values each); its
                // backward is an index_select. Row `amount` collects the dropped rows and is cut off.
                const bool cached = pass == Pass::Prepared && i < use->index.size() && use->index[i].defined();
                const torch::Tensor index = cached ? use->index[i] : indexTensor(o.ints);
                out = torch::zeros({o.amount + 1, a.size(1)}, a.options()).index_add(0, index, a).narrow(0, 0, o.amount);
                break;
            }
            case OpKind::Scale: out = a * o.scale; break;
            case OpKind::Gather: {
                // Index lists copied per call (FuseIndexMaps caps them at 2^16 pairs).
                const torch::Tensor taken = a.reshape({-1}).index_select(0, indexTensor(o.ints));
                out = o.ints2.empty() ? taken.view(o.shape)
                                      : torch::zeros({c10::multiply_integers(o.shape)}, a.options())
                                            .index_add(0, indexTensor(o.ints2), taken)
                                            .view(o.shape);
                break;
            }
            case OpKind::Products: out = runProducts(a, s[static_cast<size_t>(o.b)], o); break;
            case OpKind::Diagonal: {
                // Slice copies into a fresh tensor (autograd records them as CopySlices): each tap j reads its
                // slice shifted by j * step - amount, and zero-fills the positions that fall outside.
                const int64_t tapAxis = o.ints[0], step = o.ints[1], n = a.size(o.axis);
                const int64_t axis = o.axis > tapAxis ? o.axis - 1 : o.axis;  // after select(tapAxis)
                out = torch::empty_like(a);
                for (int64_t j = 0; j < a.size(tapAxis); ++j) {
                    const int64_t shift = j * step - o.amount, len = std::max<int64_t>(0, n - std::abs(shift));
                    torch::Tensor dst = out.select(tapAxis, j), src = a.select(tapAxis, j);
                    if (len > 0)
                        dst.narrow(axis, std::max<int64_t>(0, -shift), len).copy_(src.narrow(axis, std::max<int64_t>(0, shift), len));
                    if (len < n) dst.narrow(axis, shift > 0 ? len : 0, n - len).zero_();
                }
                break;
            }
            case OpKind::Crop: {
                out = a;
                for (size_t i = 0; i < o.shape.size(); ++i)
                    out = out.narrow(static_cast<int64_t>(i), o.ints[i], o.shape[i]);
                break;
            }
        }
        if (opMs) (*opMs)[i] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
        s[static_cast<size_t>(o.dst)] = std::move(out);
        onWeights[static_cast<size_t>(o.dst)] = o.weightOnly;
    }
    return pass == Pass::Prepare ? torch::Tensor() : s[static_cast<size_t>(plan.resultSlot)];
}

}  // namespace

torch::Tensor executePlan(const Plan& plan, const torch::Tensor& input, const std::vector<torch::Tensor>& weights) {
    return executePlan(plan, input, weights, Layout::Contiguous);
}

torch::Tensor executePlan(const Plan& plan, const torch::Tensor& input, const std::vector<torch::Tensor>& weights,
                          Layout layout, std::vector<double>* opMs) {
    if (weights.size() != plan.weightShapes.size())
        throw Error(fmt::format("the operator takes {} weight(s), {} given", plan.weightShapes.size(), weights.size()));
    if (opMs) opMs->assign(plan.ops.size(), 0.0);
    return runOps(plan, input, weights, layout, Pass::Whole, nullptr, nullptr, opMs);
}

bool PreparedWeights::matches(const Plan& p, const std::vector<torch::Tensor>& weights) const {
    if (plan != &p || weights.size() != versions.size()) return false;
    for (size_t w = 0; w < weights.size(); ++w)
        if (weights[w].data_ptr() != data[w] || static_cast<int64_t>(weights[w]._version()) != versions[w]) return false;
    return true;
}

PreparedWeights prepareWeights(const Plan& plan, const std::vector<torch::Tensor>& weights, Layout layout) {
    if (weights.size() != plan.weightShapes.size())
        throw Error(fmt::format("the operator takes {} weight(s), {} given", plan.weightShapes.size(), weights.size()));
    torch::NoGradGuard noGrad;
    PreparedWeights p;
    p.plan = &plan;
    for (const auto& w : weights) {
        p.data.push_back(w.data_ptr());
        p.versions.push_back(static_cast<int64_t>(w._version()));
    }
    runOps(plan, torch::Tensor(), weights, layout, Pass::Prepare, nullptr, &p);
    return p;
}

torch::Tensor executePlan(const Plan& plan, const torch::Tensor& input, const PreparedWeights& prepared, Layout layout,
                          std::vector<double>* opMs) {
    if (prepared.plan != &plan) throw Error("the prepared weights belong to another plan");
    if (opMs) opMs->assign(plan.ops.size(), 0.0);
    return runOps(plan, input, {}, layout, Pass::Prepared, &prepared, nullptr, opMs);
}

namespace {

torch::Tensor toTorch(const Tensor& t, torch::Dtype dtype) {
    return torch::from_blob(const_cast<double*>(t.data.data()), t.shape, torch::kDouble).to(dtype).clone();
}

Tensor fromTorch(const torch::Tensor& t) {
    auto c = t.detach().to(torch::kDouble).contiguous();
    Tensor out;
    out.shape.assign(c.sizes().begin(), c.sizes().end());
    out.data.assign(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    return out;
}

void checkTensor(const Tensor& t, const std::vector<int64_t>& shape, const std::string& what) {
    if (t.shape != shape)
        throw Error(fmt::format("{} has shape {} but the plan expects {}", what, shapeString(t.shape), shapeString(shape)));
    if (t.numel() != numelOf(shape))
        throw Error(fmt::format("{} has {} values for shape {}", what, t.numel(), shapeString(shape)));
    if (!t.allFinite()) throw Error(fmt::format("{} contains NaN or infinite values", what));
}

}  // namespace

PlanRun runPlan(const Plan& plan, const Tensor& input, const std::vector<Tensor>& weights, const Tensor* gradOutput,
                Precision precision, Layout layout) {
    checkTensor(input, plan.inputShape, "the input");
    if (weights.size() != plan.weightShapes.size())
        throw Error(fmt::format("the operator takes {} weight(s), {} given", plan.weightShapes.size(), weights.size()));
    for (size_t w = 0; w < weights.size(); ++w) checkTensor(weights[w], plan.weightShapes[w], fmt::format("weight {}", w + 1));
    if (gradOutput) checkTensor(*gradOutput, plan.outputShape, "the output gradient");
    const auto dtype = precision == Precision::Float32 ? torch::kFloat : torch::kDouble;
    const bool grad = gradOutput != nullptr;
    torch::Tensor x = toTorch(input, dtype).set_requires_grad(grad);
    std::vector<torch::Tensor> ws;
    for (const auto& w : weights) ws.push_back(toTorch(w, dtype).set_requires_grad(grad));
    PlanRun run;
    if (!grad) {  // inference as deployed: the weight-only ops run once, in prepareWeights
        torch::NoGradGuard noGrad;
        PreparedWeights prepared = prepareWeights(plan, ws, layout);
        run.output = fromTorch(executePlan(plan, x, prepared, layout));
        return run;
    }
    torch::Tensor y = executePlan(plan, x, ws, layout);
    run.output = fromTorch(y);
    y.backward(toTorch(*gradOutput, dtype));
    auto gradOf = [](const torch::Tensor& t) { return t.grad().defined() ? t.grad() : torch::zeros_like(t); };
    run.gradInput = fromTorch(gradOf(x));
    for (const auto& w : ws) run.gradWeights.push_back(fromTorch(gradOf(w)));
    return run;
}

void setThreads(int n) {
    if (n > 0) torch::set_num_threads(n);
}

int threads() { return torch::get_num_threads(); }

// ---- the module ---------------------------------------------------------------------------------------

PlanModuleImpl::PlanModuleImpl(const Operator& op, const SizeContext& ctx, int binding, ModuleOptions options)
    : op_(op), ctx_(ctx), binding_(binding), options_(std::move(options)) {
    plan_ = plans_.get(op_, ctx_, binding_, options_.policy);
    // A generator of our own: seeding libtorch's global one would change every other user's random numbers.
    auto gen = at::detail::createCPUGenerator(options_.seed);
    for (size_t w = 0; w < plan_->weightShapes.size(); ++w) {
        auto t = at::randn(plan_->weightShapes[w], gen) * plan_->initStd[w];
        weights_.push_back(register_parameter(fmt::format("w{}", w + 1), t));
    }
}

int64_t PlanModuleImpl::parameterCount() const {
    int64_t n = 0;
    for (const auto& w : weights_) n += w.numel();
    return n;
}

std::shared_ptr<const Plan> PlanModuleImpl::planFor(const torch::Tensor& x, bool inference) {
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    const PlanOptions options{false, inference};
    if (shape == plan_->inputShape && plan_->options == options) return plan_;
    // The binding's own sizes (in the other order, training or inference), whatever the batch variable.
    auto own = plans_.get(op_, ctx_, binding_, options_.policy, options);
    if (own->inputShape == shape) return own;
    auto mismatch = [&] {
        return Error(fmt::format("the module's operator expects an input of shape {}, got {}",
                                 shapeString(plan_->inputShape), shapeString(shape)));
    };
    auto var = ctx_.vars().find(options_.batchVariable);
    if (!var || shape.size() != plan_->inputShape.size() || shape.empty()) throw mismatch();
    for (size_t i = 1; i < shape.size(); ++i)
        if (shape[i] != plan_->inputShape[i]) throw mismatch();
    std::vector<Binding> bindings = ctx_.bindings();
    Binding b = bindings[static_cast<size_t>(binding_)];
    // Rebind the batch variable so that the leading size matches (it must appear as is in the input).
    b.values[static_cast<size_t>(*var)] = shape[0];
    SizeContext other = ctx_.withBindings({b});
    auto plan = plans_.get(op_, other, 0, options_.policy, options);
    if (plan->inputShape != shape || plan->weightShapes != plan_->weightShapes) throw mismatch();
    return plan;
}

torch::Tensor PlanModuleImpl::forward(const torch::Tensor& x) {
    const bool inference = !torch::GradMode::is_enabled();
    auto plan = planFor(x, inference);
    plan_ = plan;
    if (options_.checkFinite) {
        if (!torch::isfinite(x).all().item<bool>()) throw Error("the input contains NaN or infinite values");
        for (size_t w = 0; w < weights_.size(); ++w)
            if (!torch::isfinite(weights_[w]).all().item<bool>())
                throw Error(fmt::format("weight {} contains NaN or infinite values", w + 1));
    }
    // libtorch's C++ optimizers write through .data(), which bumps no version counter: a forward in
    // training mode or with autograd, as every training step has, is the only sign that the weights are
    // about to change. So prepared weights are kept only between inference calls in evaluation mode.
    if (is_training() || !inference) prepared_ = PreparedWeights();
    if (!inference || is_training()) return executePlan(*plan, x, weights_, options_.layout);
    if (!prepared_.matches(*plan, weights_)) prepared_ = prepareWeights(*plan, weights_, options_.layout);
    return executePlan(*plan, x, prepared_, options_.layout);
}

}  // namespace syno::plans
