#pragma once
// The names the files, flags and help spell an enum's values with, one table per enum, read both
// ways: config.json, metrics.csv, scheme.json, summary.json and csq-train's flags all go through
// toString and fromString here. A new value is one row. Torch-free.
#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "csq/config.h"
#include "csq/scheme.h"
#include "csq/snapshot.h"

namespace csq {

template <class Enum>
struct EnumName {
    std::string_view name;
    Enum value;
};

// Specialised below: `values`, every value of the enum with its name.
template <class Enum>
struct EnumNames;

template <>
struct EnumNames<Phase> {
    static constexpr std::array<EnumName<Phase>, 5> values{{{"float", Phase::Float},
                                                            {"search", Phase::Search},
                                                            {"ticket", Phase::Ticket},
                                                            {"finetune", Phase::Finetune},
                                                            {"done", Phase::Done}}};
};
template <>
struct EnumNames<BudgetMode> {
    static constexpr std::array<EnumName<BudgetMode>, 3> values{
        {{"layer", BudgetMode::Layer}, {"size", BudgetMode::Size}, {"bitops", BudgetMode::BitOps}}};
};
template <>
struct EnumNames<OptimizerKind> {
    static constexpr std::array<EnumName<OptimizerKind>, 2> values{
        {{"sgd", OptimizerKind::Sgd}, {"adam", OptimizerKind::Adam}}};
};
template <>
struct EnumNames<EdgeLayerPolicy> {
    static constexpr std::array<EnumName<EdgeLayerPolicy>, 2> values{
        {{"quantize", EdgeLayerPolicy::Quantize}, {"max-bits", EdgeLayerPolicy::MaxBits}}};
};
template <>
struct EnumNames<FinetuneMode> {
    static constexpr std::array<EnumName<FinetuneMode>, 2> values{
        {{"lattice", FinetuneMode::Lattice}, {"bits", FinetuneMode::Bits}}};
};
template <>
struct EnumNames<DivergencePolicy> {
    static constexpr std::array<EnumName<DivergencePolicy>, 2> values{
        {{"stop", DivergencePolicy::Stop}, {"rollback", DivergencePolicy::Rollback}}};
};
template <>
struct EnumNames<DevicePreference> {
    static constexpr std::array<EnumName<DevicePreference>, 3> values{
        {{"auto", DevicePreference::Auto}, {"cpu", DevicePreference::Cpu}, {"cuda", DevicePreference::Cuda}}};
};

template <class Enum>
concept NamedEnum = requires
{
    EnumNames<Enum>::values;
};

template <NamedEnum Enum>
std::string toString(Enum value)
{
    for (const auto& [name, v] : EnumNames<Enum>::values)
        if (v == value) return std::string(name);
    return "unknown";
}

// The value a name stands for; nullopt for any other text.
template <NamedEnum Enum>
std::optional<Enum> fromString(std::string_view text)
{
    for (const auto& [name, v] : EnumNames<Enum>::values)
        if (name == text) return v;
    return std::nullopt;
}

// "a, b, c": for messages that list what is accepted.
template <NamedEnum Enum>
std::string enumChoices(std::string_view separator = ", ")
{
    std::string out;
    for (const auto& [name, v] : EnumNames<Enum>::values)
        out += (out.empty() ? "" : std::string(separator)) + std::string(name);
    return out;
}

}  // namespace csq
