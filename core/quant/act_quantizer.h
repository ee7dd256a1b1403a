#pragma once
// k-bit activation quantizer with a straight-through estimator. The clipping range is calibrated as
// a running maximum in training and frozen in evaluation, so the exported model reproduces it.
#include <torch/torch.h>

namespace csq::quant {

struct ActQuantizerOptions {
    int bits = 0;             // 0: float activations (identity)
    bool isSigned = false;    // false: range [0, r] (after ReLU); true: [-r, r]
    double momentum = 0.1;    // running-range update per training batch
};

class ActQuantizerImpl : public torch::nn::Module {
public:
    explicit ActQuantizerImpl(const ActQuantizerOptions& options = {});
    // Forward: 2^k evenly spaced levels over the range; backward: identity inside it, zero outside.
    torch::Tensor forward(const torch::Tensor& x);
    double range() const { return range_.item<double>(); }

    ActQuantizerOptions options;

private:
    torch::Tensor range_;       // r, buffer
    torch::Tensor calibrated_;  // 0 until the first training batch set r, buffer
};
TORCH_MODULE(ActQuantizer);

}  // namespace csq::quant
