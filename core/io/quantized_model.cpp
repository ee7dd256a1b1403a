#include "io/quantized_model.h"

#include <set>

#include <torch/serialize.h>

#include "csq/errors.h"
#include "io/atomic_file.h"
#include "io/quantized_module.h"
#include "models/script_network.h"
#include "models/zoo.h"

namespace csq::io {

namespace {

// Tensors that belong to a quantized layer's bit parameterization, replaced by codes in the file.
std::set<std::string> bitParameterNames(const std::vector<quant::NamedBitLayer>& layers)
{
    std::set<std::string> names;
    for (const auto& l : layers) {
        for (const char* p : {"P", "Q", "scale", "mask"}) names.insert(l.name + ".bits." + p);
        names.insert(l.name + ".weight");  // the float warm-up weight: superseded by the codes
    }
    return names;
}

}  // namespace

void writeQuantizedModel(const std::string& path, models::Network& model, const TrainingConfig& config,
                         const models::InputShape& shape, const data::Normalization& norm,
                         const std::string& definition)
{
    torch::NoGradGuard noGrad;
    auto layers = quant::findBitLayers(model);
    c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
    for (const auto& l : layers) {
        const auto& bits = l.layer->bits();
        dict.insert(l.name + ".codes", bits->integerCodes().cpu());
        dict.insert(l.name + ".scale", bits->scale.detach().cpu().clone());
        dict.insert(l.name + ".kept", bits->keptMask().to(torch::kUInt8).cpu());
        dict.insert(l.name + ".max_bits", static_cast<int64_t>(bits->maxBits()));
    }
    const auto skip = bitParameterNames(layers);
    for (const auto& p : model.named_parameters())
        if (!skip.count(p.key())) dict.insert(p.key(), p.value().detach().cpu().clone());
    for (const auto& b : model.named_buffers()) dict.insert(b.key(), b.value().detach().cpu().clone());
    dict.insert("__config__", toJson(config));
    dict.insert("__input_shape__", torch::tensor({shape.channels, shape.height, shape.width, shape.classes}));
    dict.insert("__norm_mean__", torch::tensor(norm.mean));
    dict.insert("__norm_std__", torch::tensor(norm.std));
    if (models::isTorchScriptArchive(definition))
        dict.insert("__torchscript__", torch::from_blob(const_cast<char*>(definition.data()),
                                                        {static_cast<int64_t>(definition.size())}, torch::kUInt8)
                                           .clone());
    else
        dict.insert("__model_spec__", definition);
    const auto bytes = torch::pickle_save(c10::IValue(dict));
    writeFileAtomic(path, std::string_view(bytes.data(), bytes.size()));
}

namespace {

torch::Tensor tensorAt(const c10::impl::GenericDict& dict, const std::string& key, const std::string& path)
{
    auto it = dict.find(key);
    if (it == dict.end() || !it->value().isTensor())
        throw Error(path, "missing tensor '" + key + "'", "the file is not a complete quantized.pt");
    return it->value().toTensor();
}

std::vector<float> floats(const torch::Tensor& t)
{
    auto c = t.to(torch::kFloat).contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

void copyChecked(torch::Tensor& into, const torch::Tensor& from, const std::string& key, const std::string& path)
{
    if (into.sizes() != from.sizes())
        throw Error(path, "tensor '" + key + "' has shape " + c10::str(from.sizes()) + ", the model expects " +
                              c10::str(into.sizes()));
    into.copy_(from);
}

}  // namespace

QuantizedModel readQuantizedModel(const std::string& path)
{
    const auto text = readFile(path);
    if (models::isTorchScriptArchive(text)) return readQuantizedModule(path);
    c10::IValue value;
    try {
        value = torch::pickle_load(std::vector<char>(text.begin(), text.end()));
    } catch (const c10::Error&) {
        throw Error(path, "not a quantized model (cannot be read as a torch pickle)", "choose a quantized.pt");
    }
    if (!value.isGenericDict()) throw Error(path, "expected a dict of tensors");
    const auto dict = value.toGenericDict();
    auto configIt = dict.find("__config__");
    if (configIt == dict.end() || !configIt->value().isString()) throw Error(path, "missing '__config__'");

    QuantizedModel out;
    out.config = configFromJson(configIt->value().toStringRef(), path + ": __config__");
    auto shape = tensorAt(dict, "__input_shape__", path).to(torch::kInt64);
    out.shape = {shape[0].item<int64_t>(), shape[1].item<int64_t>(), shape[2].item<int64_t>(),
                 shape[3].item<int64_t>()};
    out.norm = {floats(tensorAt(dict, "__norm_mean__", path)), floats(tensorAt(dict, "__norm_std__", path))};
    // The definition travels inside the file, so the model rebuilds without the file it came from.
    std::string definition;
    if (auto it = dict.find("__model_spec__"); it != dict.end() && it->value().isString()) {
        definition = it->value().toStringRef();
    } else if (auto script = dict.find("__torchscript__"); script != dict.end() && script->value().isTensor()) {
        const auto bytes = script->value().toTensor().to(torch::kUInt8).contiguous();
        definition.assign(reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>()), static_cast<size_t>(bytes.numel()));
    }
    const auto source = path + (definition.empty() || !models::isTorchScriptArchive(definition) ? ": __model_spec__"
                                                                                                : ": __torchscript__");
    out.network = models::buildModel({out.config.model, out.config.floatModel, out.config.maxBits, out.config.actBits,
                                      definition, source, out.config.layerRules},
                                     out.shape);
    out.layers = quant::findBitLayers(*out.network);
    out.modelName = models::definitionName(definition, out.config.modelSpec, out.config.model, source);

    torch::NoGradGuard noGrad;
    for (auto& l : out.layers) {
        auto& bits = l.layer->bits();
        auto kept = tensorAt(dict, l.name + ".kept", path);
        std::vector<bool> keptBits;
        for (int64_t b = 0; b < kept.numel(); ++b) keptBits.push_back(kept[b].item<int64_t>() != 0);
        bits->setFromCodes(tensorAt(dict, l.name + ".codes", path), tensorAt(dict, l.name + ".scale", path), keptBits);
        bits->setExact(true);
    }
    const auto skip = bitParameterNames(out.layers);
    for (auto& p : out.network->named_parameters())
        if (!skip.count(p.key())) copyChecked(p.value(), tensorAt(dict, p.key(), path), p.key(), path);
    for (auto& b : out.network->named_buffers()) copyChecked(b.value(), tensorAt(dict, b.key(), path), b.key(), path);
    return out;
}

}  // namespace csq::io
