#pragma once
// One finished run directory as the comparison window reads it: its result row (summary.json through
// the engine's readRunResult), its kept-bits scheme (scheme.json, else summary.json's layers) and its
// curves (metrics.csv, when present).
#include <optional>
#include <vector>

#include <QString>

#include "csq/scheme.h"
#include "csq/sweep.h"
#include "run/metrics_csv.h"

namespace csq::ui {

struct RunRecord {
    csq::RunResult result;
    std::vector<csq::LayerScheme> layers;
    std::optional<MetricsCsv> metrics;
    QString metricsError;  // why metrics is empty ("" when it was read)

    QString name() const { return QString::fromStdString(result.name); }
    QString directory() const { return QString::fromStdString(result.runDir); }

    // Throws csq::Error naming the file when summary.json or scheme.json is missing or bad; a missing
    // or bad metrics.csv only leaves the curves empty (metricsError says why).
    static RunRecord load(const QString& runDirectory);
    // A finished run: the directory holds summary.json.
    static bool isRunDirectory(const QString& directory);
};

}  // namespace csq::ui
