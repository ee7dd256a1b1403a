#pragma once
// What a .pt file is, told by its content, not its name: a run's checkpoint (resume it), a TorchScript
// model (train it), or neither. Torch-free, for the GUI's open and drop.
#include <string>

namespace csq {

enum class TorchFileKind { Checkpoint, TorchScriptModel, Other };

TorchFileKind torchFileKind(const std::string& path);

}  // namespace csq
