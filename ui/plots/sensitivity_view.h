#pragma once
// Why each layer got its bits: the last sensitivity measurement (csq/sensitivity.h) as layers (rows)
// by bit counts 1..N (columns), coloured by the loss that layer alone adds on k bits (log scale), each
// layer's current kept bits marked, its share of the weights and of the MACs on the right. Hover says
// what a cell costs; exports PNG/SVG/PDF and CSV (sensitivity.csv's rows).
#include <QStringList>
#include <QVector>

#include "plots/plot_panel.h"

class QCPColorMap;
class QCPColorScale;
class QCPGraph;
class QCPTextElement;
class QMouseEvent;

namespace csq::ui {

class LayerAxisLabels;

class SensitivityView : public PlotPanel {
    Q_OBJECT
public:
    // Losses below this many nats (measurement noise, or a gain) are drawn at it.
    static constexpr double kFloorNats = 1e-4;

    explicit SensitivityView(MetricsStore& store, QWidget* parent = nullptr);

    QString exportName() const override { return QStringLiteral("sensitivity"); }
    QString exportTo(const QString& path, QSize size = {}) override;
    QString exportCsv(const QString& path);

    // What is on screen, for tests: column c is c + 1 bits.
    int rowCount() const { return static_cast<int>(rows_.size()); }
    int columnCount() const { return columns_; }
    QString rowLabel(int row) const;
    QString shareLabel(int row) const;            // "w 3.1 % · MAC 5.2 %"
    double lossAdded(int row, int column) const;  // NaN where not measured
    int keptBits(int row) const;                  // -1 when the current scheme does not know the layer
    int keptMarkerCount() const;
    QString cellToolTip(int row, int column) const;
    QString caption() const;

protected:
    void rebuild() override;
    void applyPalette() override;

private:
    struct Row {
        QString name;
        qint64 params = 0, macs = 0;
        bool held = false;
        int kept = -1;
        QVector<double> loss, drop;  // by column
    };

    void readStore();
    void fillCells();
    void showHover(QMouseEvent* event);

    QVector<Row> rows_;
    int columns_ = 0;
    qint64 totalParams_ = 0, totalMacs_ = 0;
    QCPColorMap* map_;
    QCPColorScale* scale_;
    QCPGraph* keptMarks_;
    QCPTextElement* caption_;
    LayerAxisLabels* rowLabels_;
};

}  // namespace csq::ui
