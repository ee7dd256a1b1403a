// Finished runs as every comparison reads them: one run's summary.json, a seed group's aggregate
// (means and spreads over its seeds, written beside them as the group's summary.json), the Pareto
// front and the results.csv table.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <numeric>
#include <optional>
#include <sstream>

#include <boost/json.hpp>

#include "csq/errors.h"
#include "csq/sweep.h"
#include "csq/run_directory.h"
#include "io/atomic_file.h"

namespace csq {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

double numberAt(const json::object& o, const char* key, const std::string& source)
{
    const auto* v = o.if_contains(key);
    if (!v || !v->is_number()) throw Error(source + ": " + key, "missing or not a number", "the run has not finished");
    return v->to_number<double>();
}

json::value parseFile(const std::string& path)
{
    try {
        auto v = json::parse(io::readFile(path));
        if (!v.is_object()) throw Error(path, "expected a JSON object");
        return v;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(path, std::string("cannot be parsed: ") + e.what());
    }
}

// The figures a group aggregates, by their summary.json key; an optional one is 0 where a run
// written before it has none.
struct Figure {
    const char* key;
    double RunResult::*value;
    Spread RunResult::*spread;
    bool optional = false;
};
constexpr Figure kFigures[] = {
    {"test_accuracy_quantized", &RunResult::testAccuracyQuantized, &RunResult::testAccuracyQuantizedSpread},
    {"test_accuracy", &RunResult::testAccuracy, &RunResult::testAccuracySpread},
    {"avg_bits", &RunResult::avgBits, &RunResult::avgBitsSpread},
    {"weighted_avg_bits", &RunResult::weightedAvgBits, &RunResult::weightedAvgBitsSpread},
    {"weight_kib", &RunResult::weightKiB, &RunResult::weightKiBSpread},
    {"mac_weighted_avg_bits", &RunResult::macWeightedAvgBits, &RunResult::macWeightedAvgBitsSpread, true},
    {"bitops", &RunResult::bitOps, &RunResult::bitOpsSpread, true},
};

void setSingleSpreads(RunResult& r)
{
    for (const auto& f : kFigures) r.*f.spread = Spread::single(r.*f.value);
}

// A key of a run's config.json, read as plain JSON: a finished run stays readable even where today's
// validation would refuse its config (a run from an earlier version).
std::optional<json::value> configKey(const std::string& runDir, const char* key)
{
    const auto path = fs::path(runDir) / run_files::kConfig;
    if (!fs::exists(path)) return std::nullopt;
    try {
        const auto config = json::parse(io::readFile(path.string()));
        if (const auto* v = config.is_object() ? config.as_object().if_contains(key) : nullptr) return *v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

const char* kindOf(const RunResult& r)
{
    return r.floatModel ? "float" : r.uniform ? "uniform" : "mixed";
}

RunResult readGroup(const json::object& o, const std::string& groupDir, const std::string& path)
{
    RunResult r;
    r.runDir = groupDir;
    r.name = fs::path(groupDir).filename().string();
    if (const auto* m = o.if_contains("model"); m && m->is_string()) r.model = std::string(m->get_string());
    if (const auto* k = o.if_contains("kind"); k && k->is_string()) {
        r.floatModel = k->get_string() == "float";
        r.uniform = k->get_string() == "uniform";
    }
    r.targetBits = numberAt(o, "target_bits", path);
    const auto* spread = o.if_contains("spread");
    if (!spread || !spread->is_object())
        throw Error(path + ": spread", "missing", "rerun the seeds command to rewrite it");
    for (const auto& f : kFigures) {
        const auto* s = spread->as_object().if_contains(f.key);
        if (f.optional && !s) continue;
        if (!s || !s->is_object())
            throw Error(path + ": spread." + f.key, "missing", "rerun the seeds command to rewrite it");
        const auto& so = s->as_object();
        r.*f.spread = {numberAt(so, "mean", path), numberAt(so, "sd", path), numberAt(so, "min", path),
                       numberAt(so, "max", path)};
        r.*f.value = (r.*f.spread).mean;
    }
    const auto* members = o.if_contains("runs");
    if (!members || !members->is_array() || members->as_array().empty())
        throw Error(path + ": runs", "missing or empty", "rerun the seeds command to rewrite it");
    for (const auto& m : members->as_array()) {
        if (!m.is_string()) throw Error(path + ": runs", "expected folder names");
        r.members.push_back((fs::path(groupDir) / std::string(m.get_string())).string());
    }
    r.seeds = static_cast<int>(r.members.size());
    return r;
}

}  // namespace

Spread Spread::of(const std::vector<double>& values)
{
    if (values.empty()) return {};
    Spread s;
    s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    s.min = *std::min_element(values.begin(), values.end());
    s.max = *std::max_element(values.begin(), values.end());
    if (values.size() > 1) {
        double squares = 0;
        for (double v : values) squares += (v - s.mean) * (v - s.mean);
        s.sd = std::sqrt(squares / static_cast<double>(values.size() - 1));
    }
    return s;
}

RunResult readRunResult(const std::string& runDir)
{
    const auto path = (fs::path(runDir) / run_files::kSummary).string();
    const auto v = parseFile(path);
    const auto& o = v.as_object();
    if (const auto* g = o.if_contains("group"); g && g->is_bool() && g->get_bool()) return readGroup(o, runDir, path);
    RunResult r;
    r.runDir = runDir;
    r.name = fs::path(runDir).filename().string();
    if (const auto* m = o.if_contains("model"); m && m->is_string()) r.model = std::string(m->get_string());
    if (const auto* f = o.if_contains("float"); f && f->is_bool()) r.floatModel = f->get_bool();
    r.targetBits = numberAt(o, "target_bits", path);
    r.avgBits = numberAt(o, "avg_bits", path);
    r.weightedAvgBits = r.floatModel ? 32.0 : numberAt(o, "weighted_avg_bits", path);
    r.testAccuracy = numberAt(o, "test_accuracy", path);
    r.testAccuracyQuantized = numberAt(o, "test_accuracy_quantized", path);
    if (o.contains("bitops")) {
        r.macWeightedAvgBits = numberAt(o, "mac_weighted_avg_bits", path);
        r.bitOps = numberAt(o, "bitops", path);
    }
    // Size: the layers' params and bit counts (their kept arrays are not needed for it).
    std::vector<LayerScheme> layers;
    int64_t quantizedParams = 0;
    if (const auto* a = o.if_contains("layers"); a && a->is_array() && !r.floatModel)
        for (const auto& l : a->as_array()) {
            const auto& lo = l.as_object();
            LayerScheme layer;
            layer.params = static_cast<int64_t>(numberAt(lo, "params", path));
            layer.kept.assign(static_cast<size_t>(std::max(0.0, numberAt(lo, "bits", path))), true);
            quantizedParams += layer.params;
            layers.push_back(std::move(layer));
        }
    const auto total =
        o.contains("total_params") ? static_cast<int64_t>(numberAt(o, "total_params", path)) : quantizedParams;
    r.weightKiB = weightKiB(layers, total);
    // A uniform run is one whose layers all sit outside the search (uniform_bits > 0 in its config).
    if (const auto u = configKey(runDir, "uniform_bits"); u && u->is_number()) r.uniform = u->to_number<double>() > 0;
    setSingleSpreads(r);
    return r;
}

RunResult aggregateRuns(const std::vector<RunResult>& runs, const std::string& groupDir)
{
    if (runs.empty()) throw Error(groupDir, "no finished runs to aggregate");
    const auto& first = runs.front();
    for (const auto& r : runs)
        if (r.model != first.model || r.floatModel != first.floatModel || r.uniform != first.uniform ||
            r.targetBits != first.targetBits)
            throw Error(r.runDir,
                        std::string("is a ") + kindOf(r) + " " + r.model + " run at " + std::to_string(r.targetBits) +
                            " bits, not like " + first.runDir,
                        "a group holds one point run with different seeds");
    RunResult g;
    g.runDir = groupDir;
    g.name = fs::path(groupDir).filename().string();
    g.model = first.model;
    g.floatModel = first.floatModel;
    g.uniform = first.uniform;
    g.targetBits = first.targetBits;
    for (const auto& f : kFigures) {
        std::vector<double> values;
        for (const auto& r : runs) values.push_back(r.*f.value);
        g.*f.spread = Spread::of(values);
        g.*f.value = (g.*f.spread).mean;
    }
    for (const auto& r : runs) g.members.push_back(r.runDir);
    g.seeds = static_cast<int>(runs.size());
    return g;
}

RunResult writeGroupSummary(const std::string& groupDir, const std::vector<std::string>& memberDirs)
{
    std::vector<RunResult> runs;
    json::array seeds, folders;
    for (const auto& dir : memberDirs) {
        runs.push_back(readRunResult(dir));
        seeds.push_back(configKey(dir, "seed").value_or(json::value(nullptr)));
        folders.push_back(json::string(fs::relative(dir, groupDir).generic_string()));
    }
    auto g = aggregateRuns(runs, groupDir);
    json::object o;
    o["group"] = true;
    o["kind"] = kindOf(g);
    o["model"] = g.model;
    o["float"] = g.floatModel;
    o["target_bits"] = g.targetBits;
    o["seeds"] = std::move(seeds);
    o["runs"] = std::move(folders);
    json::object spread;
    for (const auto& f : kFigures) {
        o[f.key] = g.*f.value;  // the means, under the keys a single run uses
        const auto& s = g.*f.spread;
        spread[f.key] = json::object{{"mean", s.mean}, {"sd", s.sd}, {"min", s.min}, {"max", s.max}};
    }
    o["spread"] = std::move(spread);
    io::writeFileAtomic((fs::path(groupDir) / run_files::kSummary).string(), json::serialize(o) + "\n");
    return g;
}

void markParetoFront(std::vector<RunResult>& results, double RunResult::*cost)
{
    // A float run is the reference, not a point of the quantized trade-off: never on the front, never
    // dominating one.
    for (auto& r : results) {
        r.onFront = !r.floatModel && std::none_of(results.begin(), results.end(), [&](const RunResult& o) {
            const bool noWorse = o.*cost <= r.*cost && o.testAccuracyQuantized >= r.testAccuracyQuantized;
            const bool better = o.*cost < r.*cost || o.testAccuracyQuantized > r.testAccuracyQuantized;
            return &o != &r && !o.floatModel && noWorse && better;
        });
    }
}

FolderKind folderKind(const std::string& directory)
{
    const fs::path dir(directory);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return FolderKind::None;
    if (fs::exists(dir / run_files::kSweepPlan, ec)) return FolderKind::Sweep;
    if (fs::exists(dir / run_files::kSummary, ec)) {
        try {
            return readRunResult(directory).isGroup() ? FolderKind::SeedGroup : FolderKind::Run;
        } catch (const Error&) {
            return FolderKind::None;  // a summary that cannot be read is no result
        }
    }
    if (fs::exists(dir / run_files::kCheckpoint, ec)) return FolderKind::InterruptedRun;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_directory() && folderKind(entry.path().string()) != FolderKind::None)
            return FolderKind::Collection;
    return FolderKind::None;
}

std::string toString(FolderKind kind)
{
    switch (kind) {
        case FolderKind::Sweep:
            return "sweep";
        case FolderKind::SeedGroup:
            return "seed group";
        case FolderKind::Run:
            return "run";
        case FolderKind::InterruptedRun:
            return "interrupted run";
        case FolderKind::Collection:
            return "collection";
        case FolderKind::None:
            return "none";
    }
    return "none";
}

namespace {

void collectResults(const fs::path& root, const fs::path& dir, std::vector<RunResult>& out)
{
    auto named = [&](RunResult r, const fs::path& at) {
        const auto relative = fs::relative(at, root).generic_string();
        r.name = relative == "." ? at.filename().string() : relative;
        return r;
    };
    switch (folderKind(dir.string())) {
        case FolderKind::Sweep:
            for (auto& r : readSweepResults(dir.string())) out.push_back(named(r, r.runDir));
            return;
        case FolderKind::SeedGroup:
        case FolderKind::Run:
            out.push_back(named(readRunResult(dir.string()), dir));
            return;
        case FolderKind::Collection: {
            std::vector<fs::path> below;
            std::error_code ec;
            for (const auto& entry : fs::directory_iterator(dir, ec))
                if (entry.is_directory()) below.push_back(entry.path());
            std::sort(below.begin(), below.end());
            for (const auto& d : below) collectResults(root, d, out);
            return;
        }
        case FolderKind::InterruptedRun:
        case FolderKind::None:
            return;
    }
}

std::string meanSd(const Spread& s, int seeds, int precision = 2)
{
    std::ostringstream out;
    out << std::fixed << std::setprecision(precision) << s.mean;
    if (seeds > 1) out << " ± " << s.sd;
    return out.str();
}

}  // namespace

std::vector<RunResult> readResults(const std::string& directory)
{
    const auto kind = folderKind(directory);
    if (kind == FolderKind::None || kind == FolderKind::InterruptedRun)
        throw Error(directory,
                    kind == FolderKind::None ? "holds no run, seed group or sweep"
                                             : "holds an interrupted run (a checkpoint, no summary.json yet)",
                    kind == FolderKind::None ? "give a run directory or a folder above runs"
                                             : "resume it (csq-train --resume) to have its results");
    std::vector<RunResult> results;
    collectResults(fs::path(directory), fs::path(directory), results);
    return results;
}

std::string resultsMarkdown(const std::vector<RunResult>& results)
{
    const RunResult* reference = nullptr;
    int floats = 0;
    for (const auto& r : results)
        if (r.floatModel && ++floats == 1) reference = &r;
    if (floats != 1) reference = nullptr;
    // Compute columns once any result has them (runs written before they were measured have none).
    const bool compute = std::any_of(results.begin(), results.end(), [](const RunResult& r) { return r.bitOps > 0; });
    std::ostringstream out;
    out << "| result | kind | seeds | exact test accuracy % | soft test accuracy % |"
        << (reference ? " gap to float |" : "") << " layer-average bits | size-weighted bits | weights KiB |"
        << (compute ? " MAC-weighted bits | GBitOPs per image |" : "") << "\n";
    out << "| --- | --- | --- | --- | --- |" << (reference ? " --- |" : "") << " --- | --- | --- |"
        << (compute ? " --- | --- |" : "") << "\n";
    for (const auto& r : results) {
        out << "| " << r.name << " | " << kindOf(r) << " | " << r.seeds << " | "
            << meanSd(r.testAccuracyQuantizedSpread, r.seeds) << " | " << meanSd(r.testAccuracySpread, r.seeds) << " |";
        if (reference) {
            std::ostringstream gap;
            gap << std::showpos << std::fixed << std::setprecision(2)
                << r.testAccuracyQuantized - reference->testAccuracyQuantized;
            out << ' ' << (&r == reference || r.model != reference->model ? std::string("-") : gap.str()) << " |";
        }
        out << ' ' << meanSd(r.avgBitsSpread, r.seeds) << " | " << meanSd(r.weightedAvgBitsSpread, r.seeds) << " | "
            << meanSd(r.weightKiBSpread, r.seeds, 1) << " |";
        if (compute) {
            const Spread giga{r.bitOpsSpread.mean / 1e9, r.bitOpsSpread.sd / 1e9, 0, 0};
            out << ' ' << (r.bitOps > 0 ? meanSd(r.macWeightedAvgBitsSpread, r.seeds) : "-") << " | "
                << (r.bitOps > 0 ? meanSd(giga, r.seeds, 3) : "-") << " |";
        }
        out << "\n";
    }
    return out.str();
}

std::string resultsCsv(const std::vector<RunResult>& results)
{
    std::ostringstream out;
    out << "name,kind,target_bits,avg_bits,weighted_avg_bits,weight_kib,test_accuracy,test_accuracy_quantized,on_front,"
           "seeds";
    const Figure* spreadFigures[] = {&kFigures[0], &kFigures[1], &kFigures[2], &kFigures[3]};
    for (const auto* f : spreadFigures)
        for (const char* stat : {"sd", "min", "max"}) out << ',' << f->key << '_' << stat;
    out << ",mac_weighted_avg_bits,bitops\n";
    for (const auto& r : results) {
        out << r.name << ',' << kindOf(r) << ',' << r.targetBits << ',' << r.avgBits << ',' << r.weightedAvgBits << ','
            << r.weightKiB << ',' << r.testAccuracy << ',' << r.testAccuracyQuantized << ',' << (r.onFront ? 1 : 0)
            << ',' << r.seeds;
        for (const auto* f : spreadFigures) {
            const auto& s = r.*(f->spread);
            out << ',' << s.sd << ',' << s.min << ',' << s.max;
        }
        out << ',' << r.macWeightedAvgBits << ',' << r.bitOps << '\n';
    }
    return out.str();
}

}  // namespace csq
