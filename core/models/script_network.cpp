#include "models/script_network.h"

#include <sstream>

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>

#include "csq/errors.h"

namespace csq::models {

namespace {

// Modules without tensors of their own that give dotted names their levels (features -> 3 -> conv).
class Level : public torch::nn::Module {};

const char* const kHowToSave = "save the model in Python with torch.jit.script(model).save(path)";

std::string typeName(const torch::jit::Module& m)
{
    const auto name = m.type()->name();
    return name ? name->name() : std::string();
}

// The line of a TorchScript error that says what went wrong: the interpreter's last "...Error: " line
// (after its traceback), else the message's first line.
std::string errorLine(const std::exception& error)
{
    const auto* c10 = dynamic_cast<const c10::Error*>(&error);
    const std::string message = c10 ? c10->what_without_backtrace() : error.what();
    std::istringstream lines(message);
    std::string line, first, last;
    while (std::getline(lines, line)) {
        if (first.empty() && !line.empty()) first = line;
        if (const auto at = line.find("Error: "); at != std::string::npos && at < 24) last = line.substr(at + 7);
    }
    return last.empty() ? first : last;
}

// A module's graph nodes, nested blocks included.
template <class Visit>
void forEachNode(torch::jit::Block* block, Visit&& visit)
{
    for (auto* node : block->nodes()) {
        visit(node);
        for (auto* inner : node->blocks()) forEachNode(inner, visit);
    }
}

// The constant a node's input is, when it is one.
c10::optional<c10::IValue> constantInput(torch::jit::Node* node, size_t index)
{
    if (index >= node->inputs().size()) return c10::nullopt;
    return torch::jit::toIValue(node->inputs()[index]);
}

// A trace records batch norm and dropout with the training flag it saw as a constant: the module's
// mode is then fixed whatever train()/eval() say. Returns the first such submodule and the fixed mode.
struct FixedMode {
    std::string module, op;
    bool training = false;
};
c10::optional<FixedMode> fixedTrainingMode(const torch::jit::Module& root)
{
    // aten::batch_norm(input, weight, bias, mean, var, training, ...); aten::dropout(input, p, train).
    const std::map<std::string, size_t> trainingArgument{
        {"aten::batch_norm", 5},      {"aten::instance_norm", 5}, {"aten::dropout", 2},
        {"aten::feature_dropout", 2}, {"aten::alpha_dropout", 2}, {"aten::feature_alpha_dropout", 2}};
    for (const auto& m : root.named_modules()) {
        for (const auto& method : m.value.get_methods()) {
            c10::optional<FixedMode> found;
            forEachNode(method.graph()->block(), [&](torch::jit::Node* node) {
                if (found) return;
                const auto it = trainingArgument.find(node->kind().toQualString());
                if (it == trainingArgument.end()) return;
                const auto value = constantInput(node, it->second);
                if (value && value->isBool())
                    found = FixedMode{m.name.empty() ? "the model" : m.name, it->first.substr(6), value->toBool()};
            });
            if (found) return found;
        }
    }
    return c10::nullopt;
}

// A traced Conv2d keeps its groups only in its graph (aten::_convolution's 9th argument, conv2d's 7th).
int64_t groupsOf(const torch::jit::Module& conv)
{
    if (conv.hasattr("groups") && conv.attr("groups").isInt()) return conv.attr("groups").toInt();
    int64_t groups = 1;
    for (const auto& method : conv.get_methods())
        forEachNode(method.graph()->block(), [&](torch::jit::Node* node) {
            const std::string kind = node->kind().toQualString();
            const size_t at = kind == "aten::_convolution" ? 8 : kind == "aten::conv2d" ? 6 : SIZE_MAX;
            if (at == SIZE_MAX) return;
            if (const auto v = constantInput(node, at); v && v->isInt()) groups = v->toInt();
        });
    return groups;
}

std::array<int64_t, 2> pairAttr(const torch::jit::Module& m, const char* name, std::array<int64_t, 2> fallback)
{
    if (!m.hasattr(name)) return fallback;
    const auto v = m.attr(name);
    if (v.isIntList() && v.toIntList().size() == 2) return {v.toIntList()[0], v.toIntList()[1]};
    if (v.isTuple() && v.toTupleRef().elements().size() == 2 && v.toTupleRef().elements()[0].isInt())
        return {v.toTupleRef().elements()[0].toInt(), v.toTupleRef().elements()[1].toInt()};
    return fallback;
}

torch::Tensor tensorAttr(const torch::jit::Module& m, const char* name)
{
    if (!m.hasattr(name)) return {};
    const auto v = m.attr(name);
    return v.isTensor() ? v.toTensor() : torch::Tensor();
}

// A Conv2d or Linear whose weight a CSQ layer can drive: torch.nn's module with its weight slot.
bool isQuantizable(const torch::jit::Module& m)
{
    const auto type = typeName(m);
    const auto weight = tensorAttr(m, "weight");
    return weight.defined() && ((type == "Conv2d" && weight.dim() == 4) || (type == "Linear" && weight.dim() == 2));
}

std::shared_ptr<quant::BitLayer> bitLayerFor(const torch::jit::Module& m, int maxBits)
{
    const auto weight = tensorAttr(m, "weight").detach();
    const auto bias = tensorAttr(m, "bias");
    std::shared_ptr<quant::BitLayer> layer;
    if (weight.dim() == 2) {
        layer =
            quant::BitLinear(quant::BitLinearOptions{weight.size(1), weight.size(0), bias.defined(), maxBits}).ptr();
    } else {
        quant::BitConv2dOptions o;
        o.groups = groupsOf(m);
        o.in = weight.size(1) * o.groups;
        o.out = weight.size(0);
        o.kernel = {weight.size(2), weight.size(3)};
        o.stride = pairAttr(m, "stride", o.stride);
        o.padding = pairAttr(m, "padding", o.padding);
        o.dilation = pairAttr(m, "dilation", o.dilation);
        o.bias = bias.defined();
        o.maxBits = maxBits;
        layer = quant::BitConv2d(o).ptr();
    }
    layer->initFromFloat(weight.to(torch::kFloat), bias.defined() ? bias.detach().to(torch::kFloat) : torch::Tensor());
    return layer;
}

}  // namespace

bool isTorchScriptArchive(std::string_view bytes)
{
    if (bytes.size() < 4 || bytes.substr(0, 4) != std::string_view("PK\x03\x04", 4)) return false;
    try {
        std::istringstream in{std::string(bytes)};
        caffe2::serialize::PyTorchStreamReader reader(&in);
        bool code = false;
        for (const auto& record : reader.getAllRecords()) code = code || record.rfind("code/", 0) == 0;
        return code && reader.hasRecord("constants.pkl");
    } catch (const c10::Error&) {
        return false;
    }
}

std::shared_ptr<ScriptNetwork> ScriptNetwork::load(const std::string& archive, LayerFactory& make,
                                                   const InputShape& input, const std::string& source)
{
    if (!isTorchScriptArchive(archive))
        throw Error(source,
                    "not a TorchScript archive (a torch.save file or a state_dict holds weights, not the model)",
                    kHowToSave);
    std::shared_ptr<ScriptNetwork> net(new ScriptNetwork);
    try {
        std::istringstream in(archive);
        net->module_ = torch::jit::load(in, torch::kCPU);
    } catch (const std::exception& e) {
        throw Error(source, "cannot be loaded as TorchScript: " + errorLine(e),
                    "save it with the same or an older PyTorch: " + std::string(kHowToSave));
    }
    // A checkpoint is a TorchScript archive too (torch::serialize writes one), of a run's state.
    if (net->module_.hasattr("format") && net->module_.attr("format").isString() &&
        net->module_.attr("format").toStringRef().rfind("csq-checkpoint", 0) == 0)
        throw Error(source, "is a CSQ checkpoint (a run's state), not a model",
                    "resume it (csq-train --resume), or give the model's own TorchScript file");
    // A frozen module (torch.jit.freeze, optimize_for_inference) has its weights inlined as constants.
    if (net->module_.parameters().size() == 0)
        throw Error(source,
                    "has no parameters: it is frozen (torch.jit.freeze or optimize_for_inference), its weights inlined "
                    "as constants, so no layer's weight can be set",
                    "save the module before freezing it: " + std::string(kHowToSave));
    if (const auto fixed = fixedTrainingMode(net->module_))
        throw Error(source,
                    "was traced in " + std::string(fixed->training ? "training" : "eval") + " mode: its " + fixed->op +
                        " (in " + fixed->module + ") stays in " + (fixed->training ? "training" : "eval") +
                        " behaviour whether it trains or is evaluated",
                    "script it instead of tracing: torch.jit.script(model).save(path)");
    if (make.actBits() > 0)
        throw Error(source, "activation quantization (act_bits) applies to zoo and spec models only",
                    "set act_bits 0 for a TorchScript model");
    net->build(make, source);
    net->check(input, source);
    return net;
}

torch::nn::Module& ScriptNetwork::levelFor(const std::string& path)
{
    if (path.empty()) return *this;
    auto& level = levels_[path];
    if (!level) {
        const auto dot = path.rfind('.');
        auto& parent = levelFor(dot == std::string::npos ? "" : path.substr(0, dot));
        level =
            parent.register_module(dot == std::string::npos ? path : path.substr(dot + 1), std::make_shared<Level>());
    }
    return *level;
}

void ScriptNetwork::build(LayerFactory& make, const std::string& source)
{
    bool anyLayer = false;
    for (const auto& m : module_.named_modules()) {
        const bool layer = !m.name.empty() && isQuantizable(m.value);
        anyLayer = anyLayer || layer;
        const auto quant = make.quantFor(m.name, {});
        if (layer && make.quantizes(quant)) {
            auto bits = bitLayerFor(m.value, make.maxBitsOf(quant));
            torch::jit::Module owner = m.value;                           // a handle: the same object
            if (bits->bias.defined()) owner.setattr("bias", bits->bias);  // the module adds our float bias
            const auto dot = m.name.rfind('.');
            levelFor(dot == std::string::npos ? "" : m.name.substr(0, dot))
                .register_module(dot == std::string::npos ? m.name : m.name.substr(dot + 1), bits);
            quantized_.push_back({m.name, owner, bits});
            continue;
        }
        for (const auto& p : m.value.named_parameters(/*recurse=*/false))
            levelFor(m.name).register_parameter(p.name, p.value, p.value.requires_grad());
        for (const auto& b : m.value.named_buffers(/*recurse=*/false))
            levelFor(m.name).register_buffer(b.name, b.value);
    }
    for (const auto& m : module_.named_modules()) {
        const auto weight = isQuantizable(m.value) ? tensorAttr(m.value, "weight") : torch::Tensor();
        channelsLast_ =
            channelsLast_ || (weight.dim() == 4 && weight.size(0) >= 16 && weight.size(1) * groupsOf(m.value) >= 16);
    }
    if (channelsLast_) {
        torch::NoGradGuard noGrad;
        for (auto& p : parameters())
            if (p.dim() == 4) p.set_data(weightInLayout(p.detach()));
    }
    if (!anyLayer)
        throw Error(source, "has no Conv2d or Linear layer: nothing to quantize",
                    "CSQ quantizes torch.nn.Conv2d and torch.nn.Linear submodules");
}

void ScriptNetwork::check(const InputShape& input, const std::string& source)
{
    const auto given = std::to_string(input.channels) + "-channel " + std::to_string(input.height) + "x" +
                       std::to_string(input.width) + " images";
    for (const auto& m : module_.named_modules()) {
        if (!isQuantizable(m.value)) continue;
        const auto weight = tensorAttr(m.value, "weight");
        const int64_t channels = weight.dim() == 4 ? weight.size(1) * groupsOf(m.value) : weight.size(1);
        if (weight.dim() == 4 && channels != input.channels)
            throw Error(source,
                        "its first convolution (" + m.name + ") takes " + std::to_string(channels) +
                            " input channels, the dataset gives " + given,
                        "build the model for " + std::to_string(input.channels) +
                            "-channel input (scripts/torchvision_model.py --in-channels " +
                            std::to_string(input.channels) + "), or use a dataset of " + std::to_string(channels) +
                            "-channel images");
        break;  // the first layer alone says what the input must be
    }
    torch::NoGradGuard noGrad;
    const bool wasTraining = is_training();
    eval();  // no batch statistics recorded by the check
    c10::IValue out;
    try {
        out = run(torch::zeros({2, input.channels, input.height, input.width}));
    } catch (const std::exception& e) {  // the interpreter's own errors are not all c10::Error
        train(wasTraining);
        throw Error(source, "cannot run on the dataset's input (" + given + "): " + errorLine(e),
                    "check the model's input size and channels against the dataset");
    }
    train(wasTraining);
    if (!out.isTensor())
        throw Error(source, "returns a " + out.tagKind() + ", not a tensor of class scores",
                    "make forward return the logits alone (e.g. torchvision's aux_logits=False)");
    const auto logits = out.toTensor();
    if (logits.dim() != 2 || logits.size(0) != 2 || logits.size(1) != input.classes)
        throw Error(source,
                    "returns " + c10::str(logits.sizes()) + " for a batch of 2 images, not [2, " +
                        std::to_string(input.classes) + "]: one score per class of the dataset",
                    "give its last layer " + std::to_string(input.classes) +
                        " outputs (torchvision's num_classes=" + std::to_string(input.classes) + ")");
}

// A weight in the model's layout, with that layout's strides even where both are valid (one input
// channel): oneDNN picks a conv's layout from its weight's strides, and a first conv left in NCHW
// strides made every layer after it reorder (MobileNetV2's float step 140-250 ms instead of 48). The
// input keeps its own layout, as PyTorch's fastest NHWC step has it.
torch::Tensor ScriptNetwork::weightInLayout(torch::Tensor x) const
{
    if (!channelsLast_ || x.dim() != 4 || !x.device().is_cpu() ||
        x.suggest_memory_format() == at::MemoryFormat::ChannelsLast)
        return x;
    return torch::empty_like(x, at::MemoryFormat::ChannelsLast).copy_(x);
}

c10::IValue ScriptNetwork::run(torch::Tensor x)
{
    for (auto& q : quantized_) q.owner.setattr("weight", weightInLayout(q.layer->currentWeight()));
    return module_.forward({std::move(x)});
}

torch::Tensor ScriptNetwork::forward(torch::Tensor x)
{
    return run(std::move(x)).toTensor();
}

torch::Tensor ScriptNetwork::forwardStages(torch::Tensor x, size_t from, size_t to)
{
    return from == 0 && to >= 1 ? forward(std::move(x)) : x;
}

void ScriptNetwork::train(bool on)
{
    Network::train(on);
    module_.train(on);
}

void ScriptNetwork::to(torch::Device device, bool nonBlocking)
{
    Network::to(device, nonBlocking);
    module_.to(device, nonBlocking);
}

void ScriptNetwork::to(torch::Dtype dtype, bool nonBlocking)
{
    Network::to(dtype, nonBlocking);
    module_.to(dtype, nonBlocking);
}

void ScriptNetwork::to(torch::Device device, torch::Dtype dtype, bool nonBlocking)
{
    Network::to(device, dtype, nonBlocking);
    module_.to(device, dtype, nonBlocking);
}

std::string ScriptNetwork::exportModule(const std::map<std::string, std::string>& extraFiles)
{
    torch::NoGradGuard noGrad;
    auto copy = module_.deepcopy();
    std::map<std::string, torch::jit::Module> byName;
    for (const auto& m : copy.named_modules()) byName.emplace(m.name, m.value);
    for (auto& q : quantized_) {
        auto& bits = q.layer->bits();
        bits->setExact(true);
        auto exact = bits->forward().detach().cpu().clone();
        bits->setExact(false);
        byName.at(q.name).setattr("weight", exact);
    }
    copy.to(torch::kCPU);
    for (const auto& p : copy.parameters()) p.set_data(p.contiguous());  // the usual layout for the user
    copy.eval();
    std::ostringstream out;
    copy.save(out, torch::jit::ExtraFilesMap(extraFiles.begin(), extraFiles.end()));
    return out.str();
}

}  // namespace csq::models
