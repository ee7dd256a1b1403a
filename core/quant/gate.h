#pragma once
// The gate f_beta(x) = sigmoid(beta * x) that relaxes every binary choice of CSQ (its hard limit, a
// step at zero, is what keptMask and integerCodes read once a choice is frozen).
#include <torch/torch.h>

namespace csq::quant {

inline torch::Tensor softGate(const torch::Tensor& x, double beta)
{
    return torch::sigmoid(x * beta);
}

// The same with a temperature per element (gates of layers at different β side by side).
inline torch::Tensor softGate(const torch::Tensor& x, const torch::Tensor& beta)
{
    return torch::sigmoid(x * beta);
}

}  // namespace csq::quant
