#include "run/metrics_store.h"

#include <algorithm>

namespace csq::ui {

namespace {

MetricSample sampleOf(const csq::Snapshot& s)
{
    MetricSample m;
    m.t = s.t;
    m.step = s.step;
    m.beta = s.beta;
    m.lambda = s.lambda;
    m.targetBits = s.targetBits;
    m.deltaS = s.deltaS;
    m.lr = s.lr;
    m.avgBits = s.precision.avgBits;
    m.weightedAvgBits = s.precision.weightedAvgBits;
    m.macWeightedAvgBits = s.precision.macWeightedAvgBits;
    m.ce = s.ce;
    m.budgetLoss = s.budgetLoss;
    m.trainAccuracy = s.trainAccuracy;
    m.imagesPerSecond = s.imagesPerSecond;
    return m;
}

}  // namespace

MetricsStore::MetricsStore(QObject* parent, int capacity) : QObject(parent), capacity_(std::max(capacity, 4))
{
    samples_.reserve(capacity_);
}

void MetricsStore::addSnapshot(const csq::Snapshot& snapshot)
{
    // A resumed run restarts its step count below ours: that is a new history.
    if (!samples_.isEmpty() && snapshot.step < samples_.constLast().step) clear();
    latest_ = snapshot;
    // The newest point is always drawn; when it is off the stride it only holds the tail until the next.
    if (tailProvisional_) samples_.removeLast();
    tailProvisional_ = received_ % stride_ != 0;
    ++received_;
    samples_.append(sampleOf(snapshot));
    if (samples_.size() >= capacity_) thin();
    Q_EMIT changed();
}

// Halves the history, keeping every other sample (the first always), and doubles the stride so new
// samples arrive at the same density: a whole long run stays visible at an even, coarser resolution.
void MetricsStore::thin()
{
    std::optional<MetricSample> tail;
    if (tailProvisional_) tail = samples_.takeLast();
    const qsizetype onStride = samples_.size();
    if (!tail && onStride % 2 == 0) tail = samples_.constLast();  // the newest sits at an odd index
    QList<MetricSample> kept;
    kept.reserve(capacity_);
    for (qsizetype i = 0; i < onStride; i += 2) kept.append(samples_[i]);
    tailProvisional_ = tail.has_value();
    if (tail) kept.append(*tail);
    samples_ = std::move(kept);
    stride_ *= 2;
}

void MetricsStore::addEpoch(const csq::EpochResult& result)
{
    epochs_.append(result);
    Q_EMIT changed();
}

void MetricsStore::setPlannedStart(std::optional<csq::Snapshot> planned)
{
    planned_ = std::move(planned);
    if (planned_ && sensitivity_) {
        const auto& measured = sensitivity_->layers;
        const auto& layers = planned_->layers;
        const bool same = measured.size() == layers.size() &&
                          std::equal(measured.begin(), measured.end(), layers.begin(),
                                     [](const auto& m, const auto& l) { return m.name == l.name; });
        if (!same) sensitivity_.reset();
    }
    Q_EMIT changed();
}

void MetricsStore::setSensitivity(std::optional<csq::Sensitivity> sensitivity)
{
    sensitivity_ = std::move(sensitivity);
    Q_EMIT changed();
}

void MetricsStore::clear()
{
    samples_.clear();
    epochs_.clear();
    latest_.reset();
    stride_ = 1;
    received_ = 0;
    tailProvisional_ = false;
    Q_EMIT changed();
}

}  // namespace csq::ui
