#include "plots/precision_view.h"

#include <algorithm>

#include "run/metrics_store.h"
#include "plots/qcustomplot_include.h"

namespace csq::ui {

PrecisionView::PrecisionView(MetricsStore& store, QWidget* parent) : PlotPanel(store, tr("Precision vs budget"), parent)
{
    auto& p = plot();
    p.xAxis->setLabel(tr("epoch"));
    p.yAxis->setLabel(tr("bits per weight"));
    layerAvg_ = p.addGraph();
    layerAvg_->setName(tr("layer-average bits"));
    weighted_ = p.addGraph();
    weighted_->setName(tr("size-weighted bits"));
    macWeighted_ = p.addGraph();
    macWeighted_->setName(tr("MAC-weighted bits"));
    target_ = p.addGraph();
    target_->setName(tr("target (budget mode)"));
    target_->setLineStyle(QCPGraph::lsStepLeft);  // a live change is a step, not a ramp
    p.legend->setVisible(true);
    p.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    p.xAxis->setRange(0, 1);
    p.yAxis->setRange(0, 8.5);
    setToolTip(
        tr("The budget term pushes the measure chosen by budget_mode towards the target; "
           "every measure is shown. Target changes made during the run appear as steps."));
    styleAllAxes();
    applyPalette();
}

void PrecisionView::applyPalette()
{
    const bool dark = darkPalette();
    layerAvg_->setPen(QPen(dark ? QColor(0x6c, 0xb4, 0xff) : QColor(0x1f, 0x6f, 0xd1), 2));
    weighted_->setPen(QPen(dark ? QColor(0x7d, 0xe0, 0x9a) : QColor(0x1e, 0x8e, 0x3e), 2));
    macWeighted_->setPen(QPen(dark ? QColor(0xe0, 0xb0, 0x5a) : QColor(0x9a, 0x5b, 0x00), 2));
    target_->setPen(QPen(dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xc0, 0x1c, 0x28), 2, Qt::DashLine));
}

void PrecisionView::rebuild()
{
    const auto& samples = store().samples();
    QVector<double> t, avg, weighted, macWeighted, target;
    t.reserve(samples.size());
    double top = 1;
    for (const auto& s : samples) {
        t.append(s.t);
        avg.append(s.avgBits);
        weighted.append(s.weightedAvgBits);
        macWeighted.append(s.macWeightedAvgBits);
        target.append(s.targetBits);
        top = std::max({top, s.avgBits, s.weightedAvgBits, s.macWeightedAvgBits, s.targetBits});
    }
    layerAvg_->setData(t, avg, true);
    weighted_->setData(t, weighted, true);
    macWeighted_->setData(t, macWeighted, true);
    const bool hasMacs = std::any_of(macWeighted.cbegin(), macWeighted.cend(), [](double v) { return v > 0; });
    macWeighted_->setVisible(hasMacs);
    if (hasMacs)
        macWeighted_->addToLegend();
    else
        macWeighted_->removeFromLegend();
    target_->setData(t, target, true);
    if (const auto& latest = store().latest())
        for (const auto& layer : latest->layers) top = std::max(top, static_cast<double>(layer.maxBits));
    auto& p = plot();
    p.xAxis->setRange(0, t.isEmpty() ? 1.0 : std::max(t.constLast(), 0.05) * 1.02);
    p.yAxis->setRange(0, top * 1.3 + 0.2);  // headroom: the legend sits above the max-bits line
}

int PrecisionView::pointCount() const
{
    return layerAvg_->dataCount();
}

double PrecisionView::targetAt(int i) const
{
    return target_->data()->at(i)->value;
}

}  // namespace csq::ui
