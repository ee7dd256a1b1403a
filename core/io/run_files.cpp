#include "io/run_files.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "csq/enum_names.h"
#include "csq/errors.h"
#include "csq/metrics_columns.h"
#include "io/atomic_file.h"

namespace csq::io {

namespace json = boost::json;

namespace {

json::array keptArray(const std::vector<bool>& kept)
{
    json::array a;
    for (bool k : kept) a.emplace_back(k ? 1 : 0);
    return a;
}

json::array layersArray(const std::vector<LayerScheme>& layers)
{
    json::array out;
    for (const auto& l : layers) {
        json::object o;
        o["name"] = l.name;
        o["params"] = l.params;
        o["max_bits"] = l.maxBits;
        o["bits"] = l.bits();
        o["kept"] = keptArray(l.kept);  // kept[b], b = 0 is the least significant bit
        o["searchable"] = l.searchable;
        if (!l.type.empty()) {
            o["type"] = l.type;
            o["shape"] = json::array(l.shape.begin(), l.shape.end());
            o["groups"] = l.groups;
        }
        if (l.macs > 0) o["macs"] = l.macs;
        out.push_back(std::move(o));
    }
    return out;
}

}  // namespace

std::string MetricsLog::header()
{
    return metricsHeader();
}

void MetricsLog::addStep(const Snapshot& s)
{
    rows_.push_back(metricsStepRow(s));
}

void MetricsLog::addEpoch(const EpochResult& e, int64_t step)
{
    rows_.push_back(metricsEpochRow(e, step));
}

void MetricsLog::loadExisting(const std::string& path, int64_t step)
{
    rows_.clear();
    writtenPath_.clear();
    written_ = 0;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string content = buffer.str();
    const auto headerEnd = content.find('\n');
    if (headerEnd == std::string::npos) return;  // no file or empty: start afresh
    // The kind and step cells by the column table's order.
    const auto& columns = metricsColumns();
    auto indexOf = [&](const char* key) {
        for (size_t i = 0; i < columns.size(); ++i)
            if (std::string_view(columns[i].key) == key) return i;
        return columns.size();
    };
    const size_t kindAt = indexOf(metrics_column::kKind), stepAt = indexOf(metrics_column::kStep);
    // Whole lines only: a crash mid-append can leave the last one cut short.
    for (size_t start = headerEnd + 1, end; (end = content.find('\n', start)) != std::string::npos; start = end + 1) {
        std::vector<std::string> cells;
        std::istringstream line(content.substr(start, end - start));
        for (std::string cell; std::getline(line, cell, ',');) cells.push_back(cell);
        if (cells.size() <= std::max(kindAt, stepAt)) continue;
        char* parsedTo = nullptr;
        const int64_t rowStep = std::strtoll(cells[stepAt].c_str(), &parsedTo, 10);
        if (parsedTo == cells[stepAt].c_str()) continue;
        const bool isEpoch = cells[kindAt] == "epoch";
        // An epoch row at the resume step belongs to the epoch already finished; a step row there is redone.
        if (rowStep < step || (isEpoch && rowStep == step)) rows_.push_back(content.substr(start, end - start));
    }
}

std::string MetricsLog::text() const
{
    std::string text = std::string(header()) + '\n';
    for (const auto& row : rows_) text += row + '\n';
    return text;
}

void MetricsLog::writeCopy(const std::string& path) const
{
    writeFileAtomic(path, text());
}

void MetricsLog::write(const std::string& path)
{
    if (!writtenPath_.empty() && path == writtenPath_) {
        std::string added;
        for (size_t i = written_; i < rows_.size(); ++i) added += rows_[i] + '\n';
        if (added.empty()) return;
        if (appendToFile(path, added, bytes_)) {
            written_ = rows_.size();
            bytes_ += added.size();
            return;
        }
    }
    const std::string whole = text();
    writeFileAtomic(path, whole);
    writtenPath_ = path;
    written_ = rows_.size();
    bytes_ = whole.size();
}

std::string schemeJson(const std::vector<LayerScheme>& layers, const ModelPrecision& precision, BudgetMode mode,
                       double targetBits)
{
    json::object o;
    o["budget_mode"] = toString(mode);
    o["target_bits"] = targetBits;
    o["avg_bits"] = precision.avgBits;
    o["weighted_avg_bits"] = precision.weightedAvgBits;
    if (precision.macWeightedAvgBits > 0) o["mac_weighted_avg_bits"] = precision.macWeightedAvgBits;
    o["layers"] = layersArray(layers);
    return json::serialize(o);
}

std::string summaryJson(const RunSummary& s)
{
    json::object o;
    o["model"] = s.model;
    o["dataset"] = s.dataset;
    o["float"] = s.floatModel;
    o["max_bits"] = s.maxBits;
    o["target_bits"] = s.targetBits;
    o["budget_mode"] = s.budgetMode;
    o["avg_bits"] = s.precision.avgBits;
    o["weighted_avg_bits"] = s.precision.weightedAvgBits;
    o["test_accuracy"] = s.testAccuracy;
    o["test_accuracy_quantized"] = s.testAccuracyQuantized;
    o["epochs"] = s.epochs;
    o["seconds"] = s.seconds;
    o["images_per_second"] = s.imagesPerSecond;
    o["total_params"] = s.totalParams;
    if (s.importedTestAccuracy >= 0) o["imported_test_accuracy"] = s.importedTestAccuracy;
    if (s.collapsedEpoch > 0) o["collapsed_epoch"] = s.collapsedEpoch;
    if (s.cost.macs > 0) {
        o["macs"] = s.cost.macs;
        o["mac_weighted_avg_bits"] = s.precision.macWeightedAvgBits;
        o["bitops"] = s.cost.bitOps;
    }
    const auto& t = s.time;
    o["time"] = json::object{{"wall", t.wall},
                             {"startup", t.startup},
                             {"steps", t.steps},
                             {"data", t.data},
                             {"evaluation", t.evaluation},
                             {"ticket", t.ticket},
                             {"sensitivity", t.sensitivity},
                             {"snapshots", t.snapshots},
                             {"files", t.files},
                             {"checkpoints", t.checkpoints},
                             {"other", t.other()}};
    o["layers"] = layersArray(s.layers);
    return json::serialize(o);
}

}  // namespace csq::io

namespace csq {

namespace json = boost::json;

std::vector<LayerScheme> schemeLayersFromJson(const std::string& text, const std::string& source)
{
    json::error_code ec;
    const auto v = json::parse(text, ec);
    if (ec) throw Error(source, "cannot be parsed: " + ec.message());
    const auto* object = v.if_object();
    const auto* array = object ? object->if_contains("layers") : nullptr;
    if (!array || !array->is_array()) throw Error(source, "expected a JSON object with a \"layers\" array");
    std::vector<LayerScheme> layers;
    for (const auto& item : array->as_array()) {
        const auto bad = [&](const std::string& what) {
            return Error(source, "layer " + std::to_string(layers.size()) + " " + what);
        };
        const auto* o = item.if_object();
        const auto* name = o ? o->if_contains("name") : nullptr;
        const auto* kept = o ? o->if_contains("kept") : nullptr;
        if (!name || !name->is_string() || !kept || !kept->is_array()) throw bad("has no name or kept bits");
        LayerScheme layer;
        layer.name = std::string(name->get_string());
        for (const auto& k : kept->get_array()) {
            if (!k.is_number()) throw bad("(" + layer.name + ") has a kept entry that is not a number");
            layer.kept.push_back(k.to_number<double>() != 0);
        }
        const auto number = [&](const char* key, double fallback) {
            const auto* f = o->if_contains(key);
            if (!f) return fallback;
            if (!f->is_number()) throw bad("(" + layer.name + ") has a " + key + " that is not a number");
            return f->to_number<double>();
        };
        // A whole number in [low, high], checked before the cast (a float beyond int64 is undefined).
        const auto whole = [&](const char* key, double value, double low, double high) {
            if (!(value >= low && value <= high)) throw bad("(" + layer.name + ") has " + key + " out of range");
            return static_cast<int64_t>(value);
        };
        layer.params = whole("params", number("params", 0), 0, 1e15);
        layer.maxBits =
            static_cast<int>(whole("max_bits", number("max_bits", static_cast<double>(layer.kept.size())), 0, 64));
        layer.kept.resize(static_cast<size_t>(layer.maxBits), false);
        if (const auto* s = o->if_contains("searchable"); s && s->is_bool()) layer.searchable = s->get_bool();
        if (const auto* t = o->if_contains("type"); t && t->is_string()) layer.type = std::string(t->get_string());
        if (const auto* shape = o->if_contains("shape"); shape && shape->is_array())
            for (const auto& d : shape->get_array())
                layer.shape.push_back(whole("shape", d.is_number() ? d.to_number<double>() : -1.0, 1, 1e12));
        layer.groups = whole("groups", number("groups", 1), 1, 1e12);
        layer.macs = whole("macs", number("macs", 0), 0, 1e18);
        layers.push_back(std::move(layer));
    }
    return layers;
}

}  // namespace csq
