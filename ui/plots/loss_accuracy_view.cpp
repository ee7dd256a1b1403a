#include "plots/loss_accuracy_view.h"

#include <algorithm>
#include <cmath>

#include <QCheckBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QVBoxLayout>

#include "run/metrics_store.h"
#include "plots/qcustomplot_include.h"

namespace csq::ui {

namespace {

constexpr int kSmoothSteps = 95;  // slider 0..95 → EMA factor 0..0.95

// Exponential moving average with the start-up bias removed (as TensorBoard draws it).
QVector<double> smoothed(const QVector<double>& values, double factor)
{
    QVector<double> out(values.size());
    double ema = 0, weight = 0;
    for (qsizetype i = 0; i < values.size(); ++i) {
        ema = factor * ema + (1 - factor) * values[i];
        weight = factor * weight + (1 - factor);
        out[i] = weight > 0 ? ema / weight : values[i];
    }
    return out;
}

QCPGraph* addLine(QCPAxisRect* rect, QCPLegend* legend, const QString& name)
{
    auto* graph = rect->parentPlot()->addGraph(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
    graph->setName(name);
    graph->addToLegend(legend);
    return graph;
}

}  // namespace

LossAccuracyView::LossAccuracyView(MetricsStore& store, QWidget* parent)
    : PlotPanel(store, tr("Loss and accuracy"), parent)
{
    auto& p = plot();
    p.setAutoAddPlottableToLegend(false);
    lossRect_ = p.axisRect();
    lossRect_->axis(QCPAxis::atLeft)->setLabel(tr("loss"));
    ce_ = addLine(lossRect_, p.legend, tr("cross-entropy"));
    budget_ = addLine(lossRect_, p.legend, tr("budget term λ·Δ_S·Σ f_β(m)"));
    p.legend->setVisible(true);
    lossRect_->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    buildAccuracyRect();

    layoutBox().insertWidget(0, buildControls());
    p.setMouseTracking(true);
    connect(&p, &QCustomPlot::mouseMove, this, &LossAccuracyView::onMouseMove);
    styleAllAxes();
    applyPalette();
}

void LossAccuracyView::buildAccuracyRect()
{
    auto& p = plot();
    accRect_ = new QCPAxisRect(&p);
    p.plotLayout()->addElement(1, 0, accRect_);
    accLegend_ = new QCPLegend;
    accRect_->insetLayout()->addElement(accLegend_, Qt::AlignBottom | Qt::AlignRight);
    accLegend_->setLayer(QStringLiteral("legend"));
    accRect_->axis(QCPAxis::atLeft)->setLabel(tr("accuracy (%)"));
    accRect_->axis(QCPAxis::atBottom)->setLabel(tr("epoch"));
    trainAcc_ = addLine(accRect_, accLegend_, tr("train (logged window)"));
    testAcc_ = addLine(accRect_, accLegend_, tr("test, soft gates"));
    quantAcc_ = addLine(accRect_, accLegend_, tr("test, exact integer model"));
    validAcc_ = addLine(accRect_, accLegend_, tr("validation"));
    for (auto* g : {testAcc_, quantAcc_, validAcc_}) g->setLineStyle(QCPGraph::lsLine);
    // One epoch axis for both: zooming or ranging the loss axis moves the accuracy axis too.
    auto* lossX = lossRect_->axis(QCPAxis::atBottom);
    connect(lossX, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), accRect_->axis(QCPAxis::atBottom),
            qOverload<const QCPRange&>(&QCPAxis::setRange));
    auto* margins = new QCPMarginGroup(&p);
    lossRect_->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    accRect_->setMarginGroup(QCP::msLeft | QCP::msRight, margins);

    for (auto** line : {&cursorLoss_, &cursorAcc_}) {
        *line = new QCPItemStraightLine(&p);
        (*line)->setVisible(false);
    }
    cursorLoss_->setClipAxisRect(lossRect_);
    cursorAcc_->setClipAxisRect(accRect_);
    for (auto* position : {cursorLoss_->point1, cursorLoss_->point2})
        position->setAxes(lossX, lossRect_->axis(QCPAxis::atLeft));
    for (auto* position : {cursorAcc_->point1, cursorAcc_->point2})
        position->setAxes(accRect_->axis(QCPAxis::atBottom), accRect_->axis(QCPAxis::atLeft));
}

QWidget* LossAccuracyView::buildControls()
{
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(4, 0, 4, 0);
    logBox_ = new QCheckBox(tr("Log-scale loss"), bar);
    logBox_->setToolTip(
        tr("Logarithmic loss axis; non-positive values (a negative budget term grows bits) are not drawn."));
    connect(logBox_, &QCheckBox::toggled, this, &LossAccuracyView::setLogScale);
    smoothSlider_ = new QSlider(Qt::Horizontal, bar);
    smoothSlider_->setRange(0, kSmoothSteps);
    smoothSlider_->setValue(static_cast<int>(std::lround(smoothing_ * 100)));
    smoothSlider_->setMaximumWidth(160);
    smoothSlider_->setToolTip(tr("Exponential moving average of the per-snapshot curves (0: raw values)."));
    smoothLabel_ = new QLabel(bar);
    smoothLabel_->setText(tr("smoothing %1").arg(smoothing_, 0, 'f', 2));
    connect(smoothSlider_, &QSlider::valueChanged, this, [this](int v) { setSmoothing(v / 100.0); });
    readout_ = new QLabel(bar);
    readout_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    readout_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    row->addWidget(logBox_);
    row->addSpacing(12);
    row->addWidget(smoothLabel_);
    row->addWidget(smoothSlider_);
    row->addSpacing(12);
    row->addWidget(readout_, 1);
    return bar;
}

void LossAccuracyView::applyPalette()
{
    const bool dark = darkPalette();
    auto color = [dark](QRgb light, QRgb darkColor) { return QColor(dark ? darkColor : light); };
    ce_->setPen(QPen(color(0x1f6fd1, 0x6cb4ff), 2));
    budget_->setPen(QPen(color(0xd96c00, 0xffb04d), 2));
    trainAcc_->setPen(QPen(color(0x808080, 0xb0b0b0), 1.5));
    testAcc_->setPen(QPen(color(0x1e8e3e, 0x7de09a), 2));
    quantAcc_->setPen(QPen(color(0xc01c28, 0xff8a80), 2, Qt::DashLine));
    validAcc_->setPen(QPen(color(0x7b3fb5, 0xc9a0ff), 1.5));
    const auto disc = [](QColor c) { return QCPScatterStyle(QCPScatterStyle::ssDisc, c, 7); };
    testAcc_->setScatterStyle(disc(testAcc_->pen().color()));
    quantAcc_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, quantAcc_->pen().color(), 7));
    validAcc_->setScatterStyle(disc(validAcc_->pen().color()));
    const QColor text = palette().color(QPalette::WindowText);
    accLegend_->setBrush(palette().brush(QPalette::Base));
    accLegend_->setTextColor(text);
    accLegend_->setBorderPen(plot().legend->borderPen());
    QColor cursor = text;
    cursor.setAlpha(120);
    for (auto* line : {cursorLoss_, cursorAcc_}) line->setPen(QPen(cursor, 1, Qt::DashLine));
}

void LossAccuracyView::setLogScale(bool on)
{
    auto* axis = lossRect_->axis(QCPAxis::atLeft);
    axis->setScaleType(on ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (on)
        axis->setTicker(QSharedPointer<QCPAxisTickerLog>::create());
    else
        axis->setTicker(QSharedPointer<QCPAxisTicker>::create());
    if (logBox_->isChecked() != on) logBox_->setChecked(on);
    scheduleRefresh();
}

bool LossAccuracyView::logScale() const
{
    return lossRect_->axis(QCPAxis::atLeft)->scaleType() == QCPAxis::stLogarithmic;
}

void LossAccuracyView::setSmoothing(double factor)
{
    smoothing_ = std::clamp(factor, 0.0, kSmoothSteps / 100.0);
    smoothLabel_->setText(tr("smoothing %1").arg(smoothing_, 0, 'f', 2));
    const int position = static_cast<int>(std::lround(smoothing_ * 100));
    if (smoothSlider_->value() != position) smoothSlider_->setValue(position);
    scheduleRefresh();
}

void LossAccuracyView::rebuild()
{
    const auto& samples = store().samples();
    QVector<double> t, ce, budget, train;
    for (const auto& s : samples) {
        t.append(s.t);
        ce.append(s.ce);
        budget.append(s.budgetLoss);
        train.append(s.trainAccuracy);
    }
    ce_->setData(t, smoothed(ce, smoothing_), true);
    budget_->setData(t, smoothed(budget, smoothing_), true);
    trainAcc_->setData(t, smoothed(train, smoothing_), true);
    QVector<double> te, test, quant, valid, vt;
    for (const auto& e : store().epochs()) {
        te.append(e.epoch + 1.0);  // an epoch's result belongs to its end
        test.append(e.testAccuracy);
        quant.append(e.testAccuracyQuantized);
        if (e.validationAccuracy >= 0) {
            vt.append(e.epoch + 1.0);
            valid.append(e.validationAccuracy);
        }
    }
    testAcc_->setData(te, test, true);
    quantAcc_->setData(te, quant, true);
    validAcc_->setData(vt, valid, true);
    // "validation" is listed only for a run that holds out a validation split.
    if (valid.isEmpty())
        validAcc_->removeFromLegend(accLegend_);
    else if (!accLegend_->hasItemWithPlottable(validAcc_))
        validAcc_->addToLegend(accLegend_);
    const double end = std::max(t.isEmpty() ? 0.0 : t.constLast(), te.isEmpty() ? 0.0 : te.constLast());
    lossRect_->axis(QCPAxis::atBottom)->setRange(0, std::max(end, 0.05) * 1.02);
    bool found = false;
    auto range = ce_->getValueRange(found);
    if (found) {
        bool foundBudget = false;
        const auto b = budget_->getValueRange(foundBudget, QCP::sdBoth);
        if (foundBudget) range.expand(b);
        if (logScale())
            range = QCPRange(std::max(range.lower, 1e-4), std::max(range.upper, 1e-3));
        else
            range.lower = std::min(range.lower, 0.0);
        lossRect_->axis(QCPAxis::atLeft)->setRange(logScale() ? range.lower / 1.3 : range.lower, range.upper * 1.1);
    }
    accRect_->axis(QCPAxis::atLeft)->setRange(0, 100);
}

bool LossAccuracyView::listsValidation() const
{
    return accLegend_->hasItemWithPlottable(validAcc_);
}

int LossAccuracyView::lossPointCount() const
{
    return ce_->dataCount();
}

double LossAccuracyView::drawnCe(int i) const
{
    return ce_->data()->at(i)->value;
}

int LossAccuracyView::testPointCount() const
{
    return testAcc_->dataCount();
}

QString LossAccuracyView::readoutAt(double t) const
{
    const auto& samples = store().samples();
    if (samples.isEmpty()) return {};
    const auto it =
        std::lower_bound(samples.begin(), samples.end(), t, [](const MetricSample& s, double v) { return s.t < v; });
    const auto& s = it == samples.end() ? samples.constLast() : *it;
    QString text = tr("epoch %1  CE %2  budget %3  train %4 %")
                       .arg(s.t, 0, 'f', 3)
                       .arg(s.ce, 0, 'f', 4)
                       .arg(s.budgetLoss, 0, 'f', 4)
                       .arg(s.trainAccuracy, 0, 'f', 1);
    for (const auto& e : store().epochs())
        if (e.epoch + 1.0 >= s.t) {
            text += tr("  | epoch %1 test %2 %  exact %3 %")
                        .arg(e.epoch + 1)
                        .arg(e.testAccuracy, 0, 'f', 2)
                        .arg(e.testAccuracyQuantized, 0, 'f', 2);
            break;
        }
    return text;
}

void LossAccuracyView::onMouseMove(QMouseEvent* event)
{
    const auto pos = event->position();
    auto* rect = lossRect_->rect().contains(pos.toPoint())  ? lossRect_
                 : accRect_->rect().contains(pos.toPoint()) ? accRect_
                                                            : nullptr;
    const bool inside = rect && !store().samples().isEmpty();
    cursorLoss_->setVisible(inside);
    cursorAcc_->setVisible(inside);
    if (inside) {
        const double t = rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x());
        readout_->setText(readoutAt(t));
        for (auto* line : {cursorLoss_, cursorAcc_}) {
            line->point1->setCoords(t, 1);  // positive on a log axis too
            line->point2->setCoords(t, 2);
        }
    }
    plot().replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace csq::ui
