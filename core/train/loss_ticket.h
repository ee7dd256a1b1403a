#pragma once
// The ticket by measured loss (config ticket_by_loss). CSQ's mask logits rank bits by how far Adam
// moved them, and Adam moves every logit at one pace: a big layer, whose budget gradient outweighs
// its noisy cross-entropy gradient, falls fastest and loses the most bits, whatever they are worth.
// Here each searchable layer alone is rounded onto k bits (the rest of the network as trained), the
// loss it adds on calibration images is measured, and the bit counts that add least loss within the
// budget are kept (quant/bit_allocation.h).
#include <string>
#include <vector>

#include <torch/torch.h>

#include "csq/scheme.h"
#include "data/dataset.h"
#include "data/normalization.h"
#include "models/network.h"
#include "quant/scheme_readout.h"
#include "train/evaluator.h"
#include "train/ranks.h"

namespace csq::train {

struct BitCosts {
    // [i][k - 1]: mean cross-entropy added when searchable layer i alone sits on k bits, as measured.
    std::vector<std::vector<double>> lossAdded;
    // The same made non-increasing in k (a measured rise with more bits is noise): what the ticket buys.
    std::vector<std::vector<double>> increase;
    // [i][k - 1]: accuracy lost, in percentage points, on the same passes.
    std::vector<std::vector<double>> accuracyDrop;
    std::vector<size_t> layer;     // index into the layers of each row
    double reference = 0;          // mean cross-entropy of the network as trained
    double referenceAccuracy = 0;  // its accuracy (%) on the calibration images
    int64_t images = 0;            // calibration images over every rank
};

struct LossTicketInput {
    models::Network& model;
    const std::vector<quant::NamedBitLayer>& layers;
    const std::vector<torch::Tensor>& trained;  // each layer's weight as trained (the finetune's start)
    const data::Dataset& images;                // this rank's calibration images
    const data::Normalization& norm;
    EvalSettings eval;
    const Ranks& ranks;  // the loss sums over every rank's images
};

// Measures 1..maxCount bits (at most each layer's own maximum) for every searchable layer. Every layer's
// mode and weight are as before on return. The layer sensitivity (csq/sensitivity.h) is this.
BitCosts measureBitCosts(const LossTicketInput& in, int maxCount);

// Evenly spaced training images, unaugmented, this rank's share: what the measurements run on.
data::Dataset calibrationImages(const data::Dataset& train, const Ranks& ranks);

struct LossTicket {
    BitCosts costs;
    std::vector<int> bits;  // the count kept, per row of costs
    std::string logLine;    // the counts and the loss they add
    // ticket_costs.csv: layer,params,bits,loss_added,kept (1 on the chosen count), a row per measurement
    std::string csv;
};

// The ticket: measures, chooses the counts within `target` (the budget's measure in `mode`, layers
// held out of the search counted at their bits) and keeps each searchable layer's top that many bits.
LossTicket drawTicketByLoss(const LossTicketInput& in, BudgetMode mode, double target);

}  // namespace csq::train
