// Budget sweeps and seed groups: the plan, the runner (one run after another or side by side,
// resumable) and the sweep's results.
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
#include "csq/run_directory.h"
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

void tell(const SweepProgress& progress, const std::string& run, SweepRunState state, const std::string& detail)
{
    if (progress.log && state != SweepRunState::Running) progress.log(run, detail);
    if (progress.state) progress.state(run, state, detail);
}

// Forwards a run's progress lines to the sweep's log (the caller names the run) and its end as a state.
class RunObserver : public Observer {
public:
    RunObserver(std::string name, const SweepProgress& progress) : name_(std::move(name)), progress_(progress)
    {
        if (progress_.state) progress_.state(name_, SweepRunState::Running, {});
    }
    void onEpoch(const EpochResult& e) override
    {
        say("epoch " + std::to_string(e.epoch + 1) + " done: test " + number(e.testAccuracy) + "%, quantized " +
            number(e.testAccuracyQuantized) + "%, bits " + number(e.precision.avgBits));
    }
    void onLog(const std::string& line) override { say(line); }
    void onFinished(const RunSummary& s) override
    {
        tell(progress_, name_, SweepRunState::Done,
             "finished: quantized " + number(s.testAccuracyQuantized) + "% at " + number(s.precision.weightedAvgBits) +
                 " size-weighted bits");
    }
    void onFailed(const std::string& reason) override
    {
        failed = true;
        tell(progress_, name_, SweepRunState::Failed, "failed: " + reason);
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

// A folder under the sweep directory; "" is the sweep directory itself (a seed group of one config).
std::string inside(const std::string& directory, const std::string& name)
{
    return name.empty() ? directory : (fs::path(directory) / name).string();
}

void writeSweepJson(const SweepPlan& plan)
{
    json::object o;
    o["budgets"] = json::value_from(plan.budgets);
    o["uniform_bits"] = json::value_from(plan.uniformBits);
    o["seeds"] = json::value_from(plan.seeds);
    if (!plan.seeds.empty()) o["groups"] = json::value_from(plan.groups());
    json::array runs;
    for (const auto& r : plan.runs()) runs.push_back(json::string(r.name));
    o["runs"] = std::move(runs);
    o["base_config"] = json::parse(toJson(plan.base));
    io::writeFileAtomic((fs::path(plan.directory) / run_files::kSweepPlan).string(), json::serialize(o));
}

// Runs one sweep run to its end (or resumes it); true when it finished.
bool runOne(const SweepPlan& plan, const SweepRunSpec& run, const SweepProgress& progress,
            const std::atomic<bool>* stop)
{
    const auto dir = fs::path(plan.directory) / run.name;
    if (fs::exists(dir / run_files::kSummary)) return true;
    RunObserver observer(run.name, progress);
    Session session(observer);
    session.linkStop(stop);  // the sweep's stop ends this run at its next batch
    if (fs::exists(dir / run_files::kCheckpoint)) {
        observer.onLog("resuming from its checkpoint");
        session.startFromCheckpoint((dir / run_files::kCheckpoint).string(), dir.string());
    } else {
        session.start(plan.configFor(run));
    }
    session.wait();
    return !observer.failed && fs::exists(dir / run_files::kSummary);
}

}  // namespace

std::vector<SweepRunSpec> SweepPlan::runs() const
{
    std::vector<SweepRunSpec> points;
    for (double b : budgets) points.push_back({"mixed-" + number(b), "", false, b});
    for (int k : uniformBits) points.push_back({"uniform-" + std::to_string(k), "", true, static_cast<double>(k)});
    if (seeds.empty()) {
        for (auto& p : points) p.group = p.name;
        return points;
    }
    if (points.empty()) points.push_back({"", "", base.uniformBits > 0, base.targetBits, true});
    std::vector<SweepRunSpec> out;
    for (const auto& p : points)
        for (uint64_t seed : seeds) {
            auto run = p;
            run.group = p.name;
            run.name = (fs::path(p.name) / ("seed-" + std::to_string(seed))).generic_string();
            run.seed = seed;
            out.push_back(std::move(run));
        }
    return out;
}

std::vector<std::string> SweepPlan::groups() const
{
    std::vector<std::string> out;
    if (seeds.empty()) return out;
    for (const auto& r : runs())
        if (std::find(out.begin(), out.end(), r.group) == out.end()) out.push_back(r.group);
    return out;
}

TrainingConfig SweepPlan::configFor(const SweepRunSpec& run) const
{
    TrainingConfig c = base;
    c.outDir = (fs::path(directory) / run.name).string();
    if (parallel > 1) c.threads = std::max(1, (base.threads > 0 ? base.threads : physicalCores()) / parallel);
    if (run.seed > 0) c.seed = run.seed;
    if (run.asConfigured) {
        // the base config's own budget, uniform bits or held scheme
    } else if (!base.scheme.empty()) {
        throw Error("scheme", "a sweep's points search their own schemes or hold uniform bits",
                    "drop scheme from the sweep, or give the held scheme --seeds alone");
    } else if (run.uniform) {
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
            throw Error(what, "'" + item + "' is not a positive number",
                        "give a comma-separated list such as 1.5,2,3,4");
        out.push_back(v);
    }
    if (out.empty()) throw Error(what, "no values given", "give a comma-separated list such as 1.5,2,3,4");
    return out;
}

std::vector<uint64_t> parseSeedList(const std::string& text, const std::string& what)
{
    std::vector<uint64_t> out;
    for (double v : parseNumberList(text, what)) {
        if (v != std::floor(v) || v > 1e15)
            throw Error(what, "seeds are whole numbers, got " + number(v), "give a comma-separated list such as 1,2,3");
        const auto seed = static_cast<uint64_t>(v);
        if (std::find(out.begin(), out.end(), seed) != out.end())
            throw Error(what, "seed " + number(v) + " is given twice", "give each seed once");
        out.push_back(seed);
    }
    return out;
}

std::vector<int> parseUniformBits(const std::string& text, const std::string& what)
{
    std::vector<int> out;
    for (double v : parseNumberList(text, what)) {
        if (v != std::floor(v) || v > 16)
            throw Error(what, "'" + number(v) + "' is not a whole number of bits from 1 to 16",
                        "give a list such as 2,3,4");
        out.push_back(static_cast<int>(v));
    }
    return out;
}

std::vector<RunResult> readSweepResults(const std::string& sweepDirectory)
{
    // A sweep with seeds lists its groups (each point's folder); one without, its runs.
    std::vector<std::string> names;
    const auto sweepJson = fs::path(sweepDirectory) / run_files::kSweepPlan;
    if (fs::exists(sweepJson)) {
        const auto v = json::parse(io::readFile(sweepJson.string()));
        const auto* groups = v.as_object().if_contains("groups");
        const auto* runs = groups && groups->is_array() ? groups : v.as_object().if_contains("runs");
        if (runs && runs->is_array())
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
        const auto dir = inside(sweepDirectory, name);
        if (fs::exists(fs::path(dir) / run_files::kSummary)) results.push_back(readRunResult(dir));
    }
    markParetoFront(results);
    return results;
}

std::vector<RunResult> runSweep(const SweepPlan& plan, const SweepProgress& progress, const std::atomic<bool>* stop)
{
    if (plan.runs().empty())
        throw Error("sweep", "no runs planned", "give budgets (--sweep), uniform bits (--uniform) or seeds (--seeds)");
    for (const auto& run : plan.runs()) plan.configFor(run);  // every config valid before anything runs
    std::error_code ec;
    fs::create_directories(plan.directory, ec);
    if (ec)
        throw Error(plan.directory, "cannot create the sweep directory: " + ec.message(), "choose a writable folder");
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
                tell(progress, runs[i].name, SweepRunState::Failed, std::string("failed: ") + e.what());
            }
        }
    };
    std::vector<std::thread> workers;
    for (int w = 1; w < std::max(1, plan.parallel); ++w) workers.emplace_back(worker);
    worker();
    for (auto& t : workers) t.join();

    for (const auto& group : plan.groups()) {  // the aggregate of each group whose seeds all finished
        std::vector<std::string> members;
        for (const auto& r : runs)
            if (r.group == group && fs::exists(fs::path(plan.directory) / r.name / run_files::kSummary))
                members.push_back((fs::path(plan.directory) / r.name).string());
        if (members.size() == plan.seeds.size()) {
            try {
                writeGroupSummary(inside(plan.directory, group), members);
            } catch (const std::exception& e) {
                tell(progress, group.empty() ? "group" : group, SweepRunState::Failed,
                     std::string("failed: ") + e.what());
            }
        }
    }
    auto results = readSweepResults(plan.directory);
    io::writeFileAtomic((fs::path(plan.directory) / run_files::kSweepResults).string(), resultsCsv(results));
    return results;
}

}  // namespace csq
