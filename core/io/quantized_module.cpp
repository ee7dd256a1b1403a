#include "io/quantized_module.h"

#include <sstream>

#include <boost/json.hpp>

#include "csq/errors.h"
#include "io/atomic_file.h"

namespace csq::io {

namespace json = boost::json;

namespace {

json::array numbers(const std::vector<float>& values)
{
    json::array out;
    for (float v : values) out.push_back(static_cast<double>(v));
    return out;
}

std::vector<float> floatsOf(const json::object& o, const char* key, const std::string& source)
{
    const auto* v = o.if_contains(key);
    if (!v || !v->is_array()) throw Error(source + ": " + key, "missing or not a list of numbers");
    std::vector<float> out;
    for (const auto& x : v->as_array()) out.push_back(static_cast<float>(x.to_number<double>()));
    return out;
}

}  // namespace

void writeQuantizedModule(const std::string& path, models::ScriptNetwork& network, const TrainingConfig& config,
                          const models::InputShape& shape, const data::Normalization& norm,
                          const std::string& modelName, const std::string& schemeJson)
{
    json::object meta;
    meta["model"] = modelName;
    meta["input_normalization"] = config.inputNormalization;
    meta["mean"] = numbers(norm.mean);
    meta["std"] = numbers(norm.std);
    meta["input_shape"] = json::array{shape.channels, shape.height, shape.width};
    meta["classes"] = shape.classes;
    meta["config"] = json::parse(toJson(config));
    const auto bytes =
        network.exportModule({{kModuleMetadataFile, json::serialize(meta)}, {kModuleSchemeFile, schemeJson}});
    writeFileAtomic(path, bytes);
}

QuantizedModel readQuantizedModule(const std::string& path)
{
    const auto archive = readFile(path);
    if (!models::isTorchScriptArchive(archive))
        throw Error(path, "not a TorchScript module", "choose a quantized_module.pt");
    std::string metaText;
    try {
        std::istringstream in(archive);
        torch::jit::ExtraFilesMap extra{{kModuleMetadataFile, ""}};
        torch::jit::load(in, torch::kCPU, extra);
        metaText = extra[kModuleMetadataFile];
    } catch (const c10::Error&) {
        throw Error(path, "cannot be loaded as TorchScript", "choose a quantized_module.pt written by csq-train");
    }
    const auto source = path + ": " + kModuleMetadataFile;
    json::error_code ec;
    const auto parsed = json::parse(metaText, ec);
    if (metaText.empty() || ec || !parsed.is_object())
        throw Error(path, "carries no csq.json", "choose a quantized_module.pt written by csq-train");
    const auto& meta = parsed.as_object();
    QuantizedModel out;
    try {
        out.config = configFromJson(json::serialize(meta.at("config")), source + ": config");
        out.modelName = std::string(meta.at("model").as_string());
        const auto& s = meta.at("input_shape").as_array();
        out.shape = {s.at(0).to_number<int64_t>(), s.at(1).to_number<int64_t>(), s.at(2).to_number<int64_t>(),
                     meta.at("classes").to_number<int64_t>()};
    } catch (const std::exception& e) {
        if (dynamic_cast<const Error*>(&e)) throw;
        throw Error(source, "lacks config, model, input_shape or classes",
                    "choose a quantized_module.pt written by csq-train");
    }
    out.norm = {floatsOf(meta, "mean", source), floatsOf(meta, "std", source)};
    // Float layers only: the module runs exactly as saved.
    models::LayerFactory make(/*floatModel=*/true, out.config.maxBits, 0);
    out.network = models::ScriptNetwork::load(archive, make, out.shape, path);
    return out;
}

}  // namespace csq::io
