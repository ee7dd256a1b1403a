#include "csq/sensitivity.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "csq/errors.h"
#include "csq/observer.h"
#include "csq/run_directory.h"
#include "io/atomic_file.h"
#include "train/evaluator.h"
#include "train/loss_ticket.h"
#include "train/timed.h"
#include "train/trainer.h"

namespace csq {

namespace train {

Sensitivity Trainer::measureSensitivity()
{
    // Each layer's weight as the network computes with it now: the float weight during the warm-up,
    // the soft weight in the search (what the measured ticket rounds).
    std::vector<torch::Tensor> weights;
    int maxCount = 0;
    {
        torch::NoGradGuard noGrad;
        for (auto& l : layers_) {
            auto& layer = *l.layer;
            weights.push_back((layer.floatMode() ? layer.weight : layer.bits()->forward()).detach().clone());
            maxCount = std::max(maxCount, layer.bits()->maxBits());
        }
    }
    const auto images = calibrationImages(data_.train, ranks_);
    const auto costs =
        measureBitCosts({*model_, layers_, weights, images, norm_, EvalSettings{device_}, ranks_}, maxCount);
    Sensitivity s;
    s.epoch = position_.epoch + static_cast<double>(position_.batch) / std::max(1.0, batchesPerEpoch());
    s.images = costs.images;
    s.referenceLoss = costs.reference;
    s.referenceAccuracy = costs.referenceAccuracy;
    for (size_t i = 0; i < layers_.size(); ++i) {
        const auto& bits = layers_[i].layer->bits();
        LayerSensitivity layer;
        layer.name = layers_[i].name;
        layer.params = bits->numel();
        layer.macs = layers_[i].layer->macs();
        layer.maxBits = bits->maxBits();
        const auto row = std::find(costs.layer.begin(), costs.layer.end(), i);
        layer.held = row == costs.layer.end();
        if (!layer.held) {
            const auto r = static_cast<size_t>(row - costs.layer.begin());
            layer.lossAdded = costs.lossAdded[r];
            layer.accuracyDrop = costs.accuracyDrop[r];
        }
        s.layers.push_back(std::move(layer));
    }
    return s;
}

void Trainer::reportSensitivity()
{
    const auto started = std::chrono::steady_clock::now();
    Timed timed(time_.sensitivity);  // its file too: the whole cost of asking
    const auto measured = measureSensitivity();
    if (writesFiles() && !runDir_.empty()) {
        // Every measurement of the run, each row with its epoch: the rows already there, then these.
        const auto path = file(run_files::kSensitivity);
        auto text = sensitivityCsv(measured);
        std::error_code ec;
        if (std::filesystem::exists(path, ec)) {
            const auto earlier = io::readFile(path);
            const auto firstRow = earlier.find('\n');
            if (firstRow != std::string::npos) text.insert(text.find('\n') + 1, earlier.substr(firstRow + 1));
        }
        std::filesystem::create_directories(runDir_, ec);
        io::writeFileAtomic(path, text);
    }
    char line[160];
    std::snprintf(line, sizeof line, "sensitivity measured at epoch %.2f: %lld images, %.1f s", measured.epoch,
                  static_cast<long long>(measured.images),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    observer_.onLog(line);
    observer_.onSensitivity(measured);
}

}  // namespace train

std::string writeSensitivity(const std::string& directory, const Sensitivity& sensitivity)
{
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) throw Error(directory, "cannot be made: " + ec.message(), "give a folder you can write to");
    const auto path = (std::filesystem::path(directory) / run_files::kSensitivity).string();
    io::writeFileAtomic(path, sensitivityCsv(sensitivity));
    return path;
}

Sensitivity measureSensitivity(const TrainingConfig& config)
{
    if (config.floatModel)
        throw Error("--sensitivity", "a float model has no quantized layers to measure", "leave out --float");
    Observer quiet;
    train::Trainer trainer(config, quiet);
    return trainer.measureSensitivity();
}

}  // namespace csq
