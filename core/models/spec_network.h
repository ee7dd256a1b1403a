#pragma once
// Builds a Network from a ModelSpec: shapes are inferred layer by layer from the dataset's input (so a
// spec never states input sizes), modules are registered under their dotted names (features.0.weight,
// layer1.0.conv1.weight) and the forward pass runs the spec's sequence.
#include <memory>

#include "models/model_spec.h"
#include "models/network.h"

namespace csq::models {

// Throws csq::Error naming the layer's JSON path when the shapes do not fit (a kernel larger than its
// input, a linear layer before a flatten, a residual branch that changes the shape without a shortcut).
std::shared_ptr<Network> buildFromSpec(const ModelSpec& spec, LayerFactory& make, const InputShape& input,
                                       const std::string& source);

}  // namespace csq::models
