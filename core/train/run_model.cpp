#include "train/run_model.h"

#include <algorithm>
#include <filesystem>

#include "models/zoo.h"

namespace csq::train {

RunModel buildRunModel(const TrainingConfig& config, const models::InputShape& shape)
{
    RunModel run;
    run.specText = models::specTextFor(config.model, config.modelSpec);
    const auto source = config.modelSpec.empty() ? "model " + config.model : config.modelSpec;
    run.network = models::buildModel(
        {config.model, config.floatModel, config.maxBits, config.actBits, run.specText, source}, shape);
    run.name = config.model;
    if (!config.modelSpec.empty()) {
        const auto name = models::parseModelSpec(run.specText, source).name;
        run.name = name.empty() ? std::filesystem::path(config.modelSpec).stem().string() : name;
    }
    run.layers = quant::findBitLayers(*run.network);
    const quant::BitInit init{config.bitLogitInit, config.maskLogitInit};
    for (auto& l : run.layers) {
        l.layer->initFresh(init);
        l.layer->setFloatMode(config.floatEpochs > 0);
    }
    if (config.uniformBits > 0) {
        for (auto& l : run.layers)
            l.layer->bits()->holdAtBits(std::min(config.uniformBits, l.layer->bits()->maxBits()), config.maskLogitInit);
    } else if (config.edgeLayers == EdgeLayerPolicy::MaxBits && !run.layers.empty()) {
        run.layers.front().layer->bits()->holdAtMaxBits(config.maskLogitInit);
        run.layers.back().layer->bits()->holdAtMaxBits(config.maskLogitInit);
    }
    return run;
}

ModelPrecision modelPrecision(const std::vector<LayerScheme>& layers)
{
    return layers.empty() ? ModelPrecision{32.0, 32.0} : precisionOf(layers);
}

void readSchemeInto(const std::vector<quant::NamedBitLayer>& layers, Snapshot& s)
{
    s.layers = quant::readScheme(layers);
    s.gates.clear();
    s.maskLogits.clear();
    for (const auto& l : layers) {
        auto gates = l.layer->bits()->maskGates().to(torch::kCPU, torch::kDouble).contiguous();
        auto logits = l.layer->bits()->mask.detach().to(torch::kCPU, torch::kDouble).contiguous();
        s.gates.emplace_back(gates.data_ptr<double>(), gates.data_ptr<double>() + gates.numel());
        s.maskLogits.emplace_back(logits.data_ptr<double>(), logits.data_ptr<double>() + logits.numel());
    }
    s.precision = modelPrecision(s.layers);
}

}  // namespace csq::train
