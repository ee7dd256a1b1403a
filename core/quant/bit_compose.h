#pragma once
// The soft weight of docs/method.md in one fused pass:
//   W = s · Σ_b coeff_b · (σ(βP_b) − σ(βQ_b)),   coeff_b = c_b · f_β(m_b)
// as a custom autograd function. The plain composition materialises several [N, *shape] temporaries
// in the forward and as many in the backward; this one computes the gates and their sum in one pass
// (compose_kernels.h), keeps the gates for the backward (which then needs no exp), and reduces the
// per-bit and scale gradients in fixed chunks, so the result does not depend on the thread count. CPU
// float and double; other devices use the plain composition.
#include <torch/torch.h>

namespace csq::quant {

// P, Q: [N, *shape]; coeff: [N] (differentiable: carries the mask gates); scale: 0-d. Returns [*shape].
torch::Tensor composeBits(const torch::Tensor& P, const torch::Tensor& Q, const torch::Tensor& coeff,
                          const torch::Tensor& scale, double beta);

// The same value by plain tensor operations (reference for tests, and the non-CPU path).
torch::Tensor composeBitsPlain(const torch::Tensor& P, const torch::Tensor& Q, const torch::Tensor& coeff,
                               const torch::Tensor& scale, double beta);

}  // namespace csq::quant
