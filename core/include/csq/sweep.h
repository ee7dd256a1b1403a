#pragma once
// Budget sweeps: one config run at several target budgets, plus uniform-precision baselines, each in
// its own run directory under one sweep directory (sweep.json lists them), resumable; and the table
// every comparison reads: one row per finished run with its size and quantized accuracy, the Pareto
// front marked. Torch-free: the GUI reads results and plans sweeps through this header.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "csq/config.h"

namespace csq {

struct SweepRunSpec {
    std::string name;        // "mixed-2", "uniform-3": the run directory's name under the sweep directory
    bool uniform = false;
    double targetBits = 0;   // mixed runs: the budget; uniform runs: the bits every layer holds
};

struct SweepPlan {
    TrainingConfig base;            // every run's settings but the budget (base.outDir is ignored)
    std::vector<double> budgets;    // mixed-precision targets, e.g. 1.5, 2, 3, 4
    std::vector<int> uniformBits;   // uniform baselines, e.g. 2, 3, 4
    std::string directory;          // the sweep directory
    int parallel = 1;               // runs side by side; each gets base.threads / parallel threads (at least 1)

    std::vector<SweepRunSpec> runs() const;
    TrainingConfig configFor(const SweepRunSpec& run) const;
};

// Parses "1.5,2,3" (the --sweep and --uniform flags); throws csq::Error naming `what` on bad input.
std::vector<double> parseNumberList(const std::string& text, const std::string& what);

// One finished run, as the Pareto view and the comparison table read it.
struct RunResult {
    std::string name, runDir, model;
    bool uniform = false, floatModel = false;
    double targetBits = 0;
    double avgBits = 0, weightedAvgBits = 0;
    double weightKiB = 0;            // quantized weights at their bits + float weights at 32 bits
    double testAccuracy = 0, testAccuracyQuantized = 0;
    bool onFront = false;            // no other run is at most as large and at least as accurate, one strictly
};

// Reads summary.json of a run directory; throws csq::Error naming the file when it is missing or bad.
RunResult readRunResult(const std::string& runDir);
// Every finished run under a sweep directory (by sweep.json order, else by name), front marked.
std::vector<RunResult> readSweepResults(const std::string& sweepDirectory);
// Marks the Pareto front of (weightedAvgBits, testAccuracyQuantized) among the quantized runs: smaller
// and more accurate is better; float runs are the reference and stay off it.
void markParetoFront(std::vector<RunResult>& results);
// name,kind,target_bits,avg_bits,weighted_avg_bits,weight_kib,test_accuracy,test_accuracy_quantized,on_front
std::string resultsCsv(const std::vector<RunResult>& results);

struct SweepProgress {
    std::function<void(const std::string& run, const std::string& line)> log;  // from any worker thread
};

// Runs (or resumes) every run of the plan: finished runs are skipped, interrupted ones resume from
// their checkpoint. Writes sweep.json first and results.csv at the end. Returns the results; a run that
// fails is reported through `progress.log` and left out, the others go on. `stop` ends it early.
std::vector<RunResult> runSweep(const SweepPlan& plan, const SweepProgress& progress, const std::atomic<bool>* stop = nullptr);

}  // namespace csq
