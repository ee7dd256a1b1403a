// Trainer set-up: data, model, optimizer, run directory, and resuming from a checkpoint.
#include <cstdio>
#include <filesystem>
#include <mutex>

#include <boost/json.hpp>

#include "csq/errors.h"
#include "csq/run_names.h"
#include "csq/runtime.h"
#include "csq/schedule.h"
#include "csq/run_directory.h"
#include "data/dataset_loader.h"
#include "dist/cluster.h"
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "train/evaluator.h"
#include "train/run_model.h"
#include "train/trainer.h"

namespace csq::train {

namespace fs = std::filesystem;

Trainer::Trainer(TrainingConfig config, Observer& observer) : config_(std::move(config)), observer_(observer)
{
    requireValid(config_);
    const bool cuda = cudaAvailable();
    const bool wantCuda =
        config_.device == DevicePreference::Cuda || (config_.device == DevicePreference::Auto && cuda);
    if (config_.device == DevicePreference::Cuda && !cuda)
        throw Error("config: device", "CUDA was asked for but this LibTorch has no CUDA device",
                    "use device auto or cpu");
    device_ = wantCuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    loadData();
    {
        // torch's default generator is the process's: runs started side by side (a sweep's --parallel)
        // would interleave their draws, so each run seeds it and draws its initial weights alone.
        static std::mutex generator;
        const std::lock_guard lock(generator);
        torch::manual_seed(config_.seed);
        buildModel();
    }
    importWeights();
    buildOptimizer();
    warnIfSearchCannotPrune();
    runDir_ = config_.outDir;
    if (runDir_.empty()) runDir_ = (fs::path("runs") / defaultRunName(modelName_)).string();
}

std::unique_ptr<Trainer> Trainer::resume(const std::string& checkpointPath, Observer& observer,
                                         const std::string& runDir, double lrScale)
{
    auto header = io::readCheckpointHeader(checkpointPath);
    auto config = configFromJson(header.configJson, checkpointPath + ": config");
    // Its last epoch done, a run would "resume" into empty figures over its own summary.json.
    if (header.position.epoch >= config.totalEpochs())
        throw Error(checkpointPath, "holds a run that finished: there is nothing to resume",
                    "start a new run, or open its folder to compare it");
    config.lr *= lrScale;
    config.bitLr *= lrScale;
    config.maskLr *= lrScale;
    config.outDir = runDir.empty() ? fs::path(checkpointPath).parent_path().string() : runDir;
    auto trainer = std::make_unique<Trainer>(config, observer);
    trainer->position_ = header.position;
    if (trainer->position_.floatCommitted)
        for (auto& l : trainer->layers_) l.layer->setFloatMode(false);  // bits come from the checkpoint
    if (header.position.ticketDrawn) trainer->drawTicket();
    io::loadCheckpoint(checkpointPath, *trainer->model_, trainer->optim_.optimizers);
    trainer->model_->to(trainer->device_);
    if (header.position.ticketDrawn && config.finetuneMode == FinetuneMode::Lattice)
        for (auto& l : trainer->layers_) l.layer->reattachLattice();  // the loaded latent and kept bits
    trainer->metrics_.loadExisting(trainer->file(run_files::kMetrics), header.position.step);
    return trainer;
}

void Trainer::loadData()
{
    data_ = data::loadDataset(config_.data, data::loadOptions(config_));
    norm_ = data::normalizationFor(config_.inputNormalization, data_.train.images);
    shape_ = {data_.train.channels(), data_.train.height(), data_.train.width(),
              std::max({data_.train.classes, data_.test.classes, int64_t{2}})};
}

void Trainer::buildModel()
{
    auto built = buildRunModel(config_, shape_);
    model_ = std::move(built.network);
    layers_ = std::move(built.layers);
    modelName_ = std::move(built.name);
    definition_ = std::move(built.definition);
    position_.floatCommitted = !(config_.floatEpochs > 0);
    model_->to(device_);
}

void Trainer::warnIfSearchCannotPrune()
{
    const bool searches =
        !layers_.empty() && !config_.holdsScheme() && config_.lambda > 0 && config_.ticketEpoch > config_.floatEpochs;
    if (!searches) return;
    const double travel = maskTravel(config_, static_cast<int64_t>(batchesPerEpoch()));
    if (travel >= config_.maskLogitInit) return;
    char line[512];
    std::snprintf(line, sizeof line,
                  "note: this search is too short for the gates to prune: over its %.0f batches a mask logit moves "
                  "about %.2f at most and starts at mask_logit_init %.2g. The gates stay open until the ticket, whose "
                  "budget step then drops the bits of lowest mask logit (those the search's gradients valued least). "
                  "A longer search (more images or epochs) prunes during the search.",
                  (config_.ticketEpoch - config_.floatEpochs) * batchesPerEpoch(), travel, config_.maskLogitInit);
    observer_.onLog(line);
}

void Trainer::importWeights()
{
    names_ = io::NameMap::load(config_.nameMap);
    if (config_.weights.empty() && !model_->carriesWeights()) return;
    std::string from = config_.modelSpec;
    if (!config_.weights.empty()) {
        const auto weights = io::readFloatWeights(config_.weights);
        const int copied = io::importFloatWeights(*model_, weights, names_, config_.weights);
        from = std::to_string(copied) + " tensors (" + weights.format + ") from " + config_.weights;
        const quant::BitInit init{config_.bitLogitInit, config_.maskLogitInit};
        for (auto& l : layers_) l.layer->initFromFloat(l.layer->weight.detach().clone(), {}, init);
    }
    // The float model as imported: every layer on its float weight for this one evaluation.
    std::vector<bool> wasFloat;
    for (auto& l : layers_) {
        wasFloat.push_back(l.layer->floatMode());
        l.layer->setFloatMode(true);
    }
    importedAccuracy_ = train::accuracy(*model_, data_.test, norm_, {device_});
    for (size_t i = 0; i < layers_.size(); ++i) layers_[i].layer->setFloatMode(wasFloat[i]);
    char accuracy[32];
    std::snprintf(accuracy, sizeof accuracy, "%.2f%%", importedAccuracy_);
    observer_.onLog("imported " + from + "; float test accuracy " + accuracy);
}

void Trainer::joinCluster(std::shared_ptr<dist::Cluster> cluster)
{
    if (!cluster) return;
    ranks_ = Ranks(std::move(cluster));
    auto* c = ranks_.cluster();
    // What the ranks must share: the config but for per-process settings, the data (by its shape and a
    // label checksum, since each machine has its own copy) and the position a resume starts from.
    auto shared = boost::json::parse(toJson(config_)).as_object();
    for (const char* own : {"out_dir", "threads", "device", "prefetch_batches", "data"}) shared.erase(own);
    const auto& train = data_.train;
    auto weights = torch::arange(train.size(), torch::kInt64).remainder(9973) + 1;
    shared["train_images"] = train.size();
    shared["test_images"] = data_.test.size();
    shared["image_shape"] = boost::json::array{train.channels(), train.height(), train.width()};
    shared["train_label_checksum"] = (train.labels * weights).sum().item<int64_t>();
    shared["resume_position"] = boost::json::array{position_.epoch, position_.batch, position_.step};
    c->requireSameAsRoot("config", boost::json::serialize(shared));
    std::vector<torch::Tensor> state;
    for (auto& p : model_->parameters()) state.push_back(p);
    for (auto& b : model_->buffers()) state.push_back(b);
    auto root = state;
    c->broadcastFromRoot(root, "the start (rank 0's weights to every rank)");
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < state.size(); ++i) state[i].copy_(root[i]);
    // Batch norm sees the whole batch, not this rank's share: the ranks' steps, and their running
    // statistics, stay those of one process.
    model_->shareBatchStatistics([c](std::vector<torch::Tensor>& t) { c->sum(t, "the batch-norm statistics"); });
    // Activation ranges too: the whole batch's maximum, so every rank (and quantized.pt) has the same.
    model_->shareActivationRanges(models::rankMaxFrom(
        [c](std::vector<torch::Tensor>& t) { c->sum(t, "the activation ranges"); }, c->rank(), c->worldSize()));
    observer_.onLog("rank " + std::to_string(c->rank()) + " of " + std::to_string(c->worldSize()) +
                    " joined; rank 0 writes the run files");
}

void Trainer::buildOptimizer()
{
    optim_ = buildOptimizers(*model_, layers_, config_);
}

void Trainer::prepareRunDir()
{
    if (!writesFiles()) return;
    std::error_code ec;
    fs::create_directories(runDir_, ec);
    if (ec) throw Error(runDir_, "cannot create the run directory: " + ec.message(), "choose a writable folder");
    io::writeFileAtomic(file(run_files::kConfig), toJson(config_));
}

std::string Trainer::file(const char* name) const
{
    return (fs::path(runDir_) / name).string();
}

}  // namespace csq::train
