#pragma once
// What a running session reports, as plain values (no tensors): a Snapshot every few batches, an
// EpochResult per epoch and a RunSummary at the end. Copied to the GUI thread as is.
#include <cstdint>
#include <string>
#include <vector>

#include "csq/scheme.h"

namespace csq {

enum class Phase { Float, Search, Ticket, Finetune, Done };  // Float: optional float warm-up

struct Snapshot {
    Phase phase = Phase::Search;
    int epoch = 0;     // 0-based epoch in progress
    double t = 0;      // fractional epochs since the start
    int64_t step = 0;  // global batch index
    int64_t totalSteps = 0;
    int totalEpochs = 0;  // epochs + finetune epochs of the run in force (a resumed run's own)
    double beta = 1, lambda = 0, deltaS = 0, targetBits = 0, lr = 0;
    BudgetMode budgetMode = BudgetMode::Layer;
    std::vector<LayerScheme> layers;              // names, sizes, kept bits
    std::vector<std::vector<double>> gates;       // layers x bits: f_beta(m_b), b = 0 (LSB) first
    std::vector<std::vector<double>> maskLogits;  // layers x bits: m_b
    ModelPrecision precision;
    double ce = 0, budgetLoss = 0;  // loss parts, means over the logged window
    double trainAccuracy = 0;       // percent, over the logged window
    double imagesPerSecond = 0, etaSeconds = 0;
};

struct EpochResult {
    int epoch = 0;  // 0-based
    Phase phase = Phase::Search;
    double trainLoss = 0, trainAccuracy = 0;
    double testAccuracy = 0;           // soft model, percent
    double testAccuracyQuantized = 0;  // exact integer model, percent (= testAccuracy for float models)
    double validationAccuracy = -1;    // -1 without a validation split
    ModelPrecision precision;
    double beta = 0, targetBits = 0;
    double seconds = 0, imagesPerSecond = 0;
};

// Whether an epoch ended at chance, the network collapsed to a constant guess: training and test
// accuracy within 15 % of 100 / classes and the training loss within 0.05 nats of ln(classes). A
// healthy run leaves chance within its first epoch.
bool collapsedToChance(const EpochResult& epoch, int64_t classes);

// Where a run's wall time went, in seconds: this process's part of the run (a resumed run's from its
// resume). The parts are measured on the training thread and do not overlap; other() is the rest
// (phase changes, the prefetcher's start at each epoch, the observer's work).
struct TimeProfile {
    double wall = 0;         // from the trainer's construction to the run's last file
    double startup = 0;      // data, model, weights, run folder (and a resume's checkpoint), to the first batch
    double steps = 0;        // training steps: forward, backward, optimizer
    double data = 0;         // waiting for the next batch
    double evaluation = 0;   // test and validation accuracy
    double ticket = 0;       // the ticket by measured loss (ticket_by_loss): its passes over calibration images
    double sensitivity = 0;  // sensitivity measurements during the run (sensitivity_every, asked for), files included
    double snapshots = 0;    // the figures reported every few batches
    double files = 0;        // metrics.csv, scheme.json, the exported models, summary.json
    double checkpoints = 0;  // checkpoint.pt
    double other() const
    {
        return wall - (startup + steps + data + evaluation + ticket + sensitivity + snapshots + files + checkpoints);
    }
};

struct RunSummary {
    std::string model, dataset, budgetMode;
    int maxBits = 0;
    double targetBits = 0;
    ModelPrecision precision;
    double testAccuracy = 0, testAccuracyQuantized = 0;
    int epochs = 0;
    double seconds = 0, imagesPerSecond = 0;
    std::vector<LayerScheme> layers;
    std::string runDir;
    bool floatModel = false;
    double importedTestAccuracy = -1;  // the imported float model's test accuracy; < 0 when none was imported
    ModelCost cost;                    // the quantized layers' MACs, MAC-weighted bits and BitOPs per image
    int collapsedEpoch = 0;            // the first epoch (1-based) that ended at chance (collapsedToChance); 0: none
    int64_t totalParams = 0;           // the network's weights, biases and batch-norm parameters (as a float model)
    TimeProfile time;
};

}  // namespace csq
