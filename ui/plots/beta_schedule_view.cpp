#include "plots/beta_schedule_view.h"

#include <algorithm>
#include <limits>

#include "run/metrics_store.h"
#include "plots/qcustomplot_include.h"

namespace csq::ui {

BetaScheduleView::BetaScheduleView(MetricsStore& store, QWidget* parent) : PlotPanel(store, tr("β schedule"), parent)
{
    auto& p = plot();
    p.xAxis->setLabel(tr("epoch"));
    p.yAxis->setLabel(tr("gate temperature β (log)"));
    p.yAxis->setScaleType(QCPAxis::stLogarithmic);
    p.yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    p.yAxis->setNumberFormat(QStringLiteral("gb"));

    planned_ = p.addGraph();
    planned_->setName(tr("planned"));
    actual_ = p.addGraph();
    actual_->setName(tr("used by the run"));
    now_ = p.addGraph();
    now_->setName(tr("now"));
    now_->setLineStyle(QCPGraph::lsNone);

    for (auto** line : {&floatLine_, &ticketLine_, &finetuneLine_}) {
        *line = new QCPItemStraightLine(&p);
        (*line)->setPen(QPen(Qt::gray, 1, Qt::DashLine));
    }
    for (auto** label : {&floatLabel_, &ticketLabel_, &finetuneLabel_}) {
        *label = new QCPItemText(&p);
        (*label)->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        (*label)->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        (*label)->setPadding(QMargins(4, 2, 4, 2));
    }
    floatLabel_->setText(tr("search starts"));
    ticketLabel_->setText(tr("ticket: scheme frozen"));
    finetuneLabel_->setText(tr("finetune: β rewound"));
    p.legend->setVisible(true);
    p.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    connect(&p, &QCustomPlot::afterLayout, this, &BetaScheduleView::layoutLabels);  // the export size's geometry too
    setToolTip(
        tr("β(t) = β0·(β_final/β0)^(t/T_ticket) until the ticket, then β_final; a bits-mode finetune "
           "rewinds to β0 and grows again (the lattice finetune uses no gate). Dashed: the plan; solid: what "
           "the run used."));
    styleAllAxes();
    applyPalette();
    replan();
}

void BetaScheduleView::applyPalette()
{
    const bool dark = darkPalette();
    const QColor text = palette().color(QPalette::WindowText);
    planned_->setPen(QPen(dark ? QColor(0x9e, 0xc5, 0xff) : QColor(0x1f, 0x5f, 0xbf), 2, Qt::DashLine));
    actual_->setPen(QPen(dark ? QColor(0xff, 0xb0, 0x4d) : QColor(0xd9, 0x6c, 0x00), 2.5));
    now_->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssDisc, dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc0, 0x1c, 0x28), 11));
    for (auto* label : {floatLabel_, ticketLabel_, finetuneLabel_}) label->setColor(text);
}

void BetaScheduleView::setPlan(const BetaPlan& plan)
{
    if (plan == plan_ && revision_ > 0) return;
    plan_ = plan;
    replan();
    scheduleRefresh();
}

void BetaScheduleView::placeLine(QCPItemStraightLine* line, QCPItemText* label, double t, bool visible)
{
    line->point1->setCoords(t, 1);
    line->point2->setCoords(t, 10);
    line->setVisible(visible);
    label->position->setCoords(t, 0.02);
    // Near the right edge the label goes on the line's left so it is not clipped.
    const bool late = t > 0.7 * std::max(plan_.totalEpochs(), 0.1);
    label->setPositionAlignment((late ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop);
    label->setVisible(visible);
}

void BetaScheduleView::layoutLabels()
{
    // Lines close together (a ticket just before the finetune) would print their labels on top of
    // each other: left to right, each label takes the first row down where it overlaps none placed.
    QVector<QRectF> placed;
    const double rowHeight = std::max(1, plot().axisRect()->height());
    for (auto* label : {floatLabel_, ticketLabel_, finetuneLabel_}) {
        if (!label->visible()) continue;
        const double x = label->position->coords().x();
        double y = 0.02;
        QRectF r;
        for (int row = 0; row < 6; ++row) {
            label->position->setCoords(x, y);
            r = QRectF(label->topLeft->pixelPosition(), label->bottomRight->pixelPosition()).normalized();
            if (std::none_of(placed.begin(), placed.end(), [&](const QRectF& o) { return o.intersects(r); })) break;
            y += (r.height() + 2) / rowHeight;
        }
        placed.append(r);
    }
}

QRectF BetaScheduleView::labelRect(int i) const
{
    const QCPItemText* labels[] = {floatLabel_, ticketLabel_, finetuneLabel_};
    if (i < 0 || i > 2 || !labels[i]->visible()) return {};
    return QRectF(labels[i]->topLeft->pixelPosition(), labels[i]->bottomRight->pixelPosition()).normalized();
}

void BetaScheduleView::replan()
{
    ++revision_;
    const auto points = plan_.sample();
    QVector<double> t, beta;
    t.reserve(points.size());
    beta.reserve(points.size());
    for (const auto& point : points) {
        t.append(point.x());
        beta.append(point.y());
    }
    planned_->setData(t, beta, true);
    placeLine(floatLine_, floatLabel_, plan_.floatEpochs, plan_.floatEpochs > 0);
    placeLine(ticketLine_, ticketLabel_, plan_.ticketEpoch, true);
    placeLine(finetuneLine_, finetuneLabel_, plan_.epochs, plan_.finetuneEpochs > 0);
    finetuneLabel_->setText(plan_.rewinds ? tr("finetune: β rewound") : tr("finetune on the lattice"));
    auto& p = plot();
    p.xAxis->setRange(0, std::max(plan_.totalEpochs(), 0.1));
    const double low = std::min(plan_.beta0, plan_.betaFinal), high = std::max(plan_.beta0, plan_.betaFinal);
    p.yAxis->setRange(low / 1.6, high * 1.6);
}

void BetaScheduleView::rebuild()
{
    QVector<double> t, beta;
    for (const auto& s : store().samples()) {
        t.append(s.t);
        beta.append(s.beta);
    }
    actual_->setData(t, beta, true);
    now_->data()->clear();
    if (const auto& latest = store().latest()) now_->addData(latest->t, latest->beta);
    // A live change of β_final can exceed the plan's range for a moment: keep the marker in view.
    if (!beta.isEmpty()) {
        auto range = plot().yAxis->range();
        const auto [lo, hi] = std::minmax_element(beta.begin(), beta.end());
        plot().yAxis->setRange(std::min(range.lower, *lo / 1.6), std::max(range.upper, *hi * 1.6));
    }
}

int BetaScheduleView::curvePointCount() const
{
    return planned_->dataCount();
}

QPointF BetaScheduleView::curvePoint(int i) const
{
    const auto it = planned_->data()->at(i);
    return {it->key, it->value};
}

QPointF BetaScheduleView::marker() const
{
    if (now_->dataCount() == 0) {
        constexpr double nan = std::numeric_limits<double>::quiet_NaN();
        return {nan, nan};
    }
    const auto it = now_->data()->at(0);
    return {it->key, it->value};
}

}  // namespace csq::ui
