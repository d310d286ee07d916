// Which layout (NCHW or NHWC) each 2-D convolution of a plan runs in: a rule from measurements.
#include "plans/Plan.h"

namespace syno::plans {

const char* layoutName(Layout layout) {
    switch (layout) {
        case Layout::Contiguous: return "nchw";
        case Layout::ChannelsLast: return "nhwc";
        case Layout::Auto: return "mixed";
    }
    return "?";
}

bool convPrefersChannelsLast(const PlanOp& conv, bool training) {
    (void)training;  // the same rule held for training steps (bench/plan_bench --layout both --modes training)
    if (conv.kind != OpKind::Conv || conv.extent != 2 || conv.shape.size() != 4) return false;
    // Measured (libtorch 1.13's oneDNN, AVX2, one thread, batch 1, 64 channels at 56x56, NCHW vs NHWC ms):
    // dense 3x3 3.32 / 2.03, dense 3x1 0.41 / 0.36, dense 1x1 0.27 / 0.27; grouped 1x1 with 32 channels per
    // group 0.19 / 0.21, with 8 per group 0.07 / 0.27, with 2 per group 0.11 / 0.76, depthwise 0.19 / 1.16.
    // So NHWC pays off for dense convolutions with a window and loses badly for grouped ones. Converting
    // an NCHW input per call eats the gain (64@56 3x3: NCHW 2.68 ms, NHWC input 2.17, converted in 2.38,
    // converted in and back 3.03), so Layout::Auto converts only intermediates (see Execute.cpp).
    const int64_t taps = conv.shape[2] * conv.shape[3];
    return conv.amount == 1 && taps > 1;
}

Layout chooseLayout(const Plan& plan, bool training) {
    int nhwc = 0, nchw = 0;
    for (const auto& o : plan.ops)
        if (o.kind == OpKind::Conv && o.extent == 2) (convPrefersChannelsLast(o, training) ? nhwc : nchw)++;
    if (nhwc > 0 && nchw > 0) return Layout::Auto;
    return nhwc > 0 ? Layout::ChannelsLast : Layout::Contiguous;
}
}  // namespace syno::plans
