#include "models/zoo.h"

#include <filesystem>

#include "csq/errors.h"
#include "csq/zoo.h"
#include "models/script_network.h"
#include "models/spec_network.h"

namespace csq::models {

std::string zooDefinition(const std::string& model)
{
    const auto* zoo = findZooModel(model);
    if (!zoo)
        throw Error("model", "unknown model '" + model + "'",
                    "choose one of: " + zooModelList() + ", or give a model spec file");
    return zoo->spec;
}

std::string definitionName(const std::string& definition, const std::string& modelFile, const std::string& model,
                           const std::string& source)
{
    if (modelFile.empty() && definition.empty()) return model;
    std::string name;
    if (!isTorchScriptArchive(definition)) name = parseModelSpec(definition, source).name;
    if (name.empty() && !modelFile.empty()) name = std::filesystem::path(modelFile).stem().string();
    return name.empty() ? model : name;
}

std::shared_ptr<Network> buildModel(const ModelOptions& options, const InputShape& input)
{
    const auto text = options.definition.empty() ? zooDefinition(options.name) : options.definition;
    const auto source = !options.source.empty()      ? options.source
                        : options.definition.empty() ? "model " + options.name
                                                     : std::string("model spec");
    LayerFactory make(options.floatModel, options.maxBits, options.actBits,
                      parseLayerRules(options.layerRules, "layer_rules"));
    if (isTorchScriptArchive(text)) return ScriptNetwork::load(text, make, input, source);
    // A binary file that is no TorchScript module: say so, rather than what the JSON parser makes of it.
    if (text.rfind("PK\x03\x04", 0) == 0 || text.find('\0') != std::string::npos)
        throw Error(source,
                    "not a TorchScript archive nor a JSON model spec (a torch.save file or a state_dict holds "
                    "weights, not the model)",
                    "give a spec .json, or save the model with torch.jit.script(model).save(path)");
    return buildFromSpec(parseModelSpec(text, source), make, input, source);
}

}  // namespace csq::models
