#pragma once
// Execution plans: an operator at one concrete binding, lowered to a short list of library kernels
// (oneDNN convolutions, GEMMs, views) that computes exactly what the reference interpreter computes.
//
// The plan follows the contraction order of planStages. Every tensor of the plan (the input, the weights,
// the result of each stage) has axes labelled by dimension nodes; an axis labelled d holds the tensor's
// values at index value(d). Before a stage, each operand's axes are refined with views and cheap copies
// (reshape for split, roll for shift, strided slice for stride, reshape for merged dims, a padded sliding
// window for an unfold that is not convolved) until every axis plays one role:
//   free       (in one operand and in the result): batch-like in A, output channels in B
//   group      (in both and in the result)            contracted (in both, summed)
//   private    (in one operand only, summed first)    spatial (an unfold in A whose window is an axis of B)
// An unfold over a contracted dim (a window over channels, say) is not expanded when the other operand
// can absorb it: sum_c x[value(c)] y[c] = sum_v x[v] y'[v] with y'[v] = the sum of y[c] over value(c) = v,
// an index_add over the smaller operand (usually weights: once per weight version in inference).
// A stage whose roles fit becomes one convolution (1-3 spatial axes, groups, dilation, zero padding),
// one matrix product or a broadcast product; a stage that does not fit falls back to einsum over the
// fully refined "coordinates" (output iterators, reductions and the halves of merged ones), counted as such.
//
// This header is torch-free: plans are data (printable, hashable, cached). Execute.h runs them.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <string>
#include <vector>

#include "ir/Operator.h"
#include "semantics/Realize.h"

namespace syno::plans {

enum class OpKind : uint8_t {
    Pad,          // centre zero-padding of the input: shape = before, ints = after
    Reshape,      // shape
    Permute,      // ints = order
    Roll,         // torch.roll(x, amount, axis), and by ints2[k] along ints[k] too (FuseRolls.h)
    Slice,        // x[..., ::amount] along axis
    Window,       // zero-pad axis by amount on both sides, sliding window of extent taps, dilation ints[0];
                  // the window becomes a new axis right after `axis`
    RepeatOuter,  // repeat_interleave(amount, axis): x'[d] = x[d / amount]
    RepeatInner,  // tile `amount` times along axis:   x'[d] = x[d % |axis|]
    Broadcast,    // expand to shape
    Sum,          // sum over ints
    Conv,         // conv{extent}d(a, b) with padding ints, dilation ints2, groups amount
    MatMul,       // matmul(a, b)
    Mul,          // a * b (broadcast)
    Einsum,       // einsum(equation, a[, b])
    FoldWindow,   // a window moved onto the other operand: a [C, P] -> [amount, P], row ints[c] += a[c]
                  // (ints[c] == amount drops the row: its window position falls outside); see FoldIndexMaps.cpp
    Scale,        // x * scale
    Crop,         // centre crop: shape = sizes, ints = offsets
    Gather,       // a linear index map (FuseIndexMaps.h): out.flat[ints2[i]] += a.flat[ints[i]] over the pairs, or
                  // out.flat[i] = a.flat[ints[i]] when ints2 is empty; out's shape = shape; equation lists the
                  // kinds of the ops it replaces ("permute, fold_window, reshape")
    Diagonal,     // a window whose tap is an axis of the tensor: x'[.., j, .., p] = x[.., j, .., p + j * ints[1] -
                  // amount] along axis, j indexing axis ints[0], zero outside (RefineAxes.cpp)
    Products,     // a bilinear map of two weights (FuseWeightProducts.h): out.flat[ints2[t]] += a.flat[ints[2t]] *
                  // b.flat[ints[2t + 1]] over the terms t, ints2 ascending; out's shape = shape; equation lists
                  // the kinds of the ops it replaces
};
const char* opKindName(OpKind kind);
std::string listText(const std::vector<int64_t>& v);  // "[1, 2, 3]"

struct PlanOp {
    OpKind kind = OpKind::Reshape;
    int dst = 0, a = 0, b = -1;  // tensor slots
    std::vector<int64_t> shape, ints, ints2;
    int64_t axis = 0, amount = 0, extent = 0;
    double scale = 1;
    std::string equation;
    bool weightOnly = false;  // reads the weights alone: inference computes it once (HoistWeights.h)
    std::string describe() const;
};

enum class Kernel : uint8_t { Views, Sum, Conv, MatMul, Mul, Einsum };
const char* kernelName(Kernel kernel);

struct StageRecord {
    std::string what;        // e.g. "t0 = contract(in_0, in_1)"
    Kernel kernel = Kernel::Views;
    std::string kernelText;  // e.g. "conv2d groups=1 pad=[1, 1] dilation=[1, 1]"
    std::string why;         // the roles of the axes that led to the kernel
    double flops = 0;        // this stage's FLOPs (planStages' count at this binding)
    std::vector<std::vector<int64_t>> operandShapes;
    std::vector<int64_t> resultShape;
    size_t firstOp = 0, endOp = 0;  // the ops of this stage: ops[firstOp, endOp)
    bool weightOnly = false;        // all its ops read the weights alone
};

// Memory layout of the 4-D tensors that 2-D convolutions read and write. Values are the same in either
// layout; only the speed differs (oneDNN runs NHWC directly, and NCHW through reorders to its blocked format).
enum class Layout : uint8_t {
    Contiguous,    // torch's default NCHW strides
    ChannelsLast,  // NHWC strides for every 2-D convolution's operands and result
    Auto,          // per convolution: NHWC where convPrefersChannelsLast and the input is NHWC already or an
                   // intermediate on a large enough map (Execute.cpp)
};
const char* layoutName(Layout layout);

struct PlanOptions {
    bool einsumOnly = false;  // lower every stage to unfold + einsum (the public Syno lowering; a baseline)
    // Order the stages for inference (StageCost::PerCall): contracting weights with each other first is
    // free per call when prepareWeights does it once. Training plans (false) minimise all FLOPs.
    bool inference = false;
    // Fuse the ops on the weights alone into gather and products ops with index lists (FuseIndexMaps.h,
    // FuseWeightProducts.h): faster training steps. Exports turn it off, so that their code stays standard
    // torch calls instead of lists of up to 2^16 indices.
    bool fuseWeightOps = true;
    bool operator==(const PlanOptions&) const = default;
};

struct Plan {
    uint64_t operatorId = 0;
    std::string operatorIdHex;
    int binding = 0;
    std::string bindingText;
    bool padded = false;
    PlanOptions options;
    std::vector<int64_t> inputShape, paddedInputShape, outputShape;
    std::vector<std::vector<int64_t>> weightShapes;
    std::vector<PlanOp> ops;
    std::vector<StageRecord> stages;
    int slots = 0;        // tensor slots: 0 = input, 1.. = weights, then one per stage
    int resultSlot = 0;
    double flops = 0;     // staged FLOPs of this binding
    double inferenceFlops = 0;  // FLOPs per inference call: stages on the weights alone run once per weight version
    double params = 0;    // weight elements
    double scale = 1;     // 1 / product of mean reductions (applied by a Scale op)
    double terms = 1;     // product of reduction sizes (terms summed per output value, before padding)
    std::vector<double> initStd;  // per weight: fan-in initialisation keeping activations at unit scale

    int count(Kernel kernel) const;    // stages lowered to this kernel
    int convolutions() const { return count(Kernel::Conv); }
    int matmuls() const { return count(Kernel::MatMul); }
    int einsums() const { return count(Kernel::Einsum); }
    int kernelCalls() const;           // Conv + MatMul + Mul + Einsum ops
    int libraryStages() const;         // stages that did not need einsum
    uint64_t hash() const;             // over the ops and shapes: equal plans hash equally
    std::string describe() const;      // one line per stage, then the ops
};

// Whether a 2-D convolution op runs faster on NHWC tensors than on NCHW ones (a rule from measurements,
// see LayoutRule.cpp). Layout::Auto applies it to each convolution of a plan.
bool convPrefersChannelsLast(const PlanOp& conv, bool training);
// Which of a plan's 2-D convolutions prefer NHWC: ChannelsLast or Contiguous when all agree, Auto when
// they differ (printed "mixed"). Layout::Auto follows it for NHWC inputs and intermediates.
Layout chooseLayout(const Plan& plan, bool training);

// Removes the ops marked in `drop` (one flag per op), keeping each stage's op range in step: the passes
// that merge ops (MergeReshapes.h, FuseIndexMaps.h) use it.
void dropOps(Plan& plan, const std::vector<bool>& drop);

// Throws syno::Error when a size does not divide (under Exact), the binding does not exist, or the
// operator is too large for the stage planner.
Plan compilePlan(const Operator& op, const SizeContext& ctx, int binding,
                 PaddingPolicy policy = PaddingPolicy::Exact, const PlanOptions& options = {});

// Plans cached by (operator id, binding values, policy, options). An object, not global state: whoever
// runs many operators (a module, a search worker) owns one. Thread-safe.
class PlanCache {
public:
    std::shared_ptr<const Plan> get(const Operator& op, const SizeContext& ctx, int binding,
                                    PaddingPolicy policy = PaddingPolicy::Exact, const PlanOptions& options = {});
    size_t size() const;

private:
    using Key = std::tuple<uint64_t, std::vector<int64_t>, int, bool, bool, bool>;
    mutable std::mutex mutex_;
    std::map<Key, std::shared_ptr<const Plan>> plans_;
};

}  // namespace syno::plans
