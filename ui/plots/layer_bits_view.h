#pragma once
// Per-layer precision: kept bits of each quantized layer as bars, next to its share of the model's
// weights on a second axis, so a bit saved in a big layer reads as the bigger saving it is. Layers are
// labelled where labels fit and can be zoomed and scrolled (layer_axis.h).
#include "plots/plot_panel.h"

class QCPBars;

namespace csq::ui {

class LayerAxisLabels;

class LayerBitsView : public PlotPanel {
    Q_OBJECT
public:
    explicit LayerBitsView(MetricsStore& store, QWidget* parent = nullptr);

    QString exportName() const override { return QStringLiteral("layer-bits"); }

    int barCount() const;
    double keptBits(int layer) const;
    double paramShare(int layer) const;  // percent of all quantized weights

protected:
    void rebuild() override;
    void applyPalette() override;

private:
    QCPBars* bits_;
    QCPBars* share_;
    LayerAxisLabels* layerLabels_;
};

}  // namespace csq::ui
