#pragma once
// How images become a model's input (config input_normalization). A user's own model expects the
// input it was trained with: "dataset" (each channel's mean and std measured on the training split,
// the default), "none" (pixels / 255, in [0, 1]) or "m1,m2,m3/s1,s2,s3": means and standard deviations
// per channel in units of pixel / 255, as torchvision's Normalize takes them (one pair applies to
// every channel). Torch-free: the config's validation reads it too.
#include <string>
#include <vector>

namespace csq {

struct InputNormalization {
    enum class Kind { Dataset, None, Given } kind = Kind::Dataset;
    std::vector<float> mean, std;  // Given only
};

// Throws csq::Error naming `source` and saying what is accepted.
InputNormalization parseInputNormalization(const std::string& text, const std::string& source = "input_normalization");

}  // namespace csq
