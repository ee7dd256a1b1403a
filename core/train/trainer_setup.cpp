// Trainer set-up: data, model, optimizer, run directory, and resuming from a checkpoint.
#include <ctime>
#include <filesystem>
#include <set>

#include "csq/errors.h"
#include "csq/runtime.h"
#include "data/dataset_loader.h"
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "models/zoo.h"
#include "train/trainer.h"

namespace csq::train {

namespace fs = std::filesystem;

Trainer::Trainer(TrainingConfig config, Observer& observer) : config_(std::move(config)), observer_(observer)
{
    requireValid(config_);
    const bool cuda = cudaAvailable();
    const bool wantCuda = config_.device == DevicePreference::Cuda || (config_.device == DevicePreference::Auto && cuda);
    if (config_.device == DevicePreference::Cuda && !cuda)
        throw Error("config: device", "CUDA was asked for but this LibTorch has no CUDA device", "use device auto or cpu");
    device_ = wantCuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    torch::manual_seed(config_.seed);
    loadData();
    buildModel();
    buildOptimizer();
    runDir_ = config_.outDir;
    if (runDir_.empty()) {
        char stamp[32];
        const std::time_t now = std::time(nullptr);
        std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
        runDir_ = (fs::path("runs") / (config_.model + "-" + stamp)).string();
    }
}

std::unique_ptr<Trainer> Trainer::resume(const std::string& checkpointPath, Observer& observer, const std::string& runDir)
{
    auto header = io::readCheckpointHeader(checkpointPath);
    auto config = configFromJson(header.configJson, checkpointPath + ": config");
    config.outDir = runDir.empty() ? fs::path(checkpointPath).parent_path().string() : runDir;
    auto trainer = std::make_unique<Trainer>(config, observer);
    trainer->position_ = header.position;
    const double perEpoch = trainer->batchesPerEpoch();
    if (header.position.epoch + static_cast<double>(header.position.batch) / perEpoch >= config.floatEpochs)
        for (auto& l : trainer->layers_) l.layer->setFloatMode(false);  // bits come from the checkpoint
    if (header.position.ticketDrawn) trainer->drawTicket();
    io::loadCheckpoint(checkpointPath, *trainer->model_, trainer->optimizers_);
    trainer->model_->to(trainer->device_);
    if (header.position.ticketDrawn && config.finetuneMode == FinetuneMode::Lattice)
        for (auto& l : trainer->layers_) l.layer->reattachLattice();  // the loaded latent and kept bits
    trainer->metrics_.loadExisting(trainer->file("metrics.csv"), header.position.step);
    return trainer;
}

void Trainer::loadData()
{
    data_ = data::loadDataset(config_.data, {config_.trainLimit, config_.validationFraction, config_.seed});
    norm_ = data::computeNormalization(data_.train.images);
    shape_ = {data_.train.channels(), data_.train.height(), data_.train.width(),
              std::max({data_.train.classes, data_.test.classes, int64_t{2}})};
}

void Trainer::buildModel()
{
    model_ = models::buildModel({config_.model, config_.floatModel, config_.maxBits, config_.actBits}, shape_);
    layers_ = quant::findBitLayers(*model_);
    const quant::BitInit init{config_.bitLogitInit, config_.maskLogitInit};
    for (auto& l : layers_) {
        l.layer->initFresh(init);
        l.layer->setFloatMode(config_.floatEpochs > 0);
    }
    if (config_.edgeLayers == EdgeLayerPolicy::MaxBits && !layers_.empty()) {
        layers_.front().layer->bits()->holdAtMaxBits(config_.maskLogitInit);
        layers_.back().layer->bits()->holdAtMaxBits(config_.maskLogitInit);
    }
    model_->to(device_);
}

namespace {

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(OptimizerKind kind, std::vector<torch::optim::OptimizerParamGroup> groups,
                                                       double lr)
{
    if (kind == OptimizerKind::Sgd) return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(lr));
    return std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(lr));
}

std::unique_ptr<torch::optim::OptimizerOptions> groupOptions(OptimizerKind kind, const TrainingConfig& c, double lr,
                                                             double decay)
{
    if (kind == OptimizerKind::Sgd)
        return std::make_unique<torch::optim::SGDOptions>(
            torch::optim::SGDOptions(lr).momentum(c.momentum).nesterov(c.nesterov && c.momentum > 0).weight_decay(decay));
    return std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(lr).weight_decay(decay));
}

}  // namespace

// Float parameters (biases, batch norm, float weights, scales) train with `optimizer` at `lr`. Bit
// logits and mask logits train with `bit_optimizer` (Adam by default): their gradients carry the
// factor s * c_b * beta * sigmoid' (often 1e-6), which plain SGD would need a learning rate of
// thousands to follow, while Adam's per-element normalisation moves every logit at bit_lr per step.
void Trainer::buildOptimizer()
{
    std::set<const void*> bitParams;
    std::vector<torch::Tensor> floats, scales, bits, masks;
    for (const auto& l : layers_) {
        auto& b = l.layer->bits();
        bits.push_back(b->P);
        bits.push_back(b->Q);
        scales.push_back(b->scale);
        if (b->searchable()) masks.push_back(b->mask);
        for (auto* t : {&b->P, &b->Q, &b->scale, &b->mask}) bitParams.insert(t->unsafeGetTensorImpl());
    }
    for (const auto& p : model_->parameters())
        if (!bitParams.count(p.unsafeGetTensorImpl())) floats.push_back(p);

    optimizers_.clear();
    lrGroups_.clear();
    auto addOptimizer = [&](OptimizerKind kind, double lr, std::vector<std::pair<std::vector<torch::Tensor>, double>> sets,
                            std::vector<LrSource> sources) {
        std::vector<torch::optim::OptimizerParamGroup> groups;
        for (size_t i = 0; i < sets.size(); ++i) {
            if (sets[i].first.empty()) continue;
            lrGroups_.push_back({optimizers_.size(), groups.size(), sources[i]});
            groups.emplace_back(sets[i].first, groupOptions(kind, config_, baseLr(sources[i]), sets[i].second));
        }
        if (!groups.empty()) optimizers_.push_back(makeOptimizer(kind, std::move(groups), lr));
    };
    // Scales are magnitudes, not logits: they follow the float optimizer, without weight decay.
    addOptimizer(config_.optimizer, config_.lr, {{floats, config_.weightDecay}, {scales, 0.0}},
                 {LrSource::Float, LrSource::Float});
    addOptimizer(config_.bitOptimizer, config_.bitLr, {{bits, config_.bitWeightDecay}, {masks, config_.maskWeightDecay}},
                 {LrSource::Bits, LrSource::Masks});
}

double Trainer::baseLr(LrSource source) const
{
    switch (source) {
    case LrSource::Float: return config_.lr;
    case LrSource::Bits: return config_.bitLr;
    case LrSource::Masks: return config_.maskLr > 0 ? config_.maskLr : config_.bitLr;
    }
    return config_.lr;
}

void Trainer::prepareRunDir()
{
    std::error_code ec;
    fs::create_directories(runDir_, ec);
    if (ec) throw Error(runDir_, "cannot create the run directory: " + ec.message(), "choose a writable folder");
    io::writeFileAtomic(file("config.json"), toJson(config_));
}

std::string Trainer::file(const char* name) const { return (fs::path(runDir_) / name).string(); }

}  // namespace csq::train
