#include "plans/RollCopy.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cstring>

namespace syno::plans {

namespace {

// The copy itself: dims in memory order; the innermost rolled dim and the unrolled dims inside it are
// copied as two runs per position of the outer dims.
at::Tensor rollRuns(const at::Tensor& x, const std::vector<int64_t>& axes, const std::vector<int64_t>& start) {
    at::Tensor out = at::empty_like(x);  // a dense tensor's strides are kept
    if (x.numel() == 0) return out;
    struct Axis {
        int64_t size, stride, start;
    };
    std::vector<Axis> dims;
    for (int64_t d = 0; d < x.dim(); ++d) dims.push_back({x.size(d), x.stride(d), 0});
    for (size_t k = 0; k < axes.size(); ++k) dims[static_cast<size_t>(axes[k])].start = start[k];
    std::stable_sort(dims.begin(), dims.end(), [](const Axis& a, const Axis& b) { return a.stride > b.stride; });
    auto p = static_cast<int64_t>(dims.size()) - 1;
    while (p >= 0 && dims[static_cast<size_t>(p)].start == 0) --p;
    const auto es = static_cast<int64_t>(x.element_size());
    const char* src = static_cast<const char*>(x.data_ptr());
    char* dst = static_cast<char*>(out.data_ptr());
    if (p < 0) {
        std::memcpy(dst, src, static_cast<size_t>(x.numel() * es));
        return out;
    }
    const Axis in = dims[static_cast<size_t>(p)];
    const int64_t low = (in.size - in.start) * in.stride * es, high = in.start * in.stride * es;
    std::vector<int64_t> idx(static_cast<size_t>(p), 0);
    int64_t outer = 1;
    for (int64_t i = 0; i < p; ++i) outer *= dims[static_cast<size_t>(i)].size;
    for (int64_t f = 0; f < outer; ++f) {
        int64_t from = 0, to = 0;
        for (size_t i = 0; i < idx.size(); ++i) {
            const int64_t v = idx[i] + dims[i].start;
            from += (v >= dims[i].size ? v - dims[i].size : v) * dims[i].stride;
            to += idx[i] * dims[i].stride;
        }
        std::memcpy(dst + to * es, src + from * es + high, static_cast<size_t>(low));
        std::memcpy(dst + to * es + low, src + from * es, static_cast<size_t>(high));
        for (size_t i = idx.size(); i-- > 0;) {
            if (++idx[i] < dims[i].size) break;
            idx[i] = 0;
        }
    }
    return out;
}

}  // namespace

at::Tensor rollCopy(const at::Tensor& x, const std::vector<int64_t>& axes, const std::vector<int64_t>& start) {
    return rollRuns(x, axes, start);
}

}  // namespace syno::plans
