#pragma once
// Small tensor comparisons shared by the engine tests.
#include <torch/torch.h>

namespace csq::test {

// max_i |a_i - b_i| / max(|b_i|, floor): relative error that tolerates exact zeros in b.
inline double maxRelativeError(const torch::Tensor& a, const torch::Tensor& b, double floor = 1e-12)
{
    auto ad = a.detach().to(torch::kDouble), bd = b.detach().to(torch::kDouble);
    return ((ad - bd).abs() / bd.abs().clamp_min(floor)).max().item<double>();
}

inline double maxAbsDifference(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.detach().to(torch::kDouble) - b.detach().to(torch::kDouble)).abs().max().item<double>();
}

}  // namespace csq::test
