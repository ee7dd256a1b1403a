#pragma once
// The table of TrainingConfig's fields, written once: each knob's config.json key, its member, its
// csq-train flag, the --help section it is listed in, the values it accepts and one line of help.
// config.json in and out, validate()'s range checks, csq-train's options and --help, the Setup panel's
// rows and spin-box ranges, and docs/reference/config.md (csq-train --config-reference) all read it, so
// a new knob is its member plus one entry here (docs/architecture.md §6). Torch-free.
#include <limits>
#include <optional>
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

// The sections of csq-train --help (and of docs/reference/config.md).
enum class FieldSection { General, ModelAndData, QuantizationAndBudget, OptimizationAndRun };

// How a flag takes its value: text (strings, enum names), a whole number, a real number, or none (a
// switch that sets a bool to true).
enum class FlagKind { Text, Whole, Real, Switch };

// The values a number field accepts on its own: low to high, either end open or unbounded. Bounds
// set by another field (target_bits <= max_bits) are effectiveRange()'s.
struct ValueRange {
    static constexpr double none = std::numeric_limits<double>::infinity();
    double low = -none;
    double high = none;
    bool lowOpen = false;
    bool highOpen = false;

    bool bounded() const { return low > -none || high < none; }
    bool contains(double v) const;  // finite and within
    std::string text() const;       // "in [1, 16]", "in [0, 0.9)", "> 0", ">= 0"
};

constexpr ValueRange between(double low, double high)
{
    return {low, high};
}  // [low, high]
constexpr ValueRange fromUpTo(double low, double high)
{
    return {low, high, false, true};
}  // [low, high)
constexpr ValueRange atLeast(double low)
{
    return {low};
}
constexpr ValueRange above(double low)
{
    return {low, ValueRange::none, true};
}

struct ConfigField {
    const char* key;  // the config.json key
    FieldMember member;
    const char* flag;  // csq-train --<flag>; "" when only a config file sets it
    FieldSection section;
    ValueRange range;              // a number's: what validate() accepts, what the Setup panel's box offers
    const char* help;              // one line for --help: what it does, its unit, range and special values
    const char* defaultText = "";  // --help's default when not the value itself (e.g. a pattern); "" = the value
    bool live = false;  // a real number changed mid-run (a ConfigPatch, the app's Budget panel), not in Setup

    FlagKind kind() const;
};

// Every field, in config.json's order.
const std::vector<ConfigField>& configFields();
const ConfigField* findConfigField(std::string_view key);

// A number field's range in this config: the table's, tightened where another field bounds it
// (target_bits and uniform_bits <= max_bits, ticket_epoch <= epochs, float_epochs < ticket_epoch,
// warmup_epochs < epochs + finetune_epochs, beta_final > beta0). validate() checks every number
// against it and the Budget panel's sliders end there. `boundBy` names the bounding field with its
// value ("max_bits = 8"), empty where the table's range stands; `boundAbove` says which end it sets.
struct EffectiveRange {
    ValueRange range;
    std::string boundBy;
    bool boundAbove = false;
};
EffectiveRange effectiveRange(const ConfigField& field, const TrainingConfig& config);

// A field's value in a config as --help and docs/reference/config.md show it: 0.05, 2, lenet5, true ("" for an
// empty string).
std::string fieldValueText(const ConfigField& field, const TrainingConfig& config);
// A number field's value as a double; nullopt for text, enum and switch fields.
std::optional<double> numericValue(const ConfigField& field, const TrainingConfig& config);
// The Markdown reference of every field (docs/reference/config.md holds it verbatim): per --help
// section, a table of key, default, what it does (its range; live knobs marked) and flag.
std::string configReferenceMarkdown();

// Sets a real-valued field (what the live knobs are); throws csq::Error naming the key for any other
// kind. Ranges are validate()'s to check.
void setNumericValue(const ConfigField& field, TrainingConfig& config, double value);

}  // namespace csq
