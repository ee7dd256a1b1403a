#include "follow/metrics_csv_feed.h"

#include <cmath>

#include "csq/metrics_columns.h"
#include "run/metrics_store.h"

namespace csq::ui {

namespace {

// A cell's number, or `fallback` when the row does not carry it (float-phase rows have no λ, epoch rows no lr).
double numberOr(const MetricsCsv& metrics, int row, const char* column, double fallback = 0)
{
    const double v = metrics.number(row, QLatin1String(column));
    return std::isnan(v) ? fallback : v;
}

}  // namespace

namespace {

// A row's cells as the column table reads them.
std::function<csq::MetricsCell(const char*)> cellsOf(const MetricsCsv& metrics, int row)
{
    return [&metrics, row](const char* key) {
        const auto column = QLatin1String(key);
        return csq::MetricsCell{metrics.number(row, column), metrics.text(row, column).toStdString()};
    };
}

}  // namespace

csq::Snapshot MetricsCsvFeed::snapshotOf(const MetricsCsv& metrics, int row)
{
    return csq::snapshotFromMetrics(cellsOf(metrics, row));
}

csq::EpochResult MetricsCsvFeed::epochOf(const MetricsCsv& metrics, int row)
{
    return csq::epochFromMetrics(cellsOf(metrics, row));
}

MetricsCsvFeed::RowKey MetricsCsvFeed::keyOf(const MetricsCsv& metrics, int row)
{
    return {numberOr(metrics, row, csq::metrics_column::kStep, -1), numberOr(metrics, row, csq::metrics_column::kT)};
}

void MetricsCsvFeed::feed(const MetricsCsv& metrics)
{
    const bool extends = fedRows_ == 0 || (fedRows_ <= metrics.rowCount() && keyOf(metrics, fedRows_ - 1) == lastFed_);
    if (!extends) {
        store_.clear();
        fedRows_ = 0;
    }
    for (int row = fedRows_; row < metrics.rowCount(); ++row) {
        if (metrics.kind(row) == MetricsCsv::Kind::Step)
            store_.addSnapshot(snapshotOf(metrics, row));
        else
            store_.addEpoch(epochOf(metrics, row));
    }
    fedRows_ = metrics.rowCount();
    if (fedRows_ > 0) lastFed_ = keyOf(metrics, fedRows_ - 1);
}

}  // namespace csq::ui
