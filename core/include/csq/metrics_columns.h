#pragma once
// The columns of metrics.csv (docs/reference/run-directory.md), written once: the engine writes each
// row from this table, and follow mode and every other reader read rows back through it. A column is
// carried by step rows, epoch rows or both, and left empty where a row does not carry it. Adding a
// column is one entry in core/api/metrics_columns.cpp. Torch-free.
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "csq/snapshot.h"

namespace csq {

// A cell as a reader holds it: its number (NaN when empty or text) and its text (the phase).
struct MetricsCell {
    double number = std::numeric_limits<double>::quiet_NaN();
    std::string text;
};

struct MetricsColumn {
    const char* key;
    // A step row's cell from a snapshot ("" leaves it empty), and the cell read back into a snapshot;
    // null where step rows do not carry the column.
    std::function<std::string(const Snapshot&)> writeStep;
    std::function<void(Snapshot&, const MetricsCell&)> readStep;
    // The same for epoch rows, from an epoch's result and the step it ended at.
    std::function<std::string(const EpochResult&, int64_t step)> writeEpoch;
    std::function<void(EpochResult&, const MetricsCell&)> readEpoch;
};

// Column names readers select by (the curves of the comparison window, follow mode's status).
namespace metrics_column {
inline constexpr const char* kKind = "kind";  // "step" or "epoch"
inline constexpr const char* kStep = "step";
inline constexpr const char* kT = "t";
inline constexpr const char* kPhase = "phase";
inline constexpr const char* kCe = "ce";
inline constexpr const char* kTestAcc = "test_acc";
inline constexpr const char* kTestAccQuantized = "test_acc_quantized";
inline constexpr const char* kAvgBits = "avg_bits";
inline constexpr const char* kWeightedAvgBits = "weighted_avg_bits";
inline constexpr const char* kMacWeightedAvgBits = "mac_weighted_avg_bits";
}  // namespace metrics_column

// Every column, in file order.
const std::vector<MetricsColumn>& metricsColumns();

// The header line and a row of each kind (no newline).
std::string metricsHeader();
std::string metricsStepRow(const Snapshot& snapshot);
std::string metricsEpochRow(const EpochResult& epoch, int64_t step);

// A row read back, `cell(key)` giving each column's cell.
Snapshot snapshotFromMetrics(const std::function<MetricsCell(const char* key)>& cell);
EpochResult epochFromMetrics(const std::function<MetricsCell(const char* key)>& cell);

}  // namespace csq
