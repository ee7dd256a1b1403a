#pragma once
// Training-time augmentation of uint8 batches (random crop after zero padding, horizontal flip),
// drawn from a given seed so that a batch's augmentation is as reproducible as its order.
#include <cstdint>

#include <torch/torch.h>

namespace csq::data {

struct AugmentOptions {
    int cropPadding = 0;          // pad each side with p zero pixels, then crop back to H x W at random
    bool horizontalFlip = false;  // mirror each image left-right with probability 1/2

    bool enabled() const { return cropPadding > 0 || horizontalFlip; }
};

// Augmented copy of uint8 images [B, C, H, W] (same shape); the same seed gives the same result.
torch::Tensor augmentBatch(const torch::Tensor& images, const AugmentOptions& options, uint64_t seed);

}  // namespace csq::data
