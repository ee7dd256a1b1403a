// TrainingConfig: validation, JSON in/out and live patches (declared in csq/config.h).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/json.hpp>

#include "csq/config.h"
#include "csq/config_fields.h"
#include "csq/enum_names.h"
#include "csq/errors.h"
#include "csq/input_normalization.h"
#include "csq/layer_rules.h"
#include "csq/zoo.h"

namespace csq {

namespace json = boost::json;

namespace {

// Every knob with its JSON key, from the one table (csq/config_fields.h): both directions of the JSON
// read this order.
template <class Config, class Visitor>
void forEachField(Config& c, Visitor&& v)
{
    for (const auto& f : configFields()) std::visit([&](auto member) { v(f.key, c.*member); }, f.member);
}

struct Writer {
    json::object& out;
    template <class Enum>
    requires std::is_enum_v<Enum>
    void operator()(const char* key, const Enum& value) { out[key] = toString(value); }
    void operator()(const char* key, const std::string& value) { out[key] = value; }
    void operator()(const char* key, bool value) { out[key] = value; }
    void operator()(const char* key, int value) { out[key] = value; }
    void operator()(const char* key, int64_t value) { out[key] = value; }
    void operator()(const char* key, uint64_t value) { out[key] = value; }
    void operator()(const char* key, double value) { out[key] = value; }
};

struct Reader {
    const json::object& in;
    const std::string& source;
    std::set<std::string> known;

    const json::value* find(const char* key)
    {
        known.insert(key);
        return in.if_contains(key);
    }
    [[noreturn]] void fail(const char* key, const std::string& expected) const
    {
        throw Error(source + ": " + key, "expected " + expected);
    }
    template <class Enum>
    requires std::is_enum_v<Enum>
    void operator()(const char* key, Enum& value)
    {
        const auto* v = find(key);
        if (!v) return;
        if (v->is_string())
            if (const auto e = fromString<Enum>(std::string_view(v->get_string()))) {
                value = *e;
                return;
            }
        fail(key, "one of " + enumChoices<Enum>());
    }
    void operator()(const char* key, std::string& value)
    {
        if (const auto* v = find(key)) {
            if (!v->is_string()) fail(key, "a string");
            value = std::string(v->get_string());
        }
    }
    void operator()(const char* key, bool& value)
    {
        if (const auto* v = find(key)) {
            if (!v->is_bool()) fail(key, "true or false");
            value = v->get_bool();
        }
    }
    template <class Int>
    requires std::is_integral_v<Int>
    void operator()(const char* key, Int& value)
    {
        const auto* v = find(key);
        if (!v) return;
        json::error_code ec;
        auto n = v->to_number<Int>(ec);
        if (ec) fail(key, "a whole number in range");
        value = n;
    }
    void operator()(const char* key, double& value)
    {
        const auto* v = find(key);
        if (!v) return;
        if (!v->is_number()) fail(key, "a number");
        value = v->to_number<double>();
    }
};

// A field already out of its own range is not told twice.
void check(std::vector<ConfigIssue>& issues, bool ok, const char* field, const std::string& message)
{
    const bool told = std::any_of(issues.begin(), issues.end(), [&](const ConfigIssue& i) { return i.field == field; });
    if (!ok && !told) issues.push_back({field, message});
}

}  // namespace

std::vector<ConfigIssue> validate(const TrainingConfig& c)
{
    std::vector<ConfigIssue> issues;
    // Each number against its own range (the table's) first, so that a wrong value is named before the
    // fields it bounds; then against the bounds other fields set (effectiveRange); then what a range
    // cannot say: names and sets.
    for (const auto& f : configFields())
        if (const auto v = numericValue(f, c); v && f.range.bounded() && !f.range.contains(*v))
            issues.push_back({f.key, "must be " + f.range.text() + ", got " + fieldValueText(f, c)});
    for (const auto& f : configFields())
        if (const auto v = numericValue(f, c)) {
            const auto bound = effectiveRange(f, c);
            check(issues, bound.boundBy.empty() || bound.range.contains(*v), f.key,
                  "must be " + bound.range.text() + " (" + bound.boundBy + "), got " + fieldValueText(f, c));
        }
    check(issues, !c.modelSpec.empty() || findZooModel(c.model), "model",
          "unknown model '" + c.model + "': choose one of " + zooModelList() + ", or give a model_spec file");
    check(issues, c.nameMap.empty() || !c.weights.empty(), "name_map", "renames imported weights: give weights too");
    check(issues, c.imageChannels == 0 || c.imageChannels == 1 || c.imageChannels == 3, "image_channels",
          "must be 0 (automatic), 1 (gray) or 3 (RGB)");
    check(issues, !c.data.empty(), "data", "give the dataset folder");
    check(issues, c.scheme.empty() || c.uniformBits == 0, "scheme",
          "holds the layers at a scheme file's bits, uniform_bits at one width: set one of them, not both");
    check(issues, !c.ticketByLoss || c.finetuneMode == FinetuneMode::Lattice, "ticket_by_loss",
          "measures each layer on the lattice the finetune starts from: needs finetune_mode lattice");
    // The two small grammars: their parsers' own messages say what is wrong and what is accepted.
    auto parses = [&](const char* field, auto parse) {
        try {
            parse();
        } catch (const Error& e) {
            check(issues, false, field, std::string(e.what()).substr(e.where().size() + 2));
        }
    };
    parses("layer_rules", [&] { parseLayerRules(c.layerRules); });
    parses("input_normalization", [&] { parseInputNormalization(c.inputNormalization); });
    return issues;
}

void requireValid(const TrainingConfig& config)
{
    const auto issues = validate(config);
    if (!issues.empty()) throw Error("config: " + issues.front().field, issues.front().message);
}

void scaleScheduleTo(TrainingConfig& config, int epochs)
{
    const TrainingConfig d;
    const double f = static_cast<double>(epochs) / d.epochs;
    auto hundredths = [](double v) { return std::round(v * 100.0) / 100.0; };
    config.epochs = epochs;
    config.floatEpochs = hundredths(d.floatEpochs * f);
    config.ticketEpoch = std::min<double>(epochs, hundredths(d.ticketEpoch * f));
    config.finetuneEpochs = static_cast<int>(std::lround(d.finetuneEpochs * f));
}

bool followsDefaultSchedule(const TrainingConfig& config)
{
    auto scaled = config;
    scaleScheduleTo(scaled, config.epochs);
    return scaled.floatEpochs == config.floatEpochs && scaled.ticketEpoch == config.ticketEpoch &&
           scaled.finetuneEpochs == config.finetuneEpochs;
}

std::string toJson(const TrainingConfig& config)
{
    json::object out;
    forEachField(config, Writer{out});
    return json::serialize(out);
}

TrainingConfig configFromJson(const std::string& text, const std::string& source)
{
    json::error_code ec;
    auto value = json::parse(text, ec);
    if (ec) throw Error(source, "not valid JSON (" + ec.message() + ")", "fix the file or start from the defaults");
    if (!value.is_object()) throw Error(source, "expected a JSON object of settings");
    TrainingConfig config;
    Reader reader{value.as_object(), source, {}};
    forEachField(config, reader);
    for (const auto& item : value.as_object())
        if (!reader.known.count(std::string(item.key())))
            throw Error(source + ": " + std::string(item.key()), "unknown setting",
                        "check the spelling; see csq-train --help");
    return config;
}

TrainingConfig loadConfig(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "cannot open the config file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return configFromJson(buffer.str(), path);
}

}  // namespace csq
