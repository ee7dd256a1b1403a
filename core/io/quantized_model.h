#pragma once
// quantized.pt: the exact integer model as a torch.load-able dict. For each quantized layer
// "<name>.codes" (int32 integers q), "<name>.scale", "<name>.kept" (uint8 per bit, LSB first) and
// "<name>.max_bits"; every float tensor (biases, batch norm, activation ranges) under its own name;
// "__config__" (the run's config JSON), "__input_shape__" [C, H, W, classes], "__norm_mean__",
// "__norm_std__", and the network's definition: "__model_spec__" (the spec JSON) or "__torchscript__"
// (the TorchScript archive's bytes, uint8). Weight of a quantized layer = scale * codes / (2^max_bits - 1).
#include <memory>
#include <string>

#include "csq/config.h"
#include "data/normalization.h"
#include "models/network.h"
#include "quant/scheme_readout.h"

namespace csq::io {

void writeQuantizedModel(const std::string& path, models::Network& model, const TrainingConfig& config,
                         const models::InputShape& shape, const data::Normalization& norm,
                         const std::string& definition);

struct QuantizedModel {
    TrainingConfig config;
    std::string modelName;  // the spec's name (the zoo model's for zoo runs)
    models::InputShape shape;
    data::Normalization norm;
    std::shared_ptr<models::Network> network;  // quantized layers in exact mode
    std::vector<quant::NamedBitLayer> layers;
};

// Rebuilds the network from the file (or reads a quantized_module.pt, quantized_module.h); throws
// csq::Error naming the file and the tensor at fault.
QuantizedModel readQuantizedModel(const std::string& path);

}  // namespace csq::io
