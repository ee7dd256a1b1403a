#pragma once
// k-bit activation quantizer with a straight-through estimator. The clipping range is calibrated as
// a running maximum in training and frozen in evaluation, so the exported model reproduces it. In a
// data-parallel run each rank's batch maximum is replaced by the maximum over the ranks, so every rank
// keeps the range one process with the whole batch would.
#include <functional>

#include <torch/torch.h>

namespace csq::quant {

struct ActQuantizerOptions {
    int bits = 0;           // 0: float activations (identity)
    bool isSigned = false;  // false: range [0, r] (after ReLU); true: [-r, r] (input that can be negative)
    double momentum = 0.1;  // running-range update per training batch
};

// The element-wise maximum of a tensor over the ranks of a data-parallel run (a collective).
using RankMax = std::function<torch::Tensor(const torch::Tensor&)>;

class ActQuantizerImpl : public torch::nn::Module {
public:
    explicit ActQuantizerImpl(const ActQuantizerOptions& options = {});
    // Forward: 2^k evenly spaced levels over the range; backward: identity inside it, zero outside.
    torch::Tensor forward(const torch::Tensor& x);
    double range() const { return range_.item<double>(); }
    // Data-parallel: batch ranges are the maximum over the ranks from here on (empty: this process's).
    void shareRanges(RankMax rankMax) { rankMax_ = std::move(rankMax); }

    ActQuantizerOptions options;

private:
    torch::Tensor range_;       // r, buffer
    torch::Tensor calibrated_;  // 0 until the first training batch set r, buffer
    RankMax rankMax_;
};
TORCH_MODULE(ActQuantizer);

}  // namespace csq::quant
