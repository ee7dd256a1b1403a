#include "models/zoo.h"

#include "csq/errors.h"
#include "io/atomic_file.h"
#include "models/spec_network.h"

namespace csq::models {

namespace {

std::string zooList()
{
    std::string out;
    for (const auto& name : zooNames()) out += (out.empty() ? "" : ", ") + name;
    return out;
}

}  // namespace

std::string specTextFor(const std::string& model, const std::string& specPath)
{
    if (!specPath.empty()) return io::readFile(specPath);
    auto text = zooSpecText(model);
    if (text.empty()) throw Error("model", "unknown model '" + model + "'", "choose one of: " + zooList() + ", or give a model spec file");
    return text;
}

std::shared_ptr<Network> buildModel(const ModelOptions& options, const InputShape& input)
{
    const auto text = options.specText.empty() ? specTextFor(options.name, "") : options.specText;
    const auto source = !options.specSource.empty() ? options.specSource
                        : options.specText.empty()  ? "model " + options.name
                                                    : std::string("model spec");
    LayerFactory make(options.floatModel, options.maxBits, options.actBits);
    return buildFromSpec(parseModelSpec(text, source), make, input, source);
}

}  // namespace csq::models
