#pragma once
// Shared spaces and helpers for the synthesis tests (header-only, included by every file of
// synthesis_test).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "TestHelpers.h"
#include "ir/Builder.h"
#include "ir/Library.h"
#include "semantics/Cost.h"
#include "semantics/Interpreter.h"
#include "semantics/Realize.h"
#include "semantics/Stages.h"
#include "synthesis/CanonicalForm.h"
#include "synthesis/Distance.h"
#include "synthesis/Generator.h"
#include "synthesis/Space.h"

namespace syno::test {

// The standard conv space of the issue.
inline constexpr const char* kPrimary = "N=1: 0, C_in=32: 2, C_out=32: 4, H=16: 0, W=16: 0";
inline constexpr const char* kCoef = "k=3: 2, g=4: 3";
inline constexpr const char* kCoefWithS = "k=3: 2, g=4: 3, s=2: 2";
inline constexpr const char* kConvIn = "[N, C_in, H, W]";
inline constexpr const char* kConvOut = "[N, C_out, H, W]";
inline constexpr const char* kDepthwiseOut = "[N, C_in, H, W]";
// Small values for running the interpreter on operators of the standard variables.
inline constexpr const char* kSmallBinding = "C_in=8, C_out=16, H=8, W=8";

// The options of the tests: the library defaults with the per-primitive caps pinned (unlimited splits,
// merges and unfolds, 2 shifts, no strides, no standalone expands), so the tests keep their meaning when
// the defaults move. Tests of the defaults themselves use SynthesisOptions{} directly.
inline SynthesisOptions optionsWithDepth(int depth) {
    SynthesisOptions o;
    o.depth = depth;
    o.maxOfKind = {-1, -1, -1, -1, 2, 0, -1, 0, -1};
    return o;
}

inline int& cap(SynthesisOptions& o, StepKind k) { return o.maxOfKind[static_cast<size_t>(k)]; }

inline Problem convProblem(SynthesisOptions options, const std::string& output = kConvOut,
                           const std::string& coef = kCoef, const std::string& input = kConvIn) {
    return Problem::make(makeContext(kPrimary, coef), input, output, options);
}

inline uint64_t ruleCount(const SynthesisStats& s, Rule r) { return s.rules[static_cast<size_t>(r)]; }

inline double secondsSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline std::string describe(const Sampled& s) {
    std::string out = s.op.idHex() + " [" + s.path.serialize() + "] steps:";
    for (const auto& t : s.stepTexts) out += " " + t + ";";
    return out;
}

// Steps other than the final Finalize.
inline int stepsUsed(const Path& p) {
    int n = 0;
    for (const auto& s : p.steps) n += s.kind != StepKind::Finalize;
    return n;
}

inline bool containsCanonical(const std::vector<Sampled>& v, uint64_t canonical) {
    return std::any_of(v.begin(), v.end(), [&](const Sampled& s) { return s.canonical == canonical; });
}

// ---- tensors ----

inline int64_t offsetOf(const Tensor& t, const std::vector<int64_t>& idx) {
    auto st = t.strides();
    int64_t off = 0;
    for (size_t i = 0; i < idx.size(); ++i) off += idx[i] * st[i];
    return off;
}
inline double& at(Tensor& t, const std::vector<int64_t>& idx) { return t.data.at(static_cast<size_t>(offsetOf(t, idx))); }
inline double at(const Tensor& t, const std::vector<int64_t>& idx) { return t.data.at(static_cast<size_t>(offsetOf(t, idx))); }

inline double dot(const Tensor& a, const Tensor& b) {
    double s = 0;
    for (size_t i = 0; i < a.data.size() && i < b.data.size(); ++i) s += a.data[i] * b.data[i];
    return s;
}

// The same data under another shape (a row-major reshape).
inline Tensor reshaped(Tensor t, std::vector<int64_t> shape) {
    EXPECT_EQ(numelOf(shape), t.numel());
    t.shape = std::move(shape);
    return t;
}

inline Tensor forward(const Operator& op, const SizeContext& ctx, const Tensor& x, const std::vector<Tensor>& w,
                      int binding = 0) {
    return interpretForward(realize(op, ctx, binding, PaddingPolicy::Exact), x, w);
}

inline std::vector<int64_t> inputShapeOf(const Operator& op, const SizeContext& ctx, int binding = 0) {
    return realize(op, ctx, binding, PaddingPolicy::Exact).inputShape;
}
inline std::vector<int64_t> weightShapeOf(const Operator& op, const SizeContext& ctx, int w, int binding = 0) {
    return realize(op, ctx, binding, PaddingPolicy::Exact).weightShapes.at(static_cast<size_t>(w));
}

inline void expectTensorsNear(const Tensor& actual, const Tensor& expected, double tol = 1e-10) {
    ASSERT_EQ(actual.shape, expected.shape);
    EXPECT_LE(maxRelativeError(actual, expected), tol);
}

// ---- replaying a path through a fresh generator ----

struct Replay {
    std::vector<State> states;   // states[i]: after i steps (states[0] is the root)
    std::optional<Operator> op;  // the operator of the Finalize step
    std::vector<std::string> texts;
};

// Follows `path` through the children of a fresh Generator (matching steps by kind and key): the
// partial operators along a path, which Space does not expose.
inline Replay replay(const Problem& problem, const Path& path) {
    Generator gen(problem, std::make_shared<DimStore>(problem.ctx.vars()));
    SynthesisStats stats;
    Replay r;
    r.states.push_back(gen.root());
    for (const PathStep& step : path.steps) {
        std::vector<Child> children = gen.children(r.states.back(), stats);
        auto it = std::find_if(children.begin(), children.end(),
                               [&](const Child& c) { return c.kind == step.kind && c.key == step.key; });
        if (it == children.end()) {
            ADD_FAILURE() << "replay: step " << stepKindName(step.kind) << " not among the children";
            return r;
        }
        r.texts.push_back(it->text);
        if (step.kind == StepKind::Finalize) {
            r.op = *it->op;
            return r;
        }
        r.states.push_back(it->state);
    }
    ADD_FAILURE() << "replay: path does not end with finalize";
    return r;
}

}  // namespace syno::test
