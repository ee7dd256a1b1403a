#include "quant/bit_compose.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "quant/compose_kernels.h"
#include "quant/gate.h"

namespace csq::quant {

namespace {

// Elements per reduction chunk: partial sums are per chunk, added in chunk order.
constexpr int64_t kChunk = 8192;

struct ComposeBits : torch::autograd::Function<ComposeBits> {
    static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& P, const torch::Tensor& Q,
                                 const torch::Tensor& coeff, const torch::Tensor& scale, double beta)
    {
        const int64_t bits = P.size(0), n = P.numel() / bits;
        auto p = P.contiguous(), q = Q.contiguous(), c = coeff.contiguous();
        auto u = torch::empty(P.sizes().slice(1), P.options());
        auto sP = torch::empty_like(p), sQ = torch::empty_like(q);
        AT_DISPATCH_FLOATING_TYPES(P.scalar_type(), "composeBits", [&] {
            const auto* pp = p.data_ptr<scalar_t>();
            const auto* qp = q.data_ptr<scalar_t>();
            const auto* cp = c.data_ptr<scalar_t>();
            auto* sPp = sP.data_ptr<scalar_t>();
            auto* sQp = sQ.data_ptr<scalar_t>();
            auto* up = u.data_ptr<scalar_t>();
            const auto bt = static_cast<scalar_t>(beta);
            at::parallel_for(0, n, kChunk, [&](int64_t begin, int64_t end) {
                kernels::composeForward(pp, qp, cp, bits, n, begin, end, bt, sPp, sQp, up);
            });
        });
        ctx->save_for_backward({sP, sQ, c, scale, u});
        ctx->saved_data["beta"] = beta;
        return u * scale;
    }

    static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::tensor_list grads)
    {
        const auto saved = ctx->get_saved_variables();
        const auto &p = saved[0], &q = saved[1], &c = saved[2], &scale = saved[3], &u = saved[4];  // p, q: gates
        const double beta = ctx->saved_data["beta"].toDouble();
        auto g = grads[0].contiguous();
        const int64_t bits = p.size(0), n = p.numel() / bits;
        const int64_t chunks = (n + kChunk - 1) / kChunk;
        auto gP = torch::empty_like(p), gQ = torch::empty_like(q);
        // Per chunk: N partial sums for coeff, one for the scale; accumulated in double.
        std::vector<double> partial(static_cast<size_t>(chunks * (bits + 1)), 0.0);
        AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "composeBitsBackward", [&] {
            const auto* pp = p.data_ptr<scalar_t>();
            const auto* qp = q.data_ptr<scalar_t>();
            const auto* cp = c.data_ptr<scalar_t>();
            const auto* up = u.data_ptr<scalar_t>();
            const auto* gp = g.data_ptr<scalar_t>();
            auto* gPp = gP.data_ptr<scalar_t>();
            auto* gQp = gQ.data_ptr<scalar_t>();
            double* part = partial.data();
            const auto s = scale.item<scalar_t>();
            const auto bt = static_cast<scalar_t>(beta);
            at::parallel_for(0, chunks, 1, [&](int64_t first, int64_t last) {
                for (int64_t k = first; k < last; ++k) {
                    const int64_t begin = k * kChunk, end = std::min(n, begin + kChunk);
                    kernels::composeBackward(pp, qp, cp, up, gp, bits, n, begin, end, s, bt, gPp, gQp,
                                             part + k * (bits + 1));
                }
            });
        });
        // Added in chunk order, serially: the same sums whatever the thread count.
        std::vector<double> total(static_cast<size_t>(bits + 1), 0.0);
        for (int64_t k = 0; k < chunks; ++k)
            for (int64_t j = 0; j <= bits; ++j)
                total[static_cast<size_t>(j)] += partial[static_cast<size_t>(k * (bits + 1) + j)];
        auto sums = torch::tensor(total, torch::TensorOptions().dtype(torch::kDouble)).to(p.scalar_type());
        auto gCoeff = sums.slice(0, 0, bits);
        auto gScale = sums[bits].reshape(scale.sizes());
        return {gP, gQ, gCoeff, gScale, torch::Tensor()};
    }
};

}  // namespace

torch::Tensor composeBitsPlain(const torch::Tensor& P, const torch::Tensor& Q, const torch::Tensor& coeff,
                               const torch::Tensor& scale, double beta)
{
    std::vector<int64_t> planeShape(static_cast<size_t>(P.dim()), 1);
    planeShape[0] = P.size(0);
    auto planes = softGate(P, beta) - softGate(Q, beta);
    return scale * (planes * coeff.view(planeShape)).sum(0);
}

torch::Tensor composeBits(const torch::Tensor& P, const torch::Tensor& Q, const torch::Tensor& coeff,
                          const torch::Tensor& scale, double beta)
{
    const bool fusable = P.device().is_cpu() &&
                         (P.scalar_type() == torch::kFloat || P.scalar_type() == torch::kDouble) &&
                         Q.scalar_type() == P.scalar_type() && coeff.scalar_type() == P.scalar_type() &&
                         scale.scalar_type() == P.scalar_type() && P.size(0) > 0;
    if (!fusable) return composeBitsPlain(P, Q, coeff, scale, beta);
    return ComposeBits::apply(P, Q, coeff, scale, beta);
}

}  // namespace csq::quant
