#pragma once
// A run's network as the run starts it: built from its spec for the data's shape, every quantized layer
// initialised (bit and mask logits) and held as the config says (uniform bits, a scheme file, edge
// layers at max bits). The trainer and the planned start (csq/planned_start.h) both build it here, so
// the scheme the GUI shows before Start is the one the run begins with.
#include <memory>
#include <string>
#include <vector>

#include "csq/config.h"
#include "csq/snapshot.h"
#include "models/network.h"
#include "quant/scheme_readout.h"

namespace csq::train {

struct RunModel {
    std::shared_ptr<models::Network> network;
    std::vector<quant::NamedBitLayer> layers;  // the quantized layers, in forward order
    std::string name;                          // the spec's name (or its file's stem), else config.model
    std::string definition;                    // the spec JSON or TorchScript archive the network was built from
};

RunModel buildRunModel(const TrainingConfig& config, const models::InputShape& shape);

// The model's precision; a float model (no quantized layer) counts at 32 bits, what its weights take.
ModelPrecision modelPrecision(const std::vector<LayerScheme>& layers);

// The scheme part of a snapshot: each layer's kept bits, mask gates f_beta(m_b) and logits m_b, and the
// model's precision.
void readSchemeInto(const std::vector<quant::NamedBitLayer>& layers, Snapshot& snapshot);

}  // namespace csq::train
