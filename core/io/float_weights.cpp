#include "io/float_weights.h"

#include <algorithm>

#include <boost/json.hpp>
#include <torch/script.h>

#include "csq/errors.h"
#include "io/atomic_file.h"
#include "quant/scheme_readout.h"

namespace csq::io {

namespace {

const char* const kHowToSave =
    "save it in Python with torch.save(dict(model.state_dict()), path) or torch.jit.save(torch.jit.script(model), "
    "path)";

}  // namespace

bool csqOwn(const std::string& name)
{
    for (const char* part : {"bits.", "input_quantizer."})
        if (name.rfind(part, 0) == 0 || name.find(std::string(".") + part) != std::string::npos) return true;
    return false;
}

namespace {

std::string shapeOf(const torch::Tensor& t)
{
    return c10::str(t.sizes());
}

std::string joined(const std::vector<std::string>& items, size_t most = 12)
{
    std::string out;
    for (size_t i = 0; i < items.size() && i < most; ++i) out += (i ? ", " : "") + items[i];
    if (items.size() > most) out += ", … (" + std::to_string(items.size() - most) + " more)";
    return out;
}

bool readStateDict(const std::string& bytes, FloatWeights& out)
{
    c10::IValue value;
    try {
        value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
    } catch (const c10::Error&) {
        return false;
    }
    if (!value.isGenericDict()) return false;
    for (const auto& item : value.toGenericDict()) {
        if (!item.key().isString() || !item.value().isTensor()) continue;  // e.g. _metadata
        out.tensors[item.key().toStringRef()] = item.value().toTensor();
    }
    out.format = "state_dict";
    return true;
}

bool readTorchScript(const std::string& path, FloatWeights& out)
{
    try {
        auto module = torch::jit::load(path, torch::kCPU);
        for (const auto& p : module.named_parameters(/*recurse=*/true)) out.tensors[p.name] = p.value.detach();
        for (const auto& b : module.named_buffers(/*recurse=*/true)) out.tensors[b.name] = b.value.detach();
    } catch (const c10::Error&) {
        return false;
    }
    out.format = "torchscript";
    return true;
}

}  // namespace

FloatWeights readFloatWeights(const std::string& path)
{
    const auto bytes = readFile(path);
    FloatWeights out;
    if (readStateDict(bytes, out) || readTorchScript(path, out)) {
        if (out.tensors.empty()) throw Error(path, "holds no tensors", kHowToSave);
        return out;
    }
    throw Error(path,
                "neither a state_dict nor a TorchScript archive (an OrderedDict from model.state_dict() "
                "cannot be read outside Python)",
                kHowToSave);
}

NameMap NameMap::load(const std::string& path)
{
    return path.empty() ? NameMap{} : parse(readFile(path), path);
}

NameMap NameMap::parse(const std::string& jsonText, const std::string& source)
{
    boost::json::value root;
    try {
        root = boost::json::parse(jsonText);
    } catch (const std::exception& e) {
        throw Error(source, std::string("cannot be parsed as JSON: ") + e.what());
    }
    if (!root.is_object())
        throw Error(source, "expected an object {\"their.name\": \"our.name\", \"their.prefix.\": \"our.prefix.\"}");
    NameMap map;
    for (const auto& kv : root.get_object()) {
        const std::string key(kv.key());
        if (!kv.value().is_string()) throw Error(source + ": " + key, "expected a string (the name in CSQ's model)");
        const std::string value(kv.value().get_string());
        if (!key.empty() && key.back() == '.')
            map.prefixes_[key] = value;
        else
            map.exact_[key] = value;
    }
    return map;
}

std::string NameMap::ours(const std::string& theirs) const
{
    if (auto it = exact_.find(theirs); it != exact_.end()) return it->second;
    const std::pair<const std::string, std::string>* best = nullptr;
    for (const auto& p : prefixes_)
        if (theirs.rfind(p.first, 0) == 0 && (!best || p.first.size() > best->first.size())) best = &p;
    return best ? best->second + theirs.substr(best->first.size()) : theirs;
}

std::string NameMap::theirs(const std::string& ours) const
{
    for (const auto& [their, our] : exact_)
        if (our == ours) return their;
    const std::pair<const std::string, std::string>* best = nullptr;
    for (const auto& p : prefixes_)
        if (ours.rfind(p.second, 0) == 0 && (!best || p.second.size() > best->second.size())) best = &p;
    return best ? best->first + ours.substr(best->second.size()) : ours;
}

std::map<std::string, torch::Tensor> floatTensors(models::Network& model)
{
    std::map<std::string, torch::Tensor> out;
    for (const auto& p : model.named_parameters())
        if (!csqOwn(p.key())) out[p.key()] = p.value();
    for (const auto& b : model.named_buffers())
        if (!csqOwn(b.key())) out[b.key()] = b.value();
    return out;
}

int importFloatWeights(models::Network& model, const FloatWeights& weights, const NameMap& names,
                       const std::string& source)
{
    auto ours = floatTensors(model);
    std::map<std::string, std::pair<std::string, torch::Tensor>> given;  // our name -> (their name, tensor)
    std::vector<std::string> unused, misshaped, missing;
    for (const auto& [their, tensor] : weights.tensors) {
        const auto name = names.ours(their);
        const auto it = ours.find(name);
        if (it == ours.end()) {
            unused.push_back(their + (name != their ? " (as " + name + ")" : "") + " " + shapeOf(tensor));
        } else if (it->second.sizes() != tensor.sizes()) {
            misshaped.push_back(name + ": file " + shapeOf(tensor) + ", model " + shapeOf(it->second));
        } else {
            given[name] = {their, tensor};
        }
    }
    for (const auto& [name, tensor] : ours) {
        const bool optional = name.size() >= 19 && name.compare(name.size() - 19, 19, "num_batches_tracked") == 0;
        if (!given.count(name) && !optional && std::none_of(misshaped.begin(), misshaped.end(), [&](const auto& m) {
                return m.rfind(name + ":", 0) == 0;
            }))
            missing.push_back(name + " " + shapeOf(tensor));
    }
    if (!unused.empty() || !misshaped.empty() || !missing.empty()) {
        std::string what = "the weights do not match the model";
        if (!missing.empty()) what += "; missing from the file: " + joined(missing);
        if (!misshaped.empty()) what += "; shapes differ: " + joined(misshaped);
        if (!unused.empty()) what += "; not in the model: " + joined(unused);
        throw Error(source, what,
                    "rename with a name map ({\"their.name\": \"our.name\"}, --name-map) or fix the model spec so its "
                    "layer names and sizes are those of the PyTorch model");
    }
    torch::NoGradGuard noGrad;
    for (auto& [name, entry] : given) ours[name].copy_(entry.second.to(ours[name].dtype()));
    return static_cast<int>(given.size());
}

c10::Dict<std::string, torch::Tensor> dequantizedStateDict(models::Network& model, const NameMap& names)
{
    torch::NoGradGuard noGrad;
    auto tensors = floatTensors(model);
    for (const auto& l : quant::findBitLayers(model)) {
        const auto& bits = l.layer->bits();
        const double step = static_cast<double>((int64_t{1} << bits->maxBits()) - 1);
        tensors[l.name + ".weight"] = bits->integerCodes().to(torch::kFloat) * (bits->scale.detach() / step);
    }
    c10::Dict<std::string, torch::Tensor> out;
    for (const auto& [name, tensor] : tensors) out.insert(names.theirs(name), tensor.detach().cpu().clone());
    // Quantized activations: each layer's input quantizer, under its layer's name as the user knows it.
    for (const auto& l : quant::findBitLayers(model)) {
        const auto quantizer = l.layer->inputQuantizer();
        if (!quantizer) continue;
        const std::string suffix = ".weight";
        auto prefix = names.theirs(l.name + suffix);
        prefix = prefix.size() > suffix.size() && prefix.ends_with(suffix)
                     ? prefix.substr(0, prefix.size() - suffix.size())
                     : l.name;
        prefix += ".input_quantizer.";
        out.insert(prefix + "range", torch::tensor(quantizer->range(), torch::kFloat));
        out.insert(prefix + "bits", torch::tensor(int64_t{quantizer->options.bits}));
        out.insert(prefix + "signed", torch::tensor(quantizer->options.isSigned));
    }
    return out;
}

}  // namespace csq::io
