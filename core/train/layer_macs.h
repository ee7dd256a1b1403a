#pragma once
// The multiply-accumulates each quantized layer does per image, from the real shapes of one forward
// pass (a conv: out_h·out_w·k_h·k_w·c_in/groups·c_out; a linear: in·out), for zoo, spec and TorchScript
// models alike: the graph of one float forward of one image is walked back from the output to the op
// that reads each layer's weight, and that op's output size gives the count.
#include <vector>

#include "models/network.h"
#include "quant/scheme_readout.h"

namespace csq::train {

// Sets each layer's macs (BitLayer::setMacs). Call on a network built, not yet trained (it passes
// through float mode); leaves its modes and weights as they were.
void measureLayerMacs(models::Network& network, const std::vector<quant::NamedBitLayer>& layers,
                      const models::InputShape& input);

}  // namespace csq::train
