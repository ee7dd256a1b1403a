#pragma once
// Precision against the budget over training: layer-average and size-weighted bits, with the
// target as a step line so every live change of the budget shows where it happened.
#include "plots/plot_panel.h"

class QCPGraph;

namespace csq::ui {

class PrecisionView : public PlotPanel {
    Q_OBJECT
public:
    explicit PrecisionView(MetricsStore& store, QWidget* parent = nullptr);

    QString exportName() const override { return QStringLiteral("precision"); }

    // Points drawn per series (tests).
    int pointCount() const;
    double targetAt(int i) const;

protected:
    void rebuild() override;
    void applyPalette() override;

private:
    QCPGraph* layerAvg_;
    QCPGraph* weighted_;
    QCPGraph* macWeighted_;  // shown once a sample has it (files written before it have none)
    QCPGraph* target_;
};

}  // namespace csq::ui
