#pragma once
// The gate f_beta(x) = sigmoid(beta * x) that relaxes every binary choice of CSQ, and its hard
// limit (a step at zero) used once a choice is frozen or for the exact integer model.
#include <torch/torch.h>

namespace csq::quant {

inline torch::Tensor softGate(const torch::Tensor& x, double beta) { return torch::sigmoid(x * beta); }

// 1[x >= 0] in x's dtype; carries no gradient.
inline torch::Tensor hardGate(const torch::Tensor& x) { return x.ge(0).to(x.scalar_type()); }

}  // namespace csq::quant
