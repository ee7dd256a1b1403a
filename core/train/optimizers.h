#pragma once
// The run's optimizers: float parameters and scales with `optimizer` at `lr`; bit and mask logits with
// `bit_optimizer` at `bit_lr` / `mask_lr`. Shared by the trainer and csq-bench, so both time the same
// update.
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "csq/config.h"
#include "quant/scheme_readout.h"

namespace csq::train {

enum class LrSource { Float, Bits, Masks };

struct OptimizerSet {
    struct Group {
        size_t optimizer, group;
        LrSource source;
    };
    std::vector<std::unique_ptr<torch::optim::Optimizer>> optimizers;
    std::vector<Group> groups;
    // The layers' scales: a step changes each by at most this fraction of its value (see step()).
    std::vector<torch::Tensor> scales;
    static constexpr double kMaxScaleStep = 0.1;

    // Every group at its base rate times `factor` (float) or `bitFactor` (bit and mask logits).
    void setLearningRates(const TrainingConfig& config, double factor, double bitFactor);
    void zeroGrad();
    // Every optimizer's step, then each scale held within (1 ± kMaxScaleStep) of its value before.
    void step();
    // Forgets the state (momentum, Adam moments) kept for one parameter.
    void forget(const torch::Tensor& parameter);
};

double baseLr(const TrainingConfig& config, LrSource source);
OptimizerSet buildOptimizers(torch::nn::Module& model, const std::vector<quant::NamedBitLayer>& layers,
                             const TrainingConfig& config);

}  // namespace csq::train
