#pragma once
// Per-channel normalization: statistics measured once on the training split, applied to each uint8
// batch as it becomes the model's float input (the dataset itself stays uint8).
#include <vector>

#include <torch/torch.h>

namespace csq::data {

// In units of pixel / 255, one entry per channel (as torchvision's Normalize expects).
struct Normalization {
    std::vector<float> mean, std;
};

// Exact per-channel mean and (population) standard deviation of uint8 images [N, C, H, W], summed
// in integers chunk by chunk so no float copy of the whole dataset is ever made.
Normalization computeNormalization(const torch::Tensor& uint8Images);

// float [B, C, H, W] = (pixel / 255 - mean) / std; an empty Normalization only scales to [0, 1].
torch::Tensor toFloatBatch(const torch::Tensor& uint8Images, const Normalization& normalization);

}  // namespace csq::data
