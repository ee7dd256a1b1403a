#pragma once
// Which layer is sensitive, measured: each quantized layer alone rounded onto k = 1..N bits (the
// lattice its finetune would start from), the rest of the network as it stands, and the loss and
// accuracy that adds on 1024 evenly spaced training images. The measured ticket (ticket_by_loss) buys
// its bits from these same figures: one implementation. Torch-free: for the programs and the GUI.
#include <cstdint>
#include <string>
#include <vector>

#include "csq/config.h"

namespace csq {

struct LayerSensitivity {
    std::string name;
    int64_t params = 0, macs = 0;
    int maxBits = 0;
    bool held = false;                 // outside the search (a rule, uniform bits, a scheme): not measured
    std::vector<double> lossAdded;     // [k - 1]: mean cross-entropy added on k bits (nats)
    std::vector<double> accuracyDrop;  // [k - 1]: accuracy lost on k bits (percentage points)
};

struct Sensitivity {
    double epoch = 0;              // when it was measured (0: before training)
    int64_t images = 0;            // calibration images
    double referenceLoss = 0;      // the network as it stands: mean cross-entropy
    double referenceAccuracy = 0;  // and accuracy (%) on those images
    std::vector<LayerSensitivity> layers;
};

// The model a run of `config` would start with (its weights: a TorchScript file's, --weights, or its
// initialisation), measured before any training. Throws csq::Error as a run would on bad input.
Sensitivity measureSensitivity(const TrainingConfig& config);

// sensitivity.csv: layer,params,macs,bits,loss_added,accuracy_drop,epoch, a row per measured count.
std::string sensitivityCsv(const Sensitivity& sensitivity);
// Writes it into `directory` (made if missing), whole or not at all; returns the file's path.
std::string writeSensitivity(const std::string& directory, const Sensitivity& sensitivity);
// A Markdown table for the terminal: a row per layer, a column per bit count, "nats (−points)".
std::string sensitivityTable(const Sensitivity& sensitivity);

}  // namespace csq
