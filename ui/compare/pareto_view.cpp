#include "compare/pareto_view.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QFontMetrics>
#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QSaveFile>
#include <QToolTip>
#include <QVBoxLayout>

#include "plots/qcustomplot_include.h"

namespace csq::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString kindOf(const csq::RunResult& r)
{
    return r.floatModel ? QObject::tr("float") : r.uniform ? QObject::tr("uniform") : QObject::tr("mixed");
}

}  // namespace

ParetoView::ParetoView(QWidget* parent) : ResultPlot(tr("Pareto front"), parent)
{
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(4, 0, 4, 0);
    axisBox_ = new QComboBox(bar);
    axisBox_->addItem(tr("size-weighted bits"), static_cast<int>(XAxis::WeightedBits));
    axisBox_->addItem(tr("weight size (KiB)"), static_cast<int>(XAxis::WeightKiB));
    axisBox_->addItem(tr("BitOPs per image"), static_cast<int>(XAxis::BitOps));
    axisBox_->setToolTip(
        tr("x axis: size-weighted bits per weight; the weights' size in KiB (quantized layers at their kept "
           "bits, the rest at 32 bits); or the compute, BitOPs per image (each layer's MACs × its bits × "
           "the activation bits). The front is the front of the axis shown."));
    connect(axisBox_, &QComboBox::currentIndexChanged, this,
            [this] { setXAxis(static_cast<XAxis>(axisBox_->currentData().toInt())); });
    auto* axisLabel = new QLabel(tr("Accuracy against"), bar);
    axisLabel->setBuddy(axisBox_);
    labelsBox_ = new QCheckBox(tr("Run names"), bar);
    labelsBox_->setChecked(true);
    connect(labelsBox_, &QCheckBox::toggled, this, [this] { rebuild(); });
    caption_ = new QLabel(bar);
    row->addWidget(axisLabel);
    row->addWidget(axisBox_);
    row->addWidget(labelsBox_);
    row->addSpacing(12);
    row->addWidget(caption_, 1);
    layoutBox().insertWidget(0, bar);

    auto& p = plot();
    p.yAxis->setLabel(tr("test accuracy, exact integer model (%)"));
    front_ = p.addGraph();
    front_->setName(tr("Pareto front"));
    front_->setLineStyle(QCPGraph::lsStepLeft);  // a budget between two front points reaches the left one
    mixed_ = p.addGraph();
    mixed_->setName(tr("mixed precision (CSQ)"));
    mixed_->setLineStyle(QCPGraph::lsNone);
    uniform_ = p.addGraph();
    uniform_->setName(tr("uniform baseline"));
    uniform_->setLineStyle(QCPGraph::lsNone);
    // One standard deviation over a group's seeds, in accuracy (value) and in size (key).
    auto bars = [&p](QCPGraph* graph, QCPErrorBars::ErrorType type) {
        auto* b = new QCPErrorBars(p.xAxis, p.yAxis);
        b->setDataPlottable(graph);
        b->setErrorType(type);
        b->setWhiskerWidth(6);
        b->removeFromLegend();
        return b;
    };
    mixedAccuracyBars_ = bars(mixed_, QCPErrorBars::etValueError);
    mixedSizeBars_ = bars(mixed_, QCPErrorBars::etKeyError);
    uniformAccuracyBars_ = bars(uniform_, QCPErrorBars::etValueError);
    uniformSizeBars_ = bars(uniform_, QCPErrorBars::etKeyError);
    floatLegend_ = p.addGraph();
    floatLegend_->setName(tr("float model"));
    floatLegend_->removeFromLegend();
    floatLine_ = new QCPItemStraightLine(&p);
    floatLine_->setVisible(false);
    floatLabel_ = new QCPItemText(&p);
    floatLabel_->setVisible(false);
    floatLabel_->setPositionAlignment(Qt::AlignRight | Qt::AlignBottom);
    floatLabel_->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    floatLabel_->position->setTypeY(QCPItemPosition::ptPlotCoords);
    p.legend->setVisible(true);
    p.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    p.setMouseTracking(true);
    connect(&p, &QCustomPlot::mouseMove, this, &ParetoView::showHover);
    connect(&p, &QCustomPlot::afterLayout, this, &ParetoView::layoutLabels);  // the export size's geometry too
    setToolTip(
        tr("Each point is a finished run: its size against the test accuracy of its exact integer model. "
           "A group of seeds is one point at its means, with bars of one standard deviation. "
           "The step line joins the runs no other run beats on both. Hover a point for its figures; "
           "right-click to export (PNG, SVG, PDF or the table as CSV)."));
    styleAllAxes();
    applyPalette();
    rebuild();
}

namespace {

// The text's own box: the anchors include the padding, which only keeps the text off its point.
QRectF rectOf(const QCPItemText* label)
{
    const auto pad = label->padding();
    return QRectF(label->topLeft->pixelPosition(), label->bottomRight->pixelPosition())
        .normalized()
        .adjusted(pad.left(), pad.top(), -pad.right(), -pad.bottom());
}

}  // namespace

// Points close together (mixed and uniform at the same bits, a point on the float line) would print
// their names on top of each other: each label takes the first place around its point that overlaps no
// label placed before it: above right, below right, above left, below left, then the same a row
// further out each time.
void ParetoView::layoutLabels()
{
    QVector<QRectF> placed;
    if (floatLabel_->visible()) placed.append(rectOf(floatLabel_));
    const Qt::Alignment sides[] = {Qt::AlignLeft | Qt::AlignBottom, Qt::AlignLeft | Qt::AlignTop,
                                   Qt::AlignRight | Qt::AlignBottom, Qt::AlignRight | Qt::AlignTop};
    for (auto* label : std::as_const(labels_)) {
        QRectF r;
        bool free = false;
        const int rowHeight = QFontMetrics(label->font()).height() + 2;
        for (int row = 0; row < 4 && !free; ++row) {
            for (const auto side : sides) {
                const int out = 4 + row * rowHeight;
                label->setPositionAlignment(side);
                label->setPadding(QMargins(side & Qt::AlignLeft ? 6 : 0, side & Qt::AlignTop ? out : 0,
                                           side & Qt::AlignRight ? 6 : 0, side & Qt::AlignBottom ? out : 0));
                r = rectOf(label);
                free = std::none_of(placed.begin(), placed.end(), [&](const QRectF& o) { return o.intersects(r); });
                if (free) break;
            }
        }
        placed.append(r);
    }
}

QVector<QRectF> ParetoView::labelRects() const
{
    QVector<QRectF> rects;
    if (floatLabel_->visible()) rects.append(rectOf(floatLabel_));
    for (const auto* label : labels_) rects.append(rectOf(label));
    return rects;
}

void ParetoView::applyPalette()
{
    const bool dark = darkPalette();
    const QColor mixed = dark ? QColor(0x6c, 0xb4, 0xff) : QColor(0x1f, 0x6f, 0xd1);
    const QColor uniform = dark ? QColor(0xff, 0xb0, 0x4d) : QColor(0xd9, 0x6c, 0x00);
    const QColor front = dark ? QColor(0x7d, 0xe0, 0x9a) : QColor(0x1e, 0x8e, 0x3e);
    const QColor text = palette().color(QPalette::WindowText);
    for (auto* b : {mixedAccuracyBars_, mixedSizeBars_}) b->setPen(QPen(mixed, 1.5));
    for (auto* b : {uniformAccuracyBars_, uniformSizeBars_}) b->setPen(QPen(uniform, 1.5));
    mixed_->setPen(QPen(mixed));
    mixed_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, mixed, 9));
    uniform_->setPen(QPen(uniform));
    uniform_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssSquare, QPen(uniform, 2), QBrush(uniform), 8));
    front_->setPen(QPen(front, 2));
    front_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(front, 2), Qt::NoBrush, 14));
    QColor reference = text;
    reference.setAlpha(170);
    floatLine_->setPen(QPen(reference, 1.5, Qt::DashLine));
    floatLegend_->setPen(floatLine_->pen());
    floatLabel_->setColor(reference);
    for (auto* label : labels_) label->setColor(text);
}

double ParetoView::xOf(const csq::RunResult& r) const
{
    switch (xAxis_) {
        case XAxis::WeightKiB:
            return r.weightKiB;
        case XAxis::BitOps:
            return r.bitOps / 1e9;
        case XAxis::WeightedBits:
            break;
    }
    return r.weightedAvgBits;
}

double ParetoView::xSpreadOf(const csq::RunResult& r) const
{
    switch (xAxis_) {
        case XAxis::WeightKiB:
            return r.weightKiBSpread.sd;
        case XAxis::BitOps:
            return r.bitOpsSpread.sd / 1e9;
        case XAxis::WeightedBits:
            break;
    }
    return r.weightedAvgBitsSpread.sd;
}

bool ParetoView::drawn(const csq::RunResult& r) const
{
    return !r.floatModel && (xAxis_ != XAxis::BitOps || r.bitOps > 0);
}

void ParetoView::setResults(std::vector<csq::RunResult> results)
{
    results_ = std::move(results);
    rebuild();
}

void ParetoView::setXAxis(XAxis axis)
{
    xAxis_ = axis;
    if (const int at = axisBox_->findData(static_cast<int>(axis)); at != axisBox_->currentIndex())
        axisBox_->setCurrentIndex(at);
    rebuild();
}

void ParetoView::clearLabels()
{
    for (auto* label : labels_) plot().removeItem(label);
    labels_.clear();
}

void ParetoView::rebuild()
{
    auto& p = plot();
    p.xAxis->setLabel(xAxis_ == XAxis::WeightKiB ? tr("weight size (KiB)")
                      : xAxis_ == XAxis::BitOps  ? tr("BitOPs per image (G: MACs × weight bits × activation bits)")
                                                 : tr("size-weighted bits per weight"));
    clearLabels();
    // The front of the axis shown, among the runs drawn on it.
    std::vector<csq::RunResult> candidates;
    std::vector<size_t> indexOf;
    for (size_t i = 0; i < results_.size(); ++i)
        if (drawn(results_[i])) {
            candidates.push_back(results_[i]);
            indexOf.push_back(i);
        }
    csq::markParetoFront(candidates, xAxis_ == XAxis::WeightKiB ? &csq::RunResult::weightKiB
                                     : xAxis_ == XAxis::BitOps  ? &csq::RunResult::bitOps
                                                                : &csq::RunResult::weightedAvgBits);
    onFront_.assign(results_.size(), false);
    for (size_t k = 0; k < candidates.size(); ++k) onFront_[indexOf[k]] = candidates[k].onFront;
    QVector<double> mx, my, ux, uy, mxe, mye, uxe, uye;  // points and their standard deviations
    QVector<QPointF> front;
    double floatAccuracy = kNaN;
    QString floatName, floatSpread;
    for (size_t i = 0; i < results_.size(); ++i) {
        const auto& r = results_[i];
        if (r.floatModel) {
            if (std::isnan(floatAccuracy) || r.testAccuracyQuantized > floatAccuracy) {
                floatAccuracy = r.testAccuracyQuantized;
                floatName = QString::fromStdString(r.name);
                floatSpread = r.seeds > 1 ? tr(" ± %1").arg(r.testAccuracyQuantizedSpread.sd, 0, 'f', 2) : QString();
            }
            continue;  // 32 bits: a reference line, not a point that would squeeze the others
        }
        if (!drawn(r)) continue;
        const double x = xOf(r), y = r.testAccuracyQuantized;
        (r.uniform ? ux : mx).append(x);
        (r.uniform ? uy : my).append(y);
        (r.uniform ? uxe : mxe).append(xSpreadOf(r));
        (r.uniform ? uye : mye).append(r.testAccuracyQuantizedSpread.sd);
        if (onFront_[i]) front.append({x, y});
        if (labelsBox_->isChecked()) {
            auto* label = new QCPItemText(&p);
            label->setText(r.seeds > 1 ? tr("%1 (%n seeds)", nullptr, r.seeds).arg(QString::fromStdString(r.name))
                                       : QString::fromStdString(r.name));
            label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
            label->position->setCoords(x, y);
            label->setPadding(QMargins(6, 0, 0, 4));
            label->setClipToAxisRect(true);
            labels_.append(label);
        }
    }
    std::sort(front.begin(), front.end(),
              [](QPointF a, QPointF b) { return a.x() < b.x() || (a.x() == b.x() && a.y() < b.y()); });
    QVector<double> fx, fy;
    for (const auto& pt : front) {
        fx.append(pt.x());
        fy.append(pt.y());
    }
    mixed_->setData(mx, my, true);
    uniform_->setData(ux, uy, true);
    front_->setData(fx, fy, true);
    mixedAccuracyBars_->setData(mye);
    mixedSizeBars_->setData(mxe);
    uniformAccuracyBars_->setData(uye);
    uniformSizeBars_->setData(uxe);

    const bool hasFloat = !std::isnan(floatAccuracy);
    floatLine_->setVisible(hasFloat);
    floatLabel_->setVisible(hasFloat);
    if (hasFloat) {
        floatLine_->point1->setCoords(0, floatAccuracy);
        floatLine_->point2->setCoords(1, floatAccuracy);
        floatLabel_->position->setCoords(0.99, floatAccuracy);
        floatLabel_->setText(tr("%1 (float) %2%3 %").arg(floatName).arg(floatAccuracy, 0, 'f', 2).arg(floatSpread));
        floatLegend_->addToLegend();
    } else {
        floatLegend_->removeFromLegend();
    }

    // Ranges with room for the labels and the legend; the float line stays in view.
    double x0 = 0, x1 = 1, y0 = 0, y1 = 100;
    QVector<double> xs, ys;  // the points with their bars
    for (int i = 0; i < mx.size(); ++i) xs << mx[i] - mxe[i] << mx[i] + mxe[i], ys << my[i] - mye[i] << my[i] + mye[i];
    for (int i = 0; i < ux.size(); ++i) xs << ux[i] - uxe[i] << ux[i] + uxe[i], ys << uy[i] - uye[i] << uy[i] + uye[i];
    if (hasFloat) ys.append(floatAccuracy);
    if (!xs.isEmpty()) {
        const auto [xmin, xmax] = std::minmax_element(xs.begin(), xs.end());
        const double span = std::max(*xmax - *xmin, std::max(std::abs(*xmax) * 0.1, 1e-3));
        x0 = std::max(0.0, *xmin - 0.12 * span);
        x1 = *xmax + 0.25 * span;
    }
    if (!ys.isEmpty()) {
        const auto [ymin, ymax] = std::minmax_element(ys.begin(), ys.end());
        const double span = std::max(*ymax - *ymin, 1.0);
        y0 = std::max(0.0, *ymin - 0.35 * span);
        y1 = std::min(100.0, *ymax + 0.15 * span);
        if (y1 <= y0) y1 = y0 + 1;
    }
    p.xAxis->setRange(x0, x1);
    p.yAxis->setRange(y0, y1);
    const auto hidden = std::count_if(results_.begin(), results_.end(),
                                      [this](const csq::RunResult& r) { return !r.floatModel && !drawn(r); });
    caption_->setText(
        results_.empty()
            ? tr("No finished runs yet: open runs or a sweep folder.")
            : tr("%n run(s), %1 on the front", nullptr, static_cast<int>(results_.size())).arg(front.size()) +
                  (hidden > 0 ? tr("; %n without BitOPs (written before compute was measured) not drawn", nullptr,
                                   static_cast<int>(hidden))
                              : QString()));
    applyPalette();
    p.replot(QCustomPlot::rpQueuedReplot);
}

int ParetoView::mixedCount() const
{
    return mixed_->dataCount();
}

int ParetoView::uniformCount() const
{
    return uniform_->dataCount();
}

QVector<QPointF> ParetoView::frontPoints() const
{
    QVector<QPointF> out;
    for (auto it = front_->data()->constBegin(); it != front_->data()->constEnd(); ++it)
        out.append({it->key, it->value});
    return out;
}

QVector<QPointF> ParetoView::errorBars(bool uniform) const
{
    const auto* size = uniform ? uniformSizeBars_ : mixedSizeBars_;
    const auto* accuracy = uniform ? uniformAccuracyBars_ : mixedAccuracyBars_;
    QVector<QPointF> out;
    for (int i = 0; i < accuracy->dataCount(); ++i)
        out.append({size->data()->at(i).errorPlus, accuracy->data()->at(i).errorPlus});
    return out;
}

bool ParetoView::hasFloatReference() const
{
    return floatLine_->visible();
}

double ParetoView::floatReference() const
{
    return floatLine_->visible() ? floatLine_->point1->coords().y() : kNaN;
}

QString ParetoView::toolTipFor(int index) const
{
    if (index < 0 || index >= static_cast<int>(results_.size())) return {};
    const auto& r = results_[static_cast<size_t>(index)];
    QString text = tr("<b>%1</b> — %2").arg(QString::fromStdString(r.name).toHtmlEscaped(), kindOf(r));
    if (!r.floatModel)
        text += r.uniform ? tr(", %1 bits every layer").arg(r.targetBits) : tr(", target %1 bits").arg(r.targetBits);
    text += tr("<br>size-weighted bits %1 · layer-average bits %2<br>weights %3 KiB<br>"
               "test accuracy %4 % · exact integer model %5 %")
                .arg(r.weightedAvgBits, 0, 'f', 3)
                .arg(r.avgBits, 0, 'f', 2)
                .arg(r.weightKiB, 0, 'f', 2)
                .arg(r.testAccuracy, 0, 'f', 2)
                .arg(r.testAccuracyQuantized, 0, 'f', 2);
    if (r.seeds > 1)
        text += tr("<br>means over %n seeds: accuracy %1 ± %2 % (%3 … %4), size-weighted bits ± %5", nullptr, r.seeds)
                    .arg(r.testAccuracyQuantized, 0, 'f', 2)
                    .arg(r.testAccuracyQuantizedSpread.sd, 0, 'f', 2)
                    .arg(r.testAccuracyQuantizedSpread.min, 0, 'f', 2)
                    .arg(r.testAccuracyQuantizedSpread.max, 0, 'f', 2)
                    .arg(r.weightedAvgBitsSpread.sd, 0, 'f', 3);
    if (r.bitOps > 0)
        text += tr("<br>MAC-weighted bits %1 · %2 GBitOPs per image")
                    .arg(r.macWeightedAvgBits, 0, 'f', 3)
                    .arg(r.bitOps / 1e9, 0, 'f', 4);
    if (static_cast<size_t>(index) < onFront_.size() && onFront_[static_cast<size_t>(index)])
        text += tr("<br>on the Pareto front");
    if (!r.runDir.empty())
        text += QStringLiteral("<br><i>%1</i>").arg(QString::fromStdString(r.runDir).toHtmlEscaped());
    return text;
}

int ParetoView::resultAt(QPointF pixel, double radius) const
{
    int best = -1;
    double bestDistance = radius;
    const auto& p = plot();
    for (size_t i = 0; i < results_.size(); ++i) {
        if (!drawn(results_[i])) continue;
        const double px = p.xAxis->coordToPixel(xOf(results_[i]));
        const double py = p.yAxis->coordToPixel(results_[i].testAccuracyQuantized);
        const double d = std::hypot(px - pixel.x(), py - pixel.y());
        if (d <= bestDistance) {
            bestDistance = d;
            best = static_cast<int>(i);
        }
    }
    return best;
}

void ParetoView::showHover(QMouseEvent* event)
{
    const auto text = toolTipFor(resultAt(event->position()));
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, &plot());
}

QString ParetoView::exportFilter() const
{
    return ResultPlot::exportFilter() + tr(";;CSV table (*.csv)");
}

QString ParetoView::exportTo(const QString& path, QSize size)
{
    if (QFileInfo(path).suffix().compare(u"csv", Qt::CaseInsensitive) == 0) return exportCsv(path);
    return ResultPlot::exportTo(path, size);
}

QString ParetoView::exportCsv(const QString& path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) return tr("%1: %2").arg(path, file.errorString());
    file.write(QByteArray::fromStdString(csq::resultsCsv(results_)));
    return file.commit() ? QString() : tr("%1: %2").arg(path, file.errorString());
}

}  // namespace csq::ui
