// Budget sweeps: the plan, the runner (one run after another or side by side, resumable) and the
// results table with its Pareto front.
#include "csq/sweep.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "csq/errors.h"
#include "csq/runtime.h"
#include "csq/session.h"
#include "io/atomic_file.h"

namespace csq {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string number(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

double numberAt(const json::object& o, const char* key, const std::string& source)
{
    const auto* v = o.if_contains(key);
    if (!v || !v->is_number()) throw Error(source + ": " + key, "missing or not a number", "the run has not finished");
    return v->to_number<double>();
}

// Forwards a run's progress lines to the sweep's log, prefixed by nothing: the caller names the run.
class RunObserver : public Observer {
public:
    RunObserver(std::string name, const SweepProgress& progress) : name_(std::move(name)), progress_(progress) {}
    void onEpoch(const EpochResult& e) override
    {
        say("epoch " + std::to_string(e.epoch + 1) + " done: test " + number(e.testAccuracy) + "%, quantized " +
            number(e.testAccuracyQuantized) + "%, bits " + number(e.precision.avgBits));
    }
    void onLog(const std::string& line) override { say(line); }
    void onFinished(const RunSummary& s) override
    {
        say("finished: quantized " + number(s.testAccuracyQuantized) + "% at " + number(s.precision.weightedAvgBits) +
            " size-weighted bits");
    }
    void onFailed(const std::string& reason) override
    {
        failed = true;
        say("failed: " + reason);
    }
    bool failed = false;

private:
    void say(const std::string& line) const
    {
        if (progress_.log) progress_.log(name_, line);
    }
    std::string name_;
    const SweepProgress& progress_;
};

void writeSweepJson(const SweepPlan& plan)
{
    json::object o;
    o["budgets"] = json::value_from(plan.budgets);
    o["uniform_bits"] = json::value_from(plan.uniformBits);
    json::array runs;
    for (const auto& r : plan.runs()) runs.push_back(json::string(r.name));
    o["runs"] = std::move(runs);
    o["base_config"] = json::parse(toJson(plan.base));
    io::writeFileAtomic((fs::path(plan.directory) / "sweep.json").string(), json::serialize(o));
}

// Runs one sweep run to its end (or resumes it); true when it finished.
bool runOne(const SweepPlan& plan, const SweepRunSpec& run, const SweepProgress& progress, const std::atomic<bool>* stop)
{
    const auto dir = fs::path(plan.directory) / run.name;
    if (fs::exists(dir / "summary.json")) return true;
    RunObserver observer(run.name, progress);
    Session session(observer);
    session.linkStop(stop);  // the sweep's stop ends this run at its next batch
    if (fs::exists(dir / "checkpoint.pt")) {
        observer.onLog("resuming from its checkpoint");
        session.startFromCheckpoint((dir / "checkpoint.pt").string(), dir.string());
    } else {
        session.start(plan.configFor(run));
    }
    session.wait();
    return !observer.failed && fs::exists(dir / "summary.json");
}

}  // namespace

std::vector<SweepRunSpec> SweepPlan::runs() const
{
    std::vector<SweepRunSpec> out;
    for (double b : budgets) out.push_back({"mixed-" + number(b), false, b});
    for (int k : uniformBits) out.push_back({"uniform-" + std::to_string(k), true, static_cast<double>(k)});
    return out;
}

TrainingConfig SweepPlan::configFor(const SweepRunSpec& run) const
{
    TrainingConfig c = base;
    c.outDir = (fs::path(directory) / run.name).string();
    if (parallel > 1) c.threads = std::max(1, (base.threads > 0 ? base.threads : physicalCores()) / parallel);
    if (run.uniform) {
        c.uniformBits = static_cast<int>(run.targetBits);
        c.targetBits = std::min<double>(run.targetBits, c.maxBits);
    } else {
        c.uniformBits = 0;
        c.targetBits = run.targetBits;
    }
    requireValid(c);
    return c;
}

std::vector<double> parseNumberList(const std::string& text, const std::string& what)
{
    std::vector<double> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        size_t used = 0;
        double v = 0;
        try {
            v = std::stod(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size() || !std::isfinite(v) || v <= 0)
            throw Error(what, "'" + item + "' is not a positive number", "give a comma-separated list such as 1.5,2,3,4");
        out.push_back(v);
    }
    if (out.empty()) throw Error(what, "no values given", "give a comma-separated list such as 1.5,2,3,4");
    return out;
}

RunResult readRunResult(const std::string& runDir)
{
    const auto path = (fs::path(runDir) / "summary.json").string();
    json::value v;
    try {
        v = json::parse(io::readFile(path));
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(path, std::string("cannot be parsed: ") + e.what());
    }
    if (!v.is_object()) throw Error(path, "expected a JSON object");
    const auto& o = v.as_object();
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
    // Size: quantized layers at their kept bits, every other parameter as float32.
    double quantizedParams = 0, bits = 0;
    if (const auto* layers = o.if_contains("layers"); layers && layers->is_array() && !r.floatModel)
        for (const auto& l : layers->as_array()) {
            const auto& lo = l.as_object();
            quantizedParams += numberAt(lo, "params", path);
            bits += numberAt(lo, "params", path) * numberAt(lo, "bits", path);
        }
    const double total = o.contains("total_params") ? numberAt(o, "total_params", path) : quantizedParams;
    r.weightKiB = (bits + 32.0 * std::max(0.0, total - quantizedParams)) / 8.0 / 1024.0;
    // A uniform run is one whose layers all sit outside the search (uniform_bits > 0 in its config).
    const auto configPath = fs::path(runDir) / "config.json";
    if (fs::exists(configPath)) r.uniform = loadConfig(configPath.string()).uniformBits > 0;
    return r;
}

void markParetoFront(std::vector<RunResult>& results)
{
    // A float run is the reference, not a point of the quantized trade-off: never on the front, never
    // dominating one.
    for (auto& r : results) {
        r.onFront = !r.floatModel && std::none_of(results.begin(), results.end(), [&](const RunResult& o) {
            const bool noWorse = o.weightedAvgBits <= r.weightedAvgBits && o.testAccuracyQuantized >= r.testAccuracyQuantized;
            const bool better = o.weightedAvgBits < r.weightedAvgBits || o.testAccuracyQuantized > r.testAccuracyQuantized;
            return &o != &r && !o.floatModel && noWorse && better;
        });
    }
}

std::vector<RunResult> readSweepResults(const std::string& sweepDirectory)
{
    std::vector<std::string> names;
    const auto sweepJson = fs::path(sweepDirectory) / "sweep.json";
    if (fs::exists(sweepJson)) {
        const auto v = json::parse(io::readFile(sweepJson.string()));
        if (const auto* runs = v.as_object().if_contains("runs"); runs && runs->is_array())
            for (const auto& n : runs->as_array()) names.emplace_back(n.as_string());
    } else {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(sweepDirectory, ec))
            if (entry.is_directory()) names.push_back(entry.path().filename().string());
        if (ec) throw Error(sweepDirectory, "cannot be read: " + ec.message(), "choose a sweep directory");
        std::sort(names.begin(), names.end());
    }
    std::vector<RunResult> results;
    for (const auto& name : names) {
        const auto dir = fs::path(sweepDirectory) / name;
        if (fs::exists(dir / "summary.json")) results.push_back(readRunResult(dir.string()));
    }
    markParetoFront(results);
    return results;
}

std::string resultsCsv(const std::vector<RunResult>& results)
{
    std::ostringstream out;
    out << "name,kind,target_bits,avg_bits,weighted_avg_bits,weight_kib,test_accuracy,test_accuracy_quantized,on_front\n";
    for (const auto& r : results)
        out << r.name << ',' << (r.floatModel ? "float" : r.uniform ? "uniform" : "mixed") << ',' << r.targetBits << ','
            << r.avgBits << ',' << r.weightedAvgBits << ',' << r.weightKiB << ',' << r.testAccuracy << ','
            << r.testAccuracyQuantized << ',' << (r.onFront ? 1 : 0) << '\n';
    return out.str();
}

std::vector<RunResult> runSweep(const SweepPlan& plan, const SweepProgress& progress, const std::atomic<bool>* stop)
{
    if (plan.runs().empty()) throw Error("sweep", "no runs planned", "give budgets (--sweep) or uniform bits (--uniform)");
    for (const auto& run : plan.runs()) plan.configFor(run);  // every config valid before anything runs
    std::error_code ec;
    fs::create_directories(plan.directory, ec);
    if (ec) throw Error(plan.directory, "cannot create the sweep directory: " + ec.message(), "choose a writable folder");
    writeSweepJson(plan);

    const auto runs = plan.runs();
    std::mutex mutex;
    size_t next = 0;
    auto worker = [&] {
        while (!(stop && stop->load())) {
            size_t i;
            {
                std::lock_guard lock(mutex);
                if (next >= runs.size()) return;
                i = next++;
            }
            try {
                runOne(plan, runs[i], progress, stop);
            } catch (const std::exception& e) {
                if (progress.log) progress.log(runs[i].name, std::string("failed: ") + e.what());
            }
        }
    };
    std::vector<std::thread> workers;
    for (int w = 1; w < std::max(1, plan.parallel); ++w) workers.emplace_back(worker);
    worker();
    for (auto& t : workers) t.join();

    auto results = readSweepResults(plan.directory);
    io::writeFileAtomic((fs::path(plan.directory) / "results.csv").string(), resultsCsv(results));
    return results;
}

}  // namespace csq
