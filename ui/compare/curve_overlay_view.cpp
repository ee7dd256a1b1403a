#include "compare/curve_overlay_view.h"

#include <algorithm>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include "csq/metrics_columns.h"
#include "plots/qcustomplot_include.h"

namespace csq::ui {

CurveOverlayView::CurveOverlayView(QWidget* parent) : ResultPlot(tr("Run curves"), parent)
{
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(4, 0, 4, 0);
    chooser_ = new QComboBox(bar);
    for (auto m : metrics()) chooser_->addItem(label(m), static_cast<int>(m));
    chooser_->setCurrentIndex(static_cast<int>(metrics().indexOf(metric_)));
    chooser_->setToolTip(
        tr("Cross-entropy and bits are logged every few batches; the test accuracies once per epoch."));
    connect(chooser_, &QComboBox::currentIndexChanged, this,
            [this](int i) { setMetric(static_cast<Metric>(chooser_->itemData(i).toInt())); });
    row->addWidget(new QLabel(tr("Metric:"), bar));
    row->addWidget(chooser_);
    row->addStretch(1);
    layoutBox().insertWidget(0, bar);

    auto& p = plot();
    p.xAxis->setLabel(tr("epoch"));
    p.legend->setVisible(true);
    p.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    styleAllAxes();
    rebuild();
}

QString CurveOverlayView::exportName() const
{
    switch (metric_) {
        case Metric::CrossEntropy:
            return QStringLiteral("curves-ce");
        case Metric::TestAccuracy:
            return QStringLiteral("curves-test-accuracy");
        case Metric::QuantizedAccuracy:
            return QStringLiteral("curves-quantized-accuracy");
        case Metric::AvgBits:
            return QStringLiteral("curves-avg-bits");
        case Metric::WeightedAvgBits:
            return QStringLiteral("curves-weighted-bits");
    }
    return QStringLiteral("curves");
}

QList<CurveOverlayView::Metric> CurveOverlayView::metrics()
{
    return {Metric::CrossEntropy, Metric::TestAccuracy, Metric::QuantizedAccuracy, Metric::AvgBits,
            Metric::WeightedAvgBits};
}

QString CurveOverlayView::label(Metric metric)
{
    switch (metric) {
        case Metric::CrossEntropy:
            return tr("cross-entropy loss");
        case Metric::TestAccuracy:
            return tr("test accuracy, soft gates (%)");
        case Metric::QuantizedAccuracy:
            return tr("test accuracy, exact integer model (%)");
        case Metric::AvgBits:
            return tr("layer-average bits");
        case Metric::WeightedAvgBits:
            return tr("size-weighted bits");
    }
    return {};
}

QString CurveOverlayView::column(Metric metric)
{
    switch (metric) {
        case Metric::CrossEntropy:
            return QLatin1String(csq::metrics_column::kCe);
        case Metric::TestAccuracy:
            return QLatin1String(csq::metrics_column::kTestAcc);
        case Metric::QuantizedAccuracy:
            return QLatin1String(csq::metrics_column::kTestAccQuantized);
        case Metric::AvgBits:
            return QLatin1String(csq::metrics_column::kAvgBits);
        case Metric::WeightedAvgBits:
            return QLatin1String(csq::metrics_column::kWeightedAvgBits);
    }
    return {};
}

bool CurveOverlayView::perEpoch(Metric metric)
{
    return metric == Metric::TestAccuracy || metric == Metric::QuantizedAccuracy;
}

MetricsCsv::Series CurveOverlayView::seriesOf(const MetricsCsv& metrics, Metric metric)
{
    if (perEpoch(metric)) return metrics.series(column(metric), MetricsCsv::Kind::Epoch);
    auto steps = metrics.series(column(metric), MetricsCsv::Kind::Step);
    return steps.t.isEmpty() ? metrics.series(column(metric), MetricsCsv::Kind::Epoch) : steps;
}

void CurveOverlayView::setRuns(QList<Run> runs)
{
    runs_ = std::move(runs);
    rebuild();
}

void CurveOverlayView::setMetric(Metric metric)
{
    metric_ = metric;
    const int index = chooser_->findData(static_cast<int>(metric));
    if (chooser_->currentIndex() != index) chooser_->setCurrentIndex(index);
    rebuild();
}

void CurveOverlayView::rebuild()
{
    auto& p = plot();
    for (auto* g : graphs_) p.removeGraph(g);
    graphs_.clear();
    const bool epochs = perEpoch(metric_);
    double end = 0;
    for (const auto& run : runs_) {
        auto* g = p.addGraph();
        g->setName(run.name);
        g->setPen(QPen(run.color, 2));
        if (epochs) g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, run.color, 6));
        const auto s = seriesOf(run.metrics, metric_);
        g->setData(s.t, s.values, true);
        if (!s.t.isEmpty()) end = std::max(end, s.t.constLast());
        graphs_.append(g);
    }
    p.yAxis->setLabel(label(metric_));
    // Accuracies end high, losses and bits low: the legend goes where the curves end up not.
    p.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignRight | (epochs ? Qt::AlignBottom : Qt::AlignTop));
    p.xAxis->setRange(0, std::max(end, 0.05) * 1.02);
    bool found = false;
    QCPRange range;
    for (auto* g : graphs_) {
        bool ok = false;
        const auto r = g->getValueRange(ok);
        if (!ok) continue;
        range = found ? QCPRange(std::min(range.lower, r.lower), std::max(range.upper, r.upper)) : r;
        found = true;
    }
    if (!found)
        p.yAxis->setRange(0, epochs ? 100 : 1);
    else if (epochs)
        p.yAxis->setRange(std::max(0.0, range.lower - 5), std::min(100.0, range.upper + 3));
    else
        p.yAxis->setRange(std::min(0.0, range.lower), range.upper * 1.1 + 1e-9);
    p.replot(QCustomPlot::rpQueuedReplot);
}

int CurveOverlayView::graphCount() const
{
    return static_cast<int>(graphs_.size());
}

int CurveOverlayView::pointCount(int graph) const
{
    return graph >= 0 && graph < graphs_.size() ? graphs_[graph]->dataCount() : 0;
}

QString CurveOverlayView::graphName(int graph) const
{
    return graph >= 0 && graph < graphs_.size() ? graphs_[graph]->name() : QString();
}

QColor CurveOverlayView::graphColor(int graph) const
{
    return graph >= 0 && graph < graphs_.size() ? graphs_[graph]->pen().color() : QColor();
}

}  // namespace csq::ui
