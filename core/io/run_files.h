#pragma once
// The text files of a run directory (docs/reference/run-directory.md, a contract): metrics.csv, scheme.json,
// summary.json and config.json. Binary files live in checkpoint.h and quantized_model.h.
#include <string>
#include <vector>

#include "csq/config.h"
#include "csq/snapshot.h"

namespace csq::io {

// metrics.csv: one row per logged step (kind "step") and one per epoch (kind "epoch"). Rows are kept
// in memory and the file is rewritten atomically, so a crash never leaves half a row.
class MetricsLog {
public:
    static std::string header();
    void addStep(const Snapshot& s);
    void addEpoch(const EpochResult& e, int64_t step);
    // Reloads rows written before a resume, keeping only those up to `step` (a torn last line is
    // dropped); the next write rewrites the file.
    void loadExisting(const std::string& path, int64_t step);
    // The first write writes the whole file (atomically); later ones append the new rows while the
    // file is as this log left it, else rewrite it whole.
    void write(const std::string& path);
    // The whole log to another file (an export), leaving the run's file and its appends as they are.
    void writeCopy(const std::string& path) const;
    size_t rows() const { return rows_.size(); }

private:
    std::string text() const;  // header and every row

    std::vector<std::string> rows_;
    std::string writtenPath_;  // the file the rows [0, written_) are in, bytes_ long
    size_t written_ = 0;
    uint64_t bytes_ = 0;
};

std::string schemeJson(const std::vector<LayerScheme>& layers, const ModelPrecision& precision, BudgetMode mode,
                       double targetBits);
std::string summaryJson(const RunSummary& summary);
// Reading them back: csq::schemeLayersFromJson (csq/scheme.h), readRunResult (csq/sweep.h).

}  // namespace csq::io
