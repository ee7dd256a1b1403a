#include "csq/torch_file.h"

#include "csq/errors.h"
#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "models/script_network.h"

namespace csq {

TorchFileKind torchFileKind(const std::string& path)
{
    try {
        io::readCheckpointHeader(path);
        return TorchFileKind::Checkpoint;
    } catch (const Error&) {
    }
    try {
        return models::isTorchScriptArchive(io::readFile(path)) ? TorchFileKind::TorchScriptModel
                                                                : TorchFileKind::Other;
    } catch (const Error&) {
        return TorchFileKind::Other;
    }
}

}  // namespace csq
