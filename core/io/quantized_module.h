#pragma once
// quantized_module.pt: a TorchScript run's model given back as the user's own module (torch.jit.load
// reads it), its Conv2d and Linear weights the exact integer model's s·q/(2^N − 1), every other tensor
// as trained, saved in evaluation mode. Beside its code it carries two extra files: scheme.json (the
// run's scheme) and "csq.json" ({"input_normalization", "mean", "std", "input_shape" [C, H, W],
// "classes", "model", "config"}): what a user's own code needs to feed it as the run did.
#include <string>

#include "csq/config.h"
#include "csq/run_directory.h"
#include "data/normalization.h"
#include "io/quantized_model.h"
#include "models/script_network.h"

namespace csq::io {

inline constexpr const char* kModuleMetadataFile = "csq.json";
inline constexpr const char* kModuleSchemeFile = run_files::kScheme;

void writeQuantizedModule(const std::string& path, models::ScriptNetwork& network, const TrainingConfig& config,
                          const models::InputShape& shape, const data::Normalization& norm,
                          const std::string& modelName, const std::string& schemeJson);

// The module as a float network that runs it unchanged (what --evaluate measures); throws csq::Error
// naming the file when it is no TorchScript module or lacks csq.json.
QuantizedModel readQuantizedModule(const std::string& path);

}  // namespace csq::io
