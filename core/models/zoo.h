#pragma once
// Builds a run's network from its spec: a spec file or text the user gives, or one of the built-in
// models (mlp = LeNet-300-100, lenet5 with batch norm, CIFAR-style resnet20), which are specs too.
#include <memory>
#include <string>
#include <vector>

#include "models/model_spec.h"
#include "models/network.h"

namespace csq::models {

struct ModelOptions {
    std::string name = "lenet5";  // a zoo model, used when specText is empty
    bool floatModel = false;
    int maxBits = 8;
    int actBits = 0;
    std::string specText;         // a model spec's JSON; "" builds the zoo model `name`
    std::string specSource;       // names the spec in messages (its file)
};

// The spec JSON a run builds: the file at `specPath` when given, else the zoo model's. Throws csq::Error
// naming the model and listing the zoo when the name is unknown.
std::string specTextFor(const std::string& model, const std::string& specPath);

std::shared_ptr<Network> buildModel(const ModelOptions& options, const InputShape& input);

}  // namespace csq::models
