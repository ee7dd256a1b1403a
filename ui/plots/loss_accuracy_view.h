#pragma once
// Loss parts (cross-entropy, budget term) above and accuracies (train window, test, exact integer
// model) below, sharing the epoch axis; log-y for the losses, EMA smoothing, values under the cursor.
#include "plots/plot_panel.h"

class QCheckBox;
class QLabel;
class QSlider;
class QCPAxisRect;
class QCPGraph;
class QCPItemStraightLine;
class QCPLegend;
class QMouseEvent;

namespace csq::ui {

class LossAccuracyView : public PlotPanel {
    Q_OBJECT
public:
    explicit LossAccuracyView(MetricsStore& store, QWidget* parent = nullptr);

    QString exportName() const override { return QStringLiteral("loss-accuracy"); }

    void setLogScale(bool on);
    bool logScale() const;
    // EMA factor in [0, 0.95] applied to the per-snapshot series; 0 draws the raw values.
    void setSmoothing(double factor);
    double smoothing() const { return smoothing_; }

    int lossPointCount() const;
    bool listsValidation() const;  // the accuracy legend lists "validation" (only with a validation split)
    double drawnCe(int i) const;
    int testPointCount() const;
    // The readout shown for the cursor at epoch t ("" before data).
    QString readoutAt(double t) const;

protected:
    void rebuild() override;
    void applyPalette() override;

private:
    QWidget* buildControls();
    void buildAccuracyRect();
    void onMouseMove(QMouseEvent* event);

    double smoothing_ = 0.6;
    QCPAxisRect* lossRect_;
    QCPAxisRect* accRect_;
    QCPLegend* accLegend_;
    QCPGraph* ce_;
    QCPGraph* budget_;
    QCPGraph* trainAcc_;
    QCPGraph* testAcc_;
    QCPGraph* quantAcc_;
    QCPGraph* validAcc_;
    QCPItemStraightLine* cursorLoss_;
    QCPItemStraightLine* cursorAcc_;
    QCheckBox* logBox_;
    QSlider* smoothSlider_;
    QLabel* smoothLabel_;
    QLabel* readout_;
};

}  // namespace csq::ui
