#pragma once
// The built-in model zoo: mlp (LeNet-300-100), lenet5 (with batch norm) and CIFAR-style resnet20,
// each sized from the dataset's input shape.
#include <memory>
#include <string>
#include <vector>

#include "models/network.h"

namespace csq::models {

struct ModelOptions {
    std::string name = "lenet5";
    bool floatModel = false;
    int maxBits = 8;
    int actBits = 0;
};

std::vector<std::string> zooNames();
// Throws csq::Error naming the model and listing the zoo when the name is unknown.
std::shared_ptr<Network> buildModel(const ModelOptions& options, const InputShape& input);

}  // namespace csq::models
