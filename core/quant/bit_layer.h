#pragma once
// Bit-parameterized Linear and Conv2d: the layers CSQ quantizes. Each owns a BitWeight and an
// optional float bias (biases stay float, as in the reference code and common practice).
#include <array>
#include <cstdint>

#include <torch/torch.h>

#include "quant/act_quantizer.h"
#include "quant/bit_weight.h"

namespace csq::quant {

// Common base so the trainer, the budget and the scheme readout can find every quantized layer.
class BitLayer : public torch::nn::Module {
public:
    virtual torch::Tensor forward(const torch::Tensor& input) = 0;
    // The layer's operation with an explicit weight and bias (undefined: none).
    virtual torch::Tensor apply(const torch::Tensor& input, const torch::Tensor& weight,
                                const torch::Tensor& bias) const = 0;
    // forward() followed by the per-output-channel map y * scale + shift, as one operation with the
    // weight and bias scaled: an evaluation-mode batch norm folded into the layer.
    torch::Tensor forwardScaled(const torch::Tensor& input, const torch::Tensor& scale, const torch::Tensor& shift);
    virtual int64_t fanIn() const = 0;

    // Quantizes this layer's input to k bits (0: float); the network's first layer keeps float input.
    // Signed: the input can be negative (no ReLU before it), so its range is [-r, r], not [0, r].
    void setInputBits(int bits, bool isSigned = false);
    // The input quantizer; null when the input stays float.
    ActQuantizer inputQuantizer() const { return input_; }

    // Float mode (warm-up): forward uses the float `weight`; commitFloatWeights() then writes it into
    // the bits (initFromFloat) and freezes it. Outside float mode `weight` is frozen and unused.
    void setFloatMode(bool on);
    bool floatMode() const { return floatMode_; }
    void commitFloatWeights(const BitInit& init);
    // Lattice finetune (after the ticket): `weight` starts from `start` (the weight the network was
    // trained with) and trains as a float latent rounded onto the kept bits, at the scale that rounds
    // `start` best (BitWeight::trainOnLattice, fitScaleToLattice); P and Q stop training.
    void trainOnLattice(const torch::Tensor& start);
    // Re-attaches the latent after a checkpoint replaced `weight` and the mask (resume).
    void reattachLattice();
    // Evaluation composes the weight once for all its batches (EvalScope): without autograd, forward
    // uses the held weight until releaseWeight(). Nothing may change the bits meanwhile.
    void holdWeight();
    void releaseWeight() { held_.reset(); }
    torch::Tensor weight;

    // Multiply-accumulates per image (train/layer_macs.h); 0 until measured.
    int64_t macs() const { return macs_; }
    void setMacs(int64_t macs) { macs_ = macs; }

    BitWeight& bits() { return bits_; }
    const BitWeight& bits() const { return bits_; }
    torch::Tensor bias;  // undefined when the layer has none

    // Initialize from a float layer's weights (and bias when given).
    void initFromFloat(const torch::Tensor& floatWeight, const torch::Tensor& floatBias = {}, const BitInit& init = {});
    void initFresh(const BitInit& init = {});

    // The weight a forward uses now: the held one (evaluation), the float one (warm-up) or the composed
    // bits (search: soft gates; lattice finetune; exact mode: the integer weight).
    torch::Tensor currentWeight()
    {
        if (held_.defined() && !torch::GradMode::is_enabled()) return held_;
        return floatMode_ ? weight : bits_->forward();
    }

protected:
    BitLayer(std::vector<int64_t> weightShape, int maxBits, bool withBias);
    torch::Tensor quantizeInput(const torch::Tensor& input) { return input_ ? input_->forward(input) : input; }

private:
    torch::Tensor held_;
    BitWeight bits_;
    ActQuantizer input_{nullptr};
    bool floatMode_ = false;
    int64_t macs_ = 0;
};

struct BitLinearOptions {
    int64_t in = 0, out = 0;
    bool bias = true;
    int maxBits = 8;
};

class BitLinearImpl : public BitLayer {
public:
    explicit BitLinearImpl(const BitLinearOptions& options);
    torch::Tensor forward(const torch::Tensor& input) override;
    torch::Tensor apply(const torch::Tensor& input, const torch::Tensor& weight,
                        const torch::Tensor& bias) const override;
    int64_t fanIn() const override { return options.in; }
    BitLinearOptions options;
};
TORCH_MODULE(BitLinear);

struct BitConv2dOptions {
    int64_t in = 0, out = 0;
    std::array<int64_t, 2> kernel{3, 3};
    std::array<int64_t, 2> stride{1, 1};
    std::array<int64_t, 2> padding{0, 0};
    std::array<int64_t, 2> dilation{1, 1};
    int64_t groups = 1;
    bool bias = true;
    int maxBits = 8;
};

class BitConv2dImpl : public BitLayer {
public:
    explicit BitConv2dImpl(const BitConv2dOptions& options);
    torch::Tensor forward(const torch::Tensor& input) override;
    torch::Tensor apply(const torch::Tensor& input, const torch::Tensor& weight,
                        const torch::Tensor& bias) const override;
    int64_t fanIn() const override;
    BitConv2dOptions options;
};
TORCH_MODULE(BitConv2d);

}  // namespace csq::quant
