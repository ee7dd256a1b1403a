#pragma once
// Per-channel normalization: statistics measured once on the training split, applied to each uint8
// batch as it becomes the model's float input (the dataset itself stays uint8).
#include <string>
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

// The normalization a config's input_normalization asks for (csq/input_normalization.h): measured on
// `trainImages` [N, C, H, W], none, or the given values (one pair for every channel, or one per channel).
// Throws csq::Error naming input_normalization when the given channels do not match the images'.
Normalization normalizationFor(const std::string& setting, const torch::Tensor& trainImages);

// float [B, C, H, W] = (pixel / 255 - mean) / std; an empty Normalization only scales to [0, 1].
torch::Tensor toFloatBatch(const torch::Tensor& uint8Images, const Normalization& normalization);

}  // namespace csq::data
