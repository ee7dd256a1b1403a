#include "train/run_model.h"

#include <algorithm>
#include <filesystem>

#include "csq/errors.h"
#include "csq/run_directory.h"
#include "io/atomic_file.h"
#include "csq/layer_rules.h"
#include "models/zoo.h"
#include "train/layer_macs.h"

namespace csq::train {

namespace {

// Holds every layer at the kept bits a scheme file lists for it. The file must name exactly the
// model's layers with their widths: a scheme of another model or max_bits is an error, not a guess.
void holdScheme(const std::vector<quant::NamedBitLayer>& layers, const TrainingConfig& config)
{
    auto path = std::filesystem::path(config.scheme);
    if (std::filesystem::is_directory(path)) path /= run_files::kScheme;
    const auto source = path.string();
    const auto scheme = schemeLayersFromJson(io::readFile(source), source);
    const auto hint = "use the scheme.json of a run of the same model and max_bits";
    if (scheme.size() != layers.size())
        throw Error(
            source,
            "lists " + std::to_string(scheme.size()) + " layers, the model has " + std::to_string(layers.size()), hint);
    for (size_t i = 0; i < layers.size(); ++i) {
        const auto& bits = layers[i].layer->bits();
        const auto& held = scheme[i];
        if (held.name != layers[i].name)
            throw Error(source,
                        "layer " + std::to_string(i) + " is " + held.name + ", the model's is " + layers[i].name, hint);
        if (held.maxBits != bits->maxBits())
            throw Error(source,
                        "layer " + held.name + " has max_bits " + std::to_string(held.maxBits) + ", the model's " +
                            std::to_string(bits->maxBits()),
                        hint);
        if (held.bits() == 0) throw Error(source, "layer " + held.name + " keeps no bit", "a layer keeps at least one");
        layers[i].layer->bits()->holdAtKept(held.kept, config.maskLogitInit);
    }
}

}  // namespace

RunModel buildRunModel(const TrainingConfig& config, const models::InputShape& shape)
{
    RunModel run;
    run.definition = config.modelSpec.empty() ? models::zooDefinition(config.model) : io::readFile(config.modelSpec);
    const auto source = config.modelSpec.empty() ? "model " + config.model : config.modelSpec;
    run.network = models::buildModel(
        {config.model, config.floatModel, config.maxBits, config.actBits, run.definition, source, config.layerRules},
        shape);
    run.name = models::definitionName(run.definition, config.modelSpec, config.model, source);
    run.layers = quant::findBitLayers(*run.network);
    if (run.layers.empty() && !config.floatModel)
        throw Error(source, "has no quantized layer: layer_rules or the spec keep every Conv2d and Linear float",
                    "quantize at least one layer, or train the float baseline (float)");
    const quant::BitInit init{config.bitLogitInit, config.maskLogitInit};
    const auto rules = parseLayerRules(config.layerRules);
    for (auto& l : run.layers) {
        if (const auto rule = ruleFor(rules, l.name); rule && rule->minBits > 0)
            l.layer->bits()->setMinBits(std::min(rule->minBits, l.layer->bits()->maxBits()));
        // A TorchScript model's layers start from its own weights; a spec's from a fresh draw.
        if (run.network->carriesWeights())
            l.layer->initFromFloat(l.layer->weight.detach().clone(), {}, init);
        else
            l.layer->initFresh(init);
        l.layer->setFloatMode(config.floatEpochs > 0);
    }
    measureLayerMacs(*run.network, run.layers, shape);
    if (!config.scheme.empty()) {
        for (auto& l : run.layers) l.layer->bits()->setMinBits(1);  // a held scheme is kept as it was written
        holdScheme(run.layers, config);
    } else if (config.uniformBits > 0) {
        // The rules bound the baseline too: at most a layer's max bits, at least its minimum.
        for (auto& l : run.layers) {
            auto& bits = l.layer->bits();
            bits->holdAtBits(std::max(bits->minBits(), std::min(config.uniformBits, bits->maxBits())),
                             config.maskLogitInit);
        }
    } else if (config.edgeLayers == EdgeLayerPolicy::MaxBits && !run.layers.empty()) {
        run.layers.front().layer->bits()->holdAtMaxBits(config.maskLogitInit);
        run.layers.back().layer->bits()->holdAtMaxBits(config.maskLogitInit);
    }
    return run;
}

ModelPrecision modelPrecision(const std::vector<LayerScheme>& layers)
{
    return layers.empty() ? ModelPrecision{32.0, 32.0, 32.0} : precisionOf(layers);
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
