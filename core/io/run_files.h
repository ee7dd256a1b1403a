#pragma once
// The text files of a run directory (ARCHITECTURE §6, a contract): metrics.csv, scheme.json,
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
    static const char* header();
    void addStep(const Snapshot& s);
    void addEpoch(const EpochResult& e, int64_t step);
    // Reloads rows written before a resume, keeping only those up to `step`.
    void loadExisting(const std::string& path, int64_t step);
    void write(const std::string& path) const;
    size_t rows() const { return rows_.size(); }

private:
    std::vector<std::string> rows_;
};

std::string schemeJson(const std::vector<LayerScheme>& layers, const ModelPrecision& precision, BudgetMode mode,
                       double targetBits);
std::string summaryJson(const RunSummary& summary);
// Reading them back: csq::schemeLayersFromJson (csq/scheme.h), readRunResult (csq/sweep.h).

}  // namespace csq::io
