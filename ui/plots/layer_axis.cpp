#include "plots/layer_axis.h"

#include <algorithm>
#include <cmath>

#include <QMouseEvent>
#include <QRegularExpression>
#include <QToolTip>

#include "csq/scheme.h"
#include "plots/qcustomplot_include.h"

namespace csq::ui {

void showCellToolTip(QCustomPlot& plot, QMouseEvent* event, const std::function<QString(int row, int column)>& textOf)
{
    const auto pos = event->position();
    const int column = static_cast<int>(std::lround(plot.xAxis->pixelToCoord(pos.x())));
    const int row = static_cast<int>(std::lround(plot.yAxis->pixelToCoord(pos.y())));
    const bool inside = plot.axisRect()->rect().contains(pos.toPoint());
    const auto text = inside ? textOf(row, column) : QString();
    if (text.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(event->globalPosition().toPoint(), text, &plot);
}

QString shortLayerName(const QString& name, int maxChars)
{
    if (name.size() <= maxChars) return name;
    auto parts = name.split(u'.');
    // The last word names the layer itself (conv1, fc, branch2): it stays whole.
    int last = static_cast<int>(parts.size()) - 1;
    while (last >= 0 && (parts[last].isEmpty() || parts[last].front().isDigit())) --last;
    static const QRegularExpression wordAndNumber(QStringLiteral("^([A-Za-z_])[A-Za-z_]*([0-9]*)$"));
    for (int i = 0; i < last; ++i) {
        const auto m = wordAndNumber.match(parts[i]);
        if (m.hasMatch()) parts[i] = m.captured(1) + m.captured(2);
    }
    return parts.join(u'.');
}

QString layerDescription(const csq::LayerScheme& layer)
{
    if (layer.type.empty()) return {};
    QStringList dims;
    for (auto d : layer.shape) dims << QString::number(d);
    auto text =
        QStringLiteral("%1, weight [%2]").arg(QString::fromStdString(layer.type), dims.join(QStringLiteral(", ")));
    if (layer.groups > 1) {
        const bool depthwise = layer.shape.size() == 4 && layer.shape[1] == 1 && layer.groups == layer.shape[0];
        text += depthwise ? QObject::tr(", depthwise (groups %1)").arg(layer.groups)
                          : QObject::tr(", groups %1").arg(layer.groups);
    }
    return text;
}

LayerAxisLabels::LayerAxisLabels(QCPAxis* axis, bool scrollable) : QObject(axis), axis_(axis)
{
    axis_->setTicker(QSharedPointer<QCPAxisTickerText>::create());
    auto* plot = axis_->parentPlot();
    connect(plot, &QCustomPlot::beforeReplot, this, &LayerAxisLabels::relabel);
    if (!scrollable) return;
    auto* rect = axis_->axisRect();
    const auto orientation = axis_->orientation();
    plot->setInteraction(QCP::iRangeDrag, true);
    plot->setInteraction(QCP::iRangeZoom, true);
    rect->setRangeDrag(orientation);
    rect->setRangeZoom(orientation);
    rect->setRangeDragAxes(orientation == Qt::Horizontal ? axis_ : nullptr,
                           orientation == Qt::Vertical ? axis_ : nullptr);
    rect->setRangeZoomAxes(orientation == Qt::Horizontal ? axis_ : nullptr,
                           orientation == Qt::Vertical ? axis_ : nullptr);
    connect(axis_, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, &LayerAxisLabels::clampRange);
}

void LayerAxisLabels::setLabels(const QStringList& labels)
{
    const bool sameCount = labels.size() == labels_.size();
    labels_ = labels;
    if (!sameCount) showAll();
    relabel();
}

void LayerAxisLabels::showAll()
{
    axis_->setRange(-0.5, std::max<double>(labels_.size(), 1) - 0.5);
}

// Zoom and drag stay within the layers and show at least two of them.
void LayerAxisLabels::clampRange()
{
    const double low = -0.5, high = std::max<double>(labels_.size(), 1) - 0.5;
    auto r = axis_->range();
    const double size = std::clamp(r.size(), std::min(2.0, high - low), high - low);
    double lower = std::clamp(r.lower, low, high - size);
    if (std::abs(lower - r.lower) > 1e-9 || std::abs(size - r.size()) > 1e-9) axis_->setRange(lower, lower + size);
}

void LayerAxisLabels::relabel()
{
    auto ticker = qSharedPointerCast<QCPAxisTickerText>(axis_->ticker());
    if (!ticker) return;
    const auto* rect = axis_->axisRect();
    const bool vertical = axis_->orientation() == Qt::Vertical;
    const double length = vertical ? rect->height() : rect->width();
    const double perLayer = length / std::max(axis_->range().size(), 1e-9);
    // A label needs a line of its font across the axis (horizontal axes turn long labels upright).
    const double needed = QFontMetricsF(axis_->tickLabelFont()).height() + 2.0;
    step_ = perLayer > 0 ? std::max(1, static_cast<int>(std::ceil(needed / perLayer))) : 1;
    ticker->clear();
    for (int i = 0; i < labels_.size(); i += step_) ticker->addTick(i, labels_[i]);
}

}  // namespace csq::ui
