// Live changes of a running session (csq::ConfigPatch): the field table's `live` fields, by key.
#include <string>

#include "csq/config.h"
#include "csq/config_fields.h"
#include "csq/errors.h"

namespace csq {

ConfigPatch& ConfigPatch::set(const std::string& key, double value)
{
    const auto* field = findConfigField(key);
    if (!field || !field->live || field->kind() != FlagKind::Real) {
        std::string live;
        for (const auto& f : configFields())
            if (f.live) live += (live.empty() ? "" : ", ") + std::string(f.key);
        throw Error(key, "not a setting a running session can change",
                    "change it in the run's setup; a run takes " + live);
    }
    values_[key] = value;
    return *this;
}

std::optional<double> ConfigPatch::value(const std::string& key) const
{
    const auto it = values_.find(key);
    return it == values_.end() ? std::nullopt : std::optional<double>(it->second);
}

void ConfigPatch::merge(const ConfigPatch& newer)
{
    for (const auto& [key, value] : newer.values_) values_[key] = value;
}

TrainingConfig applied(const TrainingConfig& config, const ConfigPatch& patch)
{
    TrainingConfig next = config;
    for (const auto& [key, value] : patch.values()) setNumericValue(*findConfigField(key), next, value);
    requireValid(next);
    return next;
}

}  // namespace csq
