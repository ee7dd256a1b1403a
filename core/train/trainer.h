#pragma once
// One CSQ training run: data, model, optimizer and schedule, the batch loop with its phases
// (search -> ticket -> finetune), live patches at batch boundaries, evaluation, and the run files.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "csq/config.h"
#include "csq/sensitivity.h"
#include "csq/errors.h"
#include "csq/observer.h"
#include "csq/snapshot.h"
#include "csq/run_directory.h"
#include "data/batcher.h"
#include "data/dataset.h"
#include "data/normalization.h"
#include "io/float_weights.h"
#include "io/run_files.h"
#include "models/network.h"
#include "quant/scheme_readout.h"
#include "train/control.h"
#include "train/optimizers.h"
#include "train/ranks.h"
#include "io/run_position.h"

namespace csq::train {

// The loss turned NaN or Inf: thrown at the snapshot that sees it, before anything is saved.
class Diverged : public Error {
public:
    using Error::Error;
};

class Trainer {
public:
    // A fresh run: validates the config, loads the data, builds and initializes the model.
    Trainer(TrainingConfig config, Observer& observer);
    // Continues the run saved in checkpoint.pt, writing to `runDir` (default: the checkpoint's folder).
    // `lrScale` multiplies the saved learning rates (a rollback after divergence halves them).
    static std::unique_ptr<Trainer> resume(const std::string& checkpointPath, Observer& observer,
                                           const std::string& runDir = {}, double lrScale = 1.0);

    // Makes this trainer one rank of a data-parallel run: checks that every rank has the same config,
    // data and position, then copies rank 0's weights to all. Call before run().
    void joinCluster(std::shared_ptr<dist::Cluster> cluster);

    // Trains until done or stopped; on stop the position is saved to checkpoint.pt.
    void run(Control& control);

    void saveCheckpoint(const std::string& path);  // in a data-parallel run every rank calls it; rank 0 writes
    void exportScheme(const std::string& path) const;
    void exportQuantized(const std::string& path) const;
    void writeMetrics(const std::string& path) const { metrics_.writeCopy(path); }

    // Each searchable layer's loss and accuracy on 1..N bits, the network as it stands (csq/sensitivity.h).
    // In a data-parallel run every rank calls it.
    Sensitivity measureSensitivity();
    // Measures it, adds its rows to the run's sensitivity.csv, logs and reports it (Observer::onSensitivity).
    void reportSensitivity();

    const TrainingConfig& config() const { return config_; }
    const std::string& runDir() const { return runDir_; }
    std::string checkpointPath() const { return file(run_files::kCheckpoint); }
    const io::RunPosition& position() const { return position_; }
    bool quantized() const { return !layers_.empty(); }
    // Whether the soft model is the exact one: every layer still float (the warm-up) or on its lattice
    // (from the ticket in lattice mode, and held schemes). Its exact accuracy is then its accuracy.
    bool softIsExact() const;

private:
    struct Window;  // running sums between two snapshots

    void loadData();
    void buildModel();
    void importWeights();  // config.weights into the float layers, then the bits from them
    void buildOptimizer();
    void warnIfSearchCannotPrune();  // a search too short for any mask logit to cross zero
    void prepareRunDir();
    double batchesPerEpoch() const;
    bool writesFiles() const { return ranks_.isRoot(); }  // rank 0 alone writes
    void averageGradients(bool wantStop);                 // over the ranks, agreeing on a stop: all stop at one batch
    int64_t countCorrect(const data::Dataset& dataset, bool exact);   // over every rank's share
    double percentCorrect(const data::Dataset& dataset, bool exact);  // 0 for an empty split
    void writeLiveFiles();                                            // metrics and scheme for a GUI following the run
    void writeCheckpoint(const std::string& path);

    bool runEpoch(data::Batcher& batcher, Control& control);  // false when stopped
    void endEpoch();
    void reportCollapse();  // an epoch at chance (collapsedToChance)
    void seedEpochSums();
    void syncEpochSums();
    void applyControl(Control& control, double t);
    void applyPhaseChanges(double t);
    Phase modelPhase(double t) const;
    void finishPhases();  // what is due at the run's end, after the last epoch row
    void commitFloatWeights();
    void drawTicket();
    void setGates(double beta);
    void trainStep(const data::Batch& batch, double t, Window& window, bool wantStop);
    void prepareInput(data::Batch& batch) const;  // on the prefetch worker: normalized float images
    void emitSnapshot(Window& window, double t);
    EpochResult finishEpoch(int epoch, double epochSeconds, double epochImages);
    RunSummary summarize() const;
    void writeFinalFiles(RunSummary& summary);  // and completes summary.time
    std::string file(const char* name) const;

    std::chrono::steady_clock::time_point created_ = std::chrono::steady_clock::now();
    TimeProfile time_;  // time_.steps: this process's step seconds (the ETA's pace)
    TrainingConfig config_;
    Observer& observer_;
    std::string runDir_;
    torch::Device device_ = torch::kCPU;
    data::DataSplits data_;
    data::Normalization norm_;
    io::NameMap names_;                      // their weight names <-> ours, for import and export
    double importedAccuracy_ = -1;           // float test accuracy of the imported weights
    int collapsedEpoch_ = 0;                 // the first epoch at chance (1-based); 0: none
    std::string definition_;                 // the spec or TorchScript archive the network was built from
    std::string modelName_ = config_.model;  // the spec's name when a spec file is used
    models::InputShape shape_;
    std::shared_ptr<models::Network> model_;
    std::vector<quant::NamedBitLayer> layers_;
    OptimizerSet optim_;  // float params and scales; bit and mask logits
    io::RunPosition position_;
    io::MetricsLog metrics_;
    EpochResult lastEpoch_;
    double lastBeta_ = -1;
    int64_t stepsThisSession_ = 0;
    torch::Tensor epochLoss_, epochCorrect_;  // device-side sums of the epoch in progress
    double epochSeen_ = 0;                    // images of the epoch in progress (this rank's, + the base)
    Ranks ranks_;                             // one process unless joinCluster
    bool agreedStop_ = false;                 // a rank asked to stop: all stop before the next batch
    double epochSeconds_ = 0, epochImages_ = 0;
    std::chrono::steady_clock::time_point lastLiveWrite_{};
};

}  // namespace csq::train
