#pragma once
// A network described in JSON: a sequence of layers and residual blocks, each parametric layer named
// as in the user's PyTorch model (so imported weights match by name), with per-layer quantization.
// The zoo models are such specs too (resources/models/*.json): one source of truth.
//
//   {"name": "tiny", "layers": [
//     {"type": "conv", "name": "features.0", "out": 8, "kernel": 3, "padding": 1, "bias": false},
//     {"type": "batchnorm", "name": "features.1"}, {"type": "relu"}, {"type": "maxpool", "kernel": 2},
//     {"type": "residual", "name": "block", "body": [...], "shortcut": [...], "activation": "relu"},
//     {"type": "flatten"}, {"type": "linear", "name": "fc", "out": "classes", "quantize": false}]}
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace csq::models {

enum class LayerKind {
    Conv,
    Linear,
    BatchNorm,
    Relu,
    Relu6,
    MaxPool,
    AvgPool,
    AdaptiveAvgPool,
    Flatten,
    Dropout,
    Residual
};

struct LayerSpec {
    LayerKind kind = LayerKind::Relu;
    std::string name;      // module path relative to the enclosing block ("" for parameter-free layers)
    std::string jsonPath;  // where it was written, e.g. "layers[3].body[1]", for messages
    // conv / linear
    int64_t out = 0;  // output channels or features; 0 with outIsClasses: the dataset's classes
    bool outIsClasses = false;
    int64_t kernel = 1, stride = 1, padding = 0;
    bool bias = true;
    std::optional<bool> quantize;  // unset: quantized unless the model is float
    std::optional<int> maxBits;    // unset: the run's max_bits
    // batch norm
    double eps = 1e-5, momentum = 0.1;
    // pooling, dropout
    int64_t outputSize = 1;  // adaptive pooling
    double dropout = 0.5;
    // residual: out = activation(body(x) + shortcut(x)), shortcut empty = identity
    std::vector<LayerSpec> body, shortcut;
    bool activationAfterAdd = true;
};

struct ModelSpec {
    std::string name;
    std::vector<LayerSpec> layers;
};

// Parses and checks a spec; errors name `source` and the JSON path, e.g.
// "spec.json: layers[2].kernel: expected a whole number >= 1".
ModelSpec parseModelSpec(const std::string& jsonText, const std::string& source);

}  // namespace csq::models
