#include "plots/layer_bits_view.h"

#include <algorithm>

#include "run/metrics_store.h"
#include "plots/layer_axis.h"
#include "plots/qcustomplot_include.h"

namespace csq::ui {

LayerBitsView::LayerBitsView(MetricsStore& store, QWidget* parent) : PlotPanel(store, tr("Per-layer precision"), parent)
{
    auto& p = plot();
    bits_ = new QCPBars(p.xAxis, p.yAxis);
    bits_->setName(tr("kept bits k_l"));
    share_ = new QCPBars(p.xAxis, p.yAxis2);
    share_->setName(tr("share of weights n_l / Σ n"));
    auto* group = new QCPBarsGroup(&p);
    group->setSpacingType(QCPBarsGroup::stAbsolute);
    group->setSpacing(2);
    for (auto* bars : {bits_, share_}) {
        bars->setWidth(0.38);
        bars->setBarsGroup(group);
    }
    layerLabels_ = new LayerAxisLabels(p.xAxis, /*scrollable=*/true);
    p.xAxis->setTickLabelRotation(-90);  // upright: a label takes a line's height along the axis
    p.xAxis->setSubTicks(false);
    p.xAxis->grid()->setVisible(false);
    p.yAxis->setLabel(tr("kept bits"));
    p.yAxis2->setLabel(tr("share of weights (%)"));
    p.yAxis2->setVisible(true);
    p.yAxis->setRange(0, 8.5);
    p.yAxis2->setRange(0, 100);
    p.legend->setVisible(true);
    p.axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    setToolTip(
        tr("Left bars: bits each layer keeps. Right bars: the layer's share of all quantized weights; "
           "the model's size is the share-weighted mean of the bits. The wheel zooms along the layers and "
           "dragging scrolls them."));
    styleAllAxes();
    applyPalette();
}

void LayerBitsView::applyPalette()
{
    const bool dark = darkPalette();
    const QColor bitsColor = dark ? QColor(0x6c, 0xb4, 0xff) : QColor(0x1f, 0x6f, 0xd1);
    const QColor shareColor = dark ? QColor(0xc0, 0xc0, 0xc0) : QColor(0x80, 0x80, 0x80);
    bits_->setPen(QPen(bitsColor.darker(130)));
    bits_->setBrush(bitsColor);
    share_->setPen(QPen(shareColor.darker(130)));
    share_->setBrush(QColor(shareColor.red(), shareColor.green(), shareColor.blue(), 150));
}

void LayerBitsView::rebuild()
{
    QStringList labels;
    QVector<double> keys, bits, share;
    int maxBits = 1;
    double maxShare = 1;
    if (const auto& latest = store().latest()) {
        double total = 0;
        for (const auto& layer : latest->layers) total += static_cast<double>(layer.params);
        for (size_t i = 0; i < latest->layers.size(); ++i) {
            const auto& layer = latest->layers[i];
            keys.append(static_cast<double>(i));
            bits.append(layer.bits());
            share.append(total > 0 ? 100.0 * static_cast<double>(layer.params) / total : 0);
            maxBits = std::max(maxBits, layer.maxBits);
            maxShare = std::max(maxShare, share.constLast());
            labels << shortLayerName(QString::fromStdString(layer.name));
        }
    }
    bits_->setData(keys, bits, true);
    share_->setData(keys, share, true);
    auto& p = plot();
    layerLabels_->setLabels(labels);
    p.yAxis->setRange(0, maxBits + 0.5);
    p.yAxis2->setRange(0, std::min(100.0, maxShare * 1.15));
}

int LayerBitsView::barCount() const
{
    return bits_->dataCount();
}

double LayerBitsView::keptBits(int layer) const
{
    return bits_->data()->at(layer)->value;
}

double LayerBitsView::paramShare(int layer) const
{
    return share_->data()->at(layer)->value;
}

}  // namespace csq::ui
