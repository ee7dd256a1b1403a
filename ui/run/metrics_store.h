#pragma once
// The bounded history of a run that every plot reads: one compact sample per snapshot (thinned to
// stay under a cap on long runs), every epoch result, and the latest full snapshot with its gate matrix.
#include <optional>

#include <QList>
#include <QObject>

#include "csq/sensitivity.h"
#include "csq/snapshot.h"

namespace csq::ui {

// The scalar part of a Snapshot: what the time-series plots draw.
struct MetricSample {
    double t = 0;
    qint64 step = 0;
    double beta = 0, lambda = 0, targetBits = 0, deltaS = 0, lr = 0;
    double avgBits = 0, weightedAvgBits = 0, macWeightedAvgBits = 0;
    double ce = 0, budgetLoss = 0, trainAccuracy = 0;
    double imagesPerSecond = 0;
};

class MetricsStore : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultCapacity = 4096;

    explicit MetricsStore(QObject* parent = nullptr, int capacity = kDefaultCapacity);

    void addSnapshot(const csq::Snapshot& snapshot);
    void addEpoch(const csq::EpochResult& result);
    void clear();  // the run's history; the planned start stays (it belongs to the setup)
    // The setup's state before its first step (csq::plannedStart), drawn until a snapshot arrives.
    void setPlannedStart(std::optional<csq::Snapshot> planned);

    const QList<MetricSample>& samples() const { return samples_; }
    const QList<csq::EpochResult>& epochs() const { return epochs_; }
    const std::optional<csq::Snapshot>& latest() const { return latest_; }
    const std::optional<csq::Snapshot>& plannedStart() const { return planned_; }
    // The last sensitivity measurement. Like the planned start it outlives clear(); a planned start of
    // other layers (another model) drops it.
    void setSensitivity(std::optional<csq::Sensitivity> sensitivity);
    const std::optional<csq::Sensitivity>& sensitivity() const { return sensitivity_; }
    int capacity() const { return capacity_; }
    int stride() const { return stride_; }  // keeps one snapshot in `stride` once the cap was reached
    qint64 received() const { return received_; }

Q_SIGNALS:
    void changed();

private:
    void thin();

    int capacity_;
    int stride_ = 1;
    qint64 received_ = 0;
    bool tailProvisional_ = false;  // the last sample is off the stride: replaced by the next one
    QList<MetricSample> samples_;
    QList<csq::EpochResult> epochs_;
    std::optional<csq::Snapshot> latest_;
    std::optional<csq::Snapshot> planned_;
    std::optional<csq::Sensitivity> sensitivity_;
};

}  // namespace csq::ui
