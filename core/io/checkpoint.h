#pragma once
// checkpoint.pt: a resumable run (model parameters and buffers, optimizer state, run position and
// the config in force), written atomically.
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "io/run_position.h"

namespace csq::io {

struct CheckpointHeader {
    std::string configJson;
    RunPosition position;
};

using Optimizers = std::vector<std::unique_ptr<torch::optim::Optimizer>>;

void saveCheckpoint(const std::string& path, torch::nn::Module& model, const Optimizers& optimizers,
                    const CheckpointHeader& header);
// The config and position alone: enough to rebuild the model and optimizer before loadCheckpoint.
CheckpointHeader readCheckpointHeader(const std::string& path);
void loadCheckpoint(const std::string& path, torch::nn::Module& model, const Optimizers& optimizers);

}  // namespace csq::io
