// Trainer: the run files it writes (metrics, scheme, checkpoint, exported models, summary).
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "io/float_weights.h"
#include "io/quantized_model.h"
#include "io/quantized_module.h"
#include "train/timed.h"
#include "train/trainer.h"
#include "csq/run_directory.h"

namespace csq::train {

// At most every 2 s, so that the GUI can follow a run another process writes (csq-train, rank 0).
void Trainer::writeLiveFiles()
{
    const auto now = std::chrono::steady_clock::now();
    if (!writesFiles() || now - lastLiveWrite_ < std::chrono::seconds(2)) return;
    lastLiveWrite_ = now;
    Timed timed(time_.files);
    metrics_.write(file(run_files::kMetrics));
    exportScheme(file(run_files::kScheme));
}

void Trainer::writeFinalFiles(RunSummary& summary)
{
    if (writesFiles()) {
        {
            Timed timed(time_.files);
            exportScheme(file(run_files::kScheme));
            exportQuantized(file(run_files::kQuantized));
            if (auto* script = dynamic_cast<models::ScriptNetwork*>(model_.get())) {
                const auto layers = quant::readScheme(layers_);
                const auto scheme = io::schemeJson(layers, precisionOf(layers), config_.budgetMode, config_.targetBits);
                io::writeQuantizedModule(file(run_files::kQuantizedModule), *script, config_, shape_, norm_, modelName_,
                                         scheme);
            }
            const auto state = torch::pickle_save(c10::IValue(io::dequantizedStateDict(*model_, names_)));
            io::writeFileAtomic(file(run_files::kDequantizedStateDict), std::string_view(state.data(), state.size()));
        }
        writeCheckpoint(file(run_files::kCheckpoint));
        Timed timed(time_.files);
        metrics_.write(file(run_files::kMetrics));
    }
    // summary.json is the last file: its own write (a few kB) is the one part the profile leaves out.
    time_.wall = secondsSince(created_);
    summary.time = time_;
    if (writesFiles()) io::writeFileAtomic(file(run_files::kSummary), io::summaryJson(summary));
}

void Trainer::saveCheckpoint(const std::string& path)
{
    syncEpochSums();  // every rank: the sums are exchanged
    if (writesFiles()) writeCheckpoint(path);
}

void Trainer::writeCheckpoint(const std::string& path)
{
    Timed timed(time_.checkpoints);
    // A diverged model never replaces a good checkpoint, whichever path asked for the save.
    for (const auto& p : model_->parameters())
        if (!torch::isfinite(p).all().item<bool>())
            throw Diverged(path, "not saved: the model holds NaN or Inf values", "lower the learning rates");
    io::saveCheckpoint(path, *model_, optim_.optimizers, {toJson(config_), position_});
}

void Trainer::exportScheme(const std::string& path) const
{
    const auto layers = quant::readScheme(layers_);
    io::writeFileAtomic(path, io::schemeJson(layers, precisionOf(layers), config_.budgetMode, config_.targetBits));
}

void Trainer::exportQuantized(const std::string& path) const
{
    io::writeQuantizedModel(path, *model_, config_, shape_, norm_, definition_);
}

}  // namespace csq::train
