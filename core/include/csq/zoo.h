#pragma once
// The built-in models: their names and descriptions, read from the specs in resources/models that the
// build compiles in (cmake/ZooSpecs.cmake lists them). Validation, --help, the Setup dock and the
// engine take the list from here. Torch-free.
#include <string>
#include <vector>

namespace csq {

struct ZooModel {
    std::string name;         // what config.json's "model" and --model say
    std::string description;  // the spec's own
    std::string spec;         // its JSON text
};

// In the order cmake/ZooSpecs.cmake lists them.
const std::vector<ZooModel>& zooModels();
// nullptr when no built-in model has this name.
const ZooModel* findZooModel(const std::string& name);
// "mlp, lenet5, resnet20": for messages that list what is accepted.
std::string zooModelList();

}  // namespace csq
