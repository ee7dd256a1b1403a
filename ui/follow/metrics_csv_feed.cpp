#include "follow/metrics_csv_feed.h"

#include <cmath>

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

csq::Phase MetricsCsvFeed::phaseOf(const QString& text)
{
    for (auto phase :
         {csq::Phase::Float, csq::Phase::Search, csq::Phase::Ticket, csq::Phase::Finetune, csq::Phase::Done})
        if (text == QString::fromStdString(csq::toString(phase))) return phase;
    return csq::Phase::Search;
}

csq::Snapshot MetricsCsvFeed::snapshotOf(const MetricsCsv& metrics, int row)
{
    csq::Snapshot s;
    s.phase = phaseOf(metrics.text(row, QStringLiteral("phase")));
    s.epoch = static_cast<int>(numberOr(metrics, row, "epoch"));
    s.t = numberOr(metrics, row, "t");
    s.step = static_cast<int64_t>(numberOr(metrics, row, "step"));
    s.beta = numberOr(metrics, row, "beta", s.beta);
    s.lambda = numberOr(metrics, row, "lambda");
    s.targetBits = numberOr(metrics, row, "target_bits");
    s.deltaS = numberOr(metrics, row, "delta_s");
    s.lr = numberOr(metrics, row, "lr");
    s.precision.avgBits = numberOr(metrics, row, "avg_bits");
    s.precision.weightedAvgBits = numberOr(metrics, row, "weighted_avg_bits");
    s.ce = numberOr(metrics, row, "ce");
    s.budgetLoss = numberOr(metrics, row, "budget_loss");
    s.trainAccuracy = numberOr(metrics, row, "train_acc");
    s.imagesPerSecond = numberOr(metrics, row, "images_per_second");
    return s;
}

csq::EpochResult MetricsCsvFeed::epochOf(const MetricsCsv& metrics, int row)
{
    csq::EpochResult e;
    e.epoch = static_cast<int>(numberOr(metrics, row, "epoch"));
    e.phase = phaseOf(metrics.text(row, QStringLiteral("phase")));
    e.trainLoss = numberOr(metrics, row, "ce");
    e.trainAccuracy = numberOr(metrics, row, "train_acc");
    e.testAccuracy = numberOr(metrics, row, "test_acc");
    e.testAccuracyQuantized = numberOr(metrics, row, "test_acc_quantized", e.testAccuracy);
    e.validationAccuracy = numberOr(metrics, row, "val_acc", -1);
    e.precision.avgBits = numberOr(metrics, row, "avg_bits");
    e.precision.weightedAvgBits = numberOr(metrics, row, "weighted_avg_bits");
    e.beta = numberOr(metrics, row, "beta");
    e.targetBits = numberOr(metrics, row, "target_bits");
    e.imagesPerSecond = numberOr(metrics, row, "images_per_second");
    return e;
}

MetricsCsvFeed::RowKey MetricsCsvFeed::keyOf(const MetricsCsv& metrics, int row)
{
    return {numberOr(metrics, row, "step", -1), numberOr(metrics, row, "t")};
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
