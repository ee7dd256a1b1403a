#pragma once
// The bridge to the user's PyTorch model: pretrained float weights in (a state_dict saved with
// torch.save(dict(model.state_dict()), path), or a TorchScript archive from torch.jit.save), matched by
// name (after an optional name map) and shape; and the final dequantized weights out under the same
// names, as a state_dict that loads into that PyTorch model.
#include <map>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "models/network.h"

namespace csq::io {

struct FloatWeights {
    std::map<std::string, torch::Tensor> tensors;  // by the file's own names
    std::string format;                            // "state_dict" or "torchscript"
};

// Throws csq::Error naming the file and saying how to save one that loads.
FloatWeights readFloatWeights(const std::string& path);

// Renames their names to ours: {"their.name": "our.name"}; a key ending in "." renames a prefix
// ({"module.": ""} drops DataParallel's). Exact keys win over prefixes, longer prefixes over shorter.
class NameMap {
public:
    NameMap() = default;
    static NameMap load(const std::string& path);  // "" gives the identity
    static NameMap parse(const std::string& jsonText, const std::string& source);
    std::string ours(const std::string& theirs) const;
    std::string theirs(const std::string& ours) const;  // the inverse, for export

private:
    std::map<std::string, std::string> exact_, prefixes_;
};

// CSQ's own tensors (bit logits, scales, masks, activation ranges), which a PyTorch model of the same
// network does not have.
bool csqOwn(const std::string& name);

// The model's float tensors by name: parameters and buffers except what CSQ adds (bit logits, scales,
// masks, activation ranges), i.e. exactly what the same network's PyTorch state_dict holds.
std::map<std::string, torch::Tensor> floatTensors(models::Network& model);

// Copies every float tensor of the model from `weights`. Throws one csq::Error that lists every model
// tensor missing from the file, every file tensor with no place in the model and every shape mismatch,
// by name, when anything does not match (num_batches_tracked may be missing). Returns the count copied.
int importFloatWeights(models::Network& model, const FloatWeights& weights, const NameMap& names,
                       const std::string& source);

// The model's float tensors with each quantized layer's weight replaced by its exact dequantized value
// scale * q / (2^N - 1), under the user's names; saved with torch::pickle_save it loads with torch.load.
c10::Dict<std::string, torch::Tensor> dequantizedStateDict(models::Network& model, const NameMap& names);

}  // namespace csq::io
