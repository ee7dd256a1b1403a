#pragma once
// The table of TrainingConfig's fields, written once: each knob's config.json key, its member, its
// csq-train flag, the --help section it is listed in, and one line of help. config.json in and out,
// csq-train's options and --help, and the tests that keep the GUI's rows and the README's config
// table in step all read it, so a new knob is one entry here (plus its member and its GUI row).
// Torch-free.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "csq/config.h"

namespace csq {

template <class T>
using ConfigMember = T TrainingConfig::*;
using FieldMember =
    std::variant<ConfigMember<std::string>, ConfigMember<bool>, ConfigMember<int>, ConfigMember<int64_t>,
                 ConfigMember<uint64_t>, ConfigMember<double>, ConfigMember<BudgetMode>, ConfigMember<OptimizerKind>,
                 ConfigMember<EdgeLayerPolicy>, ConfigMember<FinetuneMode>, ConfigMember<DivergencePolicy>,
                 ConfigMember<DevicePreference>>;

// The sections of csq-train --help (and of the README's config table).
enum class FieldSection { General, ModelAndData, QuantizationAndBudget, OptimizationAndRun };

// How a flag takes its value: text (strings, enum names), a whole number, a real number, or none (a
// switch that sets a bool to true).
enum class FlagKind { Text, Whole, Real, Switch };

struct ConfigField {
    const char* key;          // the config.json key
    FieldMember member;
    const char* flag;         // csq-train --<flag>; "" when only a config file sets it
    FieldSection section;
    const char* help;         // one line for --help: what it does, its unit, range and special values
    const char* defaultText;  // --help's default when not the value itself (e.g. a pattern); "" = the value
    bool live = false;        // changed mid-run from the app's Budget panel (a ConfigPatch), not in Setup

    FlagKind kind() const;
};

// Every field, in config.json's order.
const std::vector<ConfigField>& configFields();
const ConfigField* findConfigField(std::string_view key);

// A field's value in a config as --help and the README show it: 0.05, 2, lenet5, true ("" for an
// empty string).
std::string fieldValueText(const ConfigField& field, const TrainingConfig& config);

}  // namespace csq
