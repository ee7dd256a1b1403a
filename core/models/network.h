#pragma once
// The networks CSQ trains, built through a LayerFactory so the same architecture comes out either
// quantized (BitConv2d / BitLinear) or as the float baseline (torch Conv2d / Linear).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "csq/layer_rules.h"

#include "models/synced_batch_norm.h"
#include "quant/act_quantizer.h"

namespace csq::models {

struct InputShape {
    int64_t channels = 1, height = 28, width = 28, classes = 10;
};

class Network : public torch::nn::Module {
public:
    virtual torch::Tensor forward(torch::Tensor x) = 0;

    // The forward pass as a sequence of stages (a spec's top-level steps; a residual block is one):
    // forwardStages(x, 0, stageCount()) is forward(x), the same operations in the same order. Who
    // changes one layer and runs again reruns only from that layer's stage (the measured ticket): a
    // pass cut at a layer's stage computes what the whole one does to the last bit (evaluation folds a
    // batch norm into the conv before it, so a cut between the two would round differently).
    virtual size_t stageCount() const = 0;
    virtual torch::Tensor forwardStages(torch::Tensor x, size_t from, size_t to) = 0;
    // The stage that holds `layer`; 0 when none does (running from the start is right for any layer).
    virtual size_t stageOf(const torch::nn::Module& layer) const = 0;

    // Whether the network came with trained weights (a TorchScript file): its quantized layers then
    // start from them (BitLayer::initFromFloat), not from a fresh draw.
    virtual bool carriesWeights() const { return false; }

    // One rank of a data-parallel run: batch norm in training normalizes with the whole batch's
    // statistics, summed over the ranks by `sum` (synced_batch_norm.h).
    void shareBatchStatistics(RankSum sum) { ranks_ = c10::make_intrusive<RankSumHolder>(std::move(sum)); }
    // One rank of a data-parallel run: activation ranges calibrate on the whole batch's maximum, the
    // maximum over the ranks (rankMaxFrom), so every rank keeps the same ranges.
    void shareActivationRanges(const quant::RankMax& rankMax);

protected:
    c10::intrusive_ptr<RankSumHolder> ranks_;  // null in a single process
};

// The maximum over the ranks through a sum: each rank fills its own slot of a [world] vector of zeros,
// the sum gathers every rank's value, and the maximum is taken over the slots.
quant::RankMax rankMaxFrom(RankSum sum, int rank, int world);

// A layer's own quantization, overriding the run's: kept float, or searched with other max bits.
struct LayerQuant {
    bool quantize = true;
    int maxBits = 0;          // 0: the run's max_bits
    bool signedInput = true;  // the input can be negative (false after a ReLU): its activation range is [-r, r]
};

// Makes conv and linear layers: quantized with N max bits, or float. The first layer built keeps
// float inputs; later ones quantize their input to `actBits` (0: float). The config's layer rules
// (csq/layer_rules.h) override what a spec says of a layer.
class LayerFactory {
public:
    LayerFactory(bool floatModel, int maxBits, int actBits, std::vector<LayerRule> rules = {})
        : float_(floatModel), maxBits_(maxBits), actBits_(actBits), rules_(std::move(rules))
    {
    }

    // The layer `name`'s quantization: what its spec says, overridden by the last rule matching it.
    LayerQuant quantFor(const std::string& name, LayerQuant fromSpec) const;
    // Whether a layer with this quantization is built quantized, and with how many max bits.
    bool quantizes(const LayerQuant& quant) const { return !float_ && quant.quantize; }
    int maxBitsOf(const LayerQuant& quant) const { return quant.maxBits > 0 ? quant.maxBits : maxBits_; }
    int actBits() const { return actBits_; }

    torch::nn::AnyModule conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0,
                              bool bias = true, LayerQuant quant = {});
    torch::nn::AnyModule linear(int64_t in, int64_t out, bool bias = true, LayerQuant quant = {});

private:
    int nextInputBits();
    bool float_;
    int maxBits_, actBits_;
    std::vector<LayerRule> rules_;
    bool first_ = true;
};

}  // namespace csq::models
