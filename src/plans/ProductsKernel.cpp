#include "plans/ProductsKernel.h"

#include <ATen/ATen.h>
#include <ATen/Dispatch.h>
#include <torch/csrc/autograd/custom_function.h>

#include "plans/Plan.h"

namespace syno::plans {

namespace {

// terms: [T, 3] int64 rows (index in a, index in b, index in out), ascending in out.
at::Tensor forwardLoop(const at::Tensor& a, const at::Tensor& b, const at::Tensor& terms, at::IntArrayRef shape) {
    at::Tensor out = at::zeros(shape, a.options());
    const int64_t count = terms.size(0);
    const int64_t* t = terms.data_ptr<int64_t>();
    AT_DISPATCH_FLOATING_TYPES(a.scalar_type(), "syno_products", [&] {
        const scalar_t* x = a.data_ptr<scalar_t>();
        const scalar_t* y = b.data_ptr<scalar_t>();
        scalar_t* z = out.data_ptr<scalar_t>();
        for (int64_t k = 0; k < count; ++k, t += 3) z[t[2]] += x[t[0]] * y[t[1]];
    });
    return out;
}

struct WeightProducts : torch::autograd::Function<WeightProducts> {
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& a, const at::Tensor& b,
                              const at::Tensor& terms, std::vector<int64_t> shape) {
        ctx->save_for_backward({a, b, terms});
        return forwardLoop(a, b, terms, shape);
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        const auto saved = ctx->get_saved_variables();
        const at::Tensor &a = saved[0], &b = saved[1], &terms = saved[2];
        const at::Tensor g = grads[0].contiguous();
        const bool wantA = ctx->needs_input_grad(0), wantB = ctx->needs_input_grad(1);
        at::Tensor ga = wantA ? at::zeros_like(a) : at::Tensor(), gb = wantB ? at::zeros_like(b) : at::Tensor();
        const int64_t count = terms.size(0);
        const int64_t* t = terms.data_ptr<int64_t>();
        AT_DISPATCH_FLOATING_TYPES(a.scalar_type(), "syno_products_backward", [&] {
            const scalar_t* x = a.data_ptr<scalar_t>();
            const scalar_t* y = b.data_ptr<scalar_t>();
            const scalar_t* d = g.data_ptr<scalar_t>();
            scalar_t* dx = wantA ? ga.data_ptr<scalar_t>() : nullptr;
            scalar_t* dy = wantB ? gb.data_ptr<scalar_t>() : nullptr;
            for (int64_t k = 0; k < count; ++k, t += 3) {
                if (dx) dx[t[0]] += d[t[2]] * y[t[1]];
                if (dy) dy[t[1]] += d[t[2]] * x[t[0]];
            }
        });
        return {ga, gb, at::Tensor(), at::Tensor()};
    }
};

}  // namespace

at::Tensor runProducts(const at::Tensor& a, const at::Tensor& b, const PlanOp& o) {
    const auto count = static_cast<int64_t>(o.ints2.size());
    at::Tensor terms = at::empty({count, 3}, at::kLong);
    int64_t* t = terms.data_ptr<int64_t>();
    for (size_t k = 0; k < o.ints2.size(); ++k, t += 3) {
        t[0] = o.ints[2 * k];
        t[1] = o.ints[2 * k + 1];
        t[2] = o.ints2[k];
    }
    const at::Tensor x = a.contiguous(), y = b.contiguous();
    if (at::GradMode::is_enabled() && (x.requires_grad() || y.requires_grad()))
        return WeightProducts::apply(x, y, terms, o.shape);
    return forwardLoop(x, y, terms, o.shape);
}

}  // namespace syno::plans
