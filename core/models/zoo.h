#pragma once
// Builds a run's network from its definition: a JSON model spec or a TorchScript archive the user
// gives, or one of the built-in models (mlp = LeNet-300-100, lenet5 with batch norm, CIFAR-style
// resnet20), which are specs too.
#include <memory>
#include <string>
#include <vector>

#include "models/model_spec.h"
#include "models/network.h"

namespace csq::models {

struct ModelOptions {
    std::string name = "lenet5";  // a zoo model, used when definition is empty
    bool floatModel = false;
    int maxBits = 8;
    int actBits = 0;
    std::string definition;    // a model spec's JSON or a TorchScript archive's bytes; "" builds the zoo model `name`
    std::string source;        // names the definition in messages (its file)
    std::string layerRules{};  // config layer_rules (csq/layer_rules.h)
};

// A zoo model's spec. Throws csq::Error naming the model and listing the zoo when the name is unknown.
// (A model file's definition, a spec's JSON or a TorchScript archive's bytes, is the file itself.)
std::string zooDefinition(const std::string& model);

// The name a run of this definition goes by: the spec's own name, else the file's stem, else the zoo
// model's name.
std::string definitionName(const std::string& definition, const std::string& modelFile, const std::string& model,
                           const std::string& source);

std::shared_ptr<Network> buildModel(const ModelOptions& options, const InputShape& input);

}  // namespace csq::models
