#pragma once
// Budget sweeps: one config run at several target budgets, plus uniform-precision baselines, each in
// its own run directory under one sweep directory (sweep.json lists them), resumable; seeds as groups
// (one point run once per seed, each in <point>/seed-<k>, and the point's aggregate); and the table
// every comparison reads: one row per finished point with its size and quantized accuracy (means over
// seeds with their spread), the Pareto front marked. Torch-free: the GUI reads results and plans
// sweeps through this header.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "csq/config.h"

namespace csq {

struct SweepRunSpec {
    std::string name;   // the run directory under the sweep directory: "mixed-2", "uniform-3", "mixed-2/seed-3"
    std::string group;  // the point's folder under the sweep directory ("mixed-2"; "" = the sweep directory)
    bool uniform = false;
    double targetBits = 0;      // mixed runs: the budget; uniform runs: the bits every layer holds
    bool asConfigured = false;  // no budget of its own: the base config as it is (a seed group of one config)
    uint64_t seed = 0;          // 0: the base config's seed
};

struct SweepPlan {
    TrainingConfig base;           // every run's settings but the budget (base.outDir is ignored)
    std::vector<double> budgets;   // mixed-precision targets, e.g. 1.5, 2, 3, 4
    std::vector<int> uniformBits;  // uniform baselines, e.g. 2, 3, 4
    std::string directory;         // the sweep directory
    int parallel = 1;              // runs side by side; each gets base.threads / parallel threads (at least 1)
    // Empty: one run per point with base.seed. Otherwise each point is a group run once per seed, in
    // <point>/seed-<k>, with the group's aggregate in <point>/summary.json. With seeds and no budgets
    // nor uniform bits, the base config itself is the one group, in the sweep directory.
    std::vector<uint64_t> seeds;

    std::vector<SweepRunSpec> runs() const;
    // The points' folders, one per group ("" = the sweep directory itself); only with seeds.
    std::vector<std::string> groups() const;
    TrainingConfig configFor(const SweepRunSpec& run) const;
};

// Parses "1.5,2,3" (the --sweep and --uniform flags); throws csq::Error naming `what` on bad input.
std::vector<double> parseNumberList(const std::string& text, const std::string& what);
// Parses "1,2,3" (the --seeds flag): distinct whole numbers > 0.
std::vector<uint64_t> parseSeedList(const std::string& text, const std::string& what);
// Parses "2,3,4" (--uniform, the sweep dialog's uniform baselines): whole numbers of bits, 1 to 16.
std::vector<int> parseUniformBits(const std::string& text, const std::string& what);

// One figure over a group's seeds: sd is the sample standard deviation (n - 1), 0 for one seed.
struct Spread {
    double mean = 0, sd = 0, min = 0, max = 0;
    static Spread of(const std::vector<double>& values);
    static Spread single(double value) { return {value, 0, value, value}; }
};

// One finished run, as the Pareto view and the comparison table read it.
struct RunResult {
    std::string name, runDir, model;
    bool uniform = false, floatModel = false;
    double targetBits = 0;
    double avgBits = 0, weightedAvgBits = 0;
    double macWeightedAvgBits = 0, bitOps = 0;  // compute per image; 0 from runs written before it
    double weightKiB = 0;                       // quantized weights at their bits + float weights at 32 bits
    double testAccuracy = 0, testAccuracyQuantized = 0;
    bool onFront = false;  // no other run is at most as large and at least as accurate, one strictly
    // A group of seeds: the figures above are means, these their spread, members the seeds' run
    // directories. One run: seeds 1, spreads of its single values, no members.
    int seeds = 1;
    Spread testAccuracySpread, testAccuracyQuantizedSpread, avgBitsSpread, weightedAvgBitsSpread, weightKiBSpread,
        macWeightedAvgBitsSpread, bitOpsSpread;
    std::vector<std::string> members;
    bool isGroup() const { return !members.empty(); }
};

// Reads summary.json of a run directory, or of a group (the aggregate a seeds run writes); throws
// csq::Error naming the file when it is missing or bad.
RunResult readRunResult(const std::string& runDir);
// The aggregate of several runs of one point (its seeds): means, spreads and members. Throws
// csq::Error when the runs are not one point (model, kind and target must agree).
RunResult aggregateRuns(const std::vector<RunResult>& runs, const std::string& groupDir);
// Writes the group's summary.json (the aggregate, its seeds and their folders) and returns it.
RunResult writeGroupSummary(const std::string& groupDir, const std::vector<std::string>& memberDirs);
// Every finished run under a sweep directory (by sweep.json order, else by name), front marked.
std::vector<RunResult> readSweepResults(const std::string& sweepDirectory);
// Marks the Pareto front of (cost, testAccuracyQuantized) among the quantized runs, the cost
// weightedAvgBits unless another member is named: smaller and more accurate is better; float runs
// are the reference and stay off it.
void markParetoFront(std::vector<RunResult>& results, double RunResult::*cost = &RunResult::weightedAvgBits);
// What a folder is, told by its files: a sweep (sweep.json), a seed group or a finished run (its
// summary.json), an interrupted run (a checkpoint, no summary), a collection (folders below it hold any
// of these, a study's), or none of them.
enum class FolderKind { Sweep, SeedGroup, Run, InterruptedRun, Collection, None };
FolderKind folderKind(const std::string& directory);
std::string toString(FolderKind kind);

// Every finished result in a folder, whatever it is: the run or group itself, a sweep's points, or every
// sweep, group and run below a collection (a group's seeds are its members, not results of their own),
// named by their path under `directory`. Throws csq::Error naming the folder when nothing there is one.
std::vector<RunResult> readResults(const std::string& directory);

// The results as a Markdown table: per result its kind, seeds, exact and soft test accuracy (mean ± sd
// over seeds), layer-average and size-weighted bits, weights in KiB, and the gap to the float
// result's mean when there is exactly one float result.
std::string resultsMarkdown(const std::vector<RunResult>& results);

// name,kind,target_bits,avg_bits,weighted_avg_bits,weight_kib,test_accuracy,test_accuracy_quantized,on_front,
// seeds, then sd, min and max of test_accuracy_quantized, test_accuracy, avg_bits, weighted_avg_bits
std::string resultsCsv(const std::vector<RunResult>& results);

// Where a sweep's run stands: training (started or resumed), finished, or failed (the others go on).
enum class SweepRunState { Running, Done, Failed };

// Both callbacks come from any of the sweep's worker threads.
struct SweepProgress {
    std::function<void(const std::string& run, const std::string& line)> log;  // every progress line
    // A run's state changed; detail is its result line (Done) or the reason (Failed). A group whose
    // aggregate cannot be written fails under the group's name.
    std::function<void(const std::string& run, SweepRunState state, const std::string& detail)> state;
};

// Runs (or resumes) every run of the plan: finished runs are skipped, interrupted ones resume from
// their checkpoint. Writes sweep.json first, each complete group's summary.json and results.csv at the
// end. Returns the results (one per point); a run that fails is reported through `progress` and its
// point left out, the others go on. `stop` ends it early.
std::vector<RunResult> runSweep(const SweepPlan& plan, const SweepProgress& progress,
                                const std::atomic<bool>* stop = nullptr);

}  // namespace csq
