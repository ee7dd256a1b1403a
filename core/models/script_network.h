#pragma once
// A user's own PyTorch model, from a TorchScript archive (torch.jit.script or torch.jit.trace, saved
// with torch.jit.save), as one more Network (docs/architecture.md §3). Every
// Conv2d and Linear submodule becomes a CSQ layer (a BitLayer) named by its qualified name
// ("features.3.conv.1.0") and starting from the file's weights. Before each forward the layer's
// weight as it stands (float warm-up, soft bits, lattice, exact integers) is set into the submodule's
// weight slot; the rest of the graph (batch norm, any activation, concat, shuffle, residuals) runs as
// TorchScript runs it. The module's other parameters and buffers are registered under their own
// names, so optimizers, checkpoints, the data-parallel broadcast and the exported state_dict see
// exactly the user's tensors.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <torch/script.h>
#include <torch/torch.h>

#include "models/network.h"
#include "quant/bit_layer.h"

namespace csq::models {

// Whether `bytes` is a TorchScript archive (a zip holding code/ and constants.pkl), not a JSON model
// spec, a torch.save pickle or a state_dict.
bool isTorchScriptArchive(std::string_view bytes);

class ScriptNetwork : public Network {
public:
    // Loads the archive (its bytes), makes its Conv2d/Linear layers as `make` says (float, quantized,
    // layer rules), and checks it with a dry forward of two images of `input`'s shape. Throws csq::Error
    // naming `source` and saying what to do: not a TorchScript archive, a frozen module, no Conv2d or
    // Linear, a traced batch norm or dropout (its mode fixed), activation quantization asked for, input
    // channels or sizes the model cannot take, a forward that throws, an output that is not
    // [batch, classes].
    static std::shared_ptr<ScriptNetwork> load(const std::string& archive, LayerFactory& make, const InputShape& input,
                                               const std::string& source);

    torch::Tensor forward(torch::Tensor x) override;
    size_t stageCount() const override { return 1; }
    torch::Tensor forwardStages(torch::Tensor x, size_t from, size_t to) override;
    size_t stageOf(const torch::nn::Module&) const override { return 0; }
    bool carriesWeights() const override { return true; }

    void train(bool on = true) override;
    void to(torch::Device device, bool nonBlocking = false) override;
    void to(torch::Dtype dtype, bool nonBlocking = false) override;
    void to(torch::Device device, torch::Dtype dtype, bool nonBlocking = false) override;

    // The user's module as it trained, with each quantized layer's weight set to its exact integer
    // weight s·q/(2^N − 1), in evaluation mode, as a TorchScript archive (torch.jit.load reads it) with
    // `extraFiles` beside its code.
    std::string exportModule(const std::map<std::string, std::string>& extraFiles);

private:
    struct QuantizedSlot {
        std::string name;
        torch::jit::Module owner;  // the Conv2d or Linear submodule whose weight slot the layer drives
        std::shared_ptr<quant::BitLayer> layer;
    };

    ScriptNetwork() = default;
    void build(LayerFactory& make, const std::string& source);
    void check(const InputShape& input, const std::string& source);
    torch::nn::Module& levelFor(const std::string& path);  // the container a dotted path's tensors go in

    c10::IValue run(torch::Tensor x);  // every layer's weight set, then the module's forward
    torch::Tensor weightInLayout(torch::Tensor w) const;

    torch::jit::Module module_;
    std::vector<QuantizedSlot> quantized_;
    // Convolutions run channels-last (NHWC) on the CPU when the model has a conv at least 16 channels
    // wide in and out: the rule of spec networks (spec_network.cpp convLayout), for the whole model,
    // since the layout of the user's graph follows its input and weights. MobileNetV2's step ran 2.5x
    // faster in NHWC (its depthwise convs above all); lenet-sized convs run slower in it.
    bool channelsLast_ = false;
    std::map<std::string, std::shared_ptr<torch::nn::Module>> levels_;
};

}  // namespace csq::models
