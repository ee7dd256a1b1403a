#pragma once
// Test-set accuracy of a network, in evaluation mode without gradients, for the soft model or the
// exact integer model (every gate a step).
#include <torch/torch.h>

#include "data/dataset.h"
#include "data/normalization.h"
#include "models/network.h"
#include "quant/bit_layer.h"
#include "quant/scheme_readout.h"

namespace csq::train {

struct EvalSettings {
    torch::Device device = torch::kCPU;
    // 256 images: on the CPU a resnet20 forward over batches of 1000 ran 2.6x slower per image (its
    // activations outgrow the caches); 128 and 250 were level with 256 (docs/results/performance.md).
    int64_t batchSize = 256;
};

// Puts the model in evaluation mode for a scope, its quantized layers' weights composed once for every
// batch of the scope (BitLayer::holdWeight), and restores its mode after.
class EvalScope {
public:
    explicit EvalScope(models::Network& model);
    ~EvalScope();
    EvalScope(const EvalScope&) = delete;
    EvalScope& operator=(const EvalScope&) = delete;

private:
    models::Network& model_;
    bool wasTraining_;
    std::vector<quant::BitLayer*> held_;
};

// The dataset's images [start, start + batchSize) as evaluation feeds them (float, normalised, on the
// device) with their labels: every pass over a dataset, the measured ticket's included, sees these batches.
struct EvalBatch {
    torch::Tensor input, labels;
};
EvalBatch evaluationBatch(const data::Dataset& dataset, const data::Normalization& norm, const EvalSettings& settings,
                          int64_t start);

// One batch's summed cross-entropy (a 0-d double tensor): what crossEntropySum adds up.
torch::Tensor batchCrossEntropy(const torch::Tensor& logits, const torch::Tensor& labels);

// Images classified correctly. Restores the model's training mode.
int64_t correctCount(models::Network& model, const data::Dataset& dataset, const data::Normalization& norm,
                     const EvalSettings& settings);

// Summed cross-entropy over the dataset (nats). Restores the model's training mode.
double crossEntropySum(models::Network& model, const data::Dataset& dataset, const data::Normalization& norm,
                       const EvalSettings& settings);

// Percent correct over the dataset (0 for an empty one). Restores the model's training mode.
double accuracy(models::Network& model, const data::Dataset& dataset, const data::Normalization& norm,
                const EvalSettings& settings);

// Images classified correctly with every BitLayer in exact mode for the duration.
int64_t exactCorrectCount(models::Network& model, const std::vector<quant::NamedBitLayer>& layers,
                          const data::Dataset& dataset, const data::Normalization& norm, const EvalSettings& settings);

// Logits of the first `count` test images (for --evaluate comparisons with Python).
torch::Tensor logits(models::Network& model, const data::Dataset& dataset, const data::Normalization& norm,
                     int64_t count, const EvalSettings& settings);

}  // namespace csq::train
