#pragma once
// Replays a metrics.csv into a MetricsStore, so the live plots (which draw a store's snapshots) can draw
// a run that another process writes: each step row becomes a Snapshot, each epoch row an EpochResult.
// Fed the file again and again as it grows, it adds only the rows the store has not seen yet.
#include "csq/snapshot.h"
#include "run/metrics_csv.h"

namespace csq::ui {

class MetricsStore;

class MetricsCsvFeed {
public:
    explicit MetricsCsvFeed(MetricsStore& store) : store_(store) {}

    // Adds the new rows; starts the store over when the file no longer extends what was fed (a run
    // restarted into the same folder rewrites it from the top).
    void feed(const MetricsCsv& metrics);

    // The scalar part of a snapshot as a step row holds it (no gates, no layers), read through the
    // column table (csq/metrics_columns.h); empty cells read as 0.
    static csq::Snapshot snapshotOf(const MetricsCsv& metrics, int row);
    static csq::EpochResult epochOf(const MetricsCsv& metrics, int row);

private:
    // What identifies the last row fed, to tell a grown file from a rewritten one.
    struct RowKey {
        double step = 0, t = 0;
        bool operator==(const RowKey&) const = default;
    };
    static RowKey keyOf(const MetricsCsv& metrics, int row);

    MetricsStore& store_;
    int fedRows_ = 0;
    RowKey lastFed_;
};

}  // namespace csq::ui
