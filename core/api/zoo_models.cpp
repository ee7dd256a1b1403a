#include "csq/zoo.h"

#include <boost/json.hpp>

#include "models/zoo_specs.h"

namespace csq {

const std::vector<ZooModel>& zooModels()
{
    static const std::vector<ZooModel> models = [] {
        std::vector<ZooModel> out;
        for (const auto& [name, spec] : models::kZooSpecs) {
            const auto json = boost::json::parse(spec);  // the build's own files: parsed by tst_model_spec
            const auto* description = json.as_object().if_contains("description");
            out.push_back({std::string(name),
                           description && description->is_string() ? std::string(description->get_string()) : "",
                           std::string(spec)});
        }
        return out;
    }();
    return models;
}

const ZooModel* findZooModel(const std::string& name)
{
    for (const auto& model : zooModels())
        if (model.name == name) return &model;
    return nullptr;
}

std::string zooModelList()
{
    std::string out;
    for (const auto& model : zooModels()) out += (out.empty() ? "" : ", ") + model.name;
    return out;
}

}  // namespace csq
