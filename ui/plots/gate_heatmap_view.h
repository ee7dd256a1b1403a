#pragma once
// The scheme as it forms: quantized layers (named rows) by bits (MSB … LSB columns), coloured by the
// mask gate f_β(m_b) in [0, 1], kept bits marked, hover for details; exports PNG/SVG/PDF and CSV. A
// model of many layers packs its rows, labelled where labels fit; the wheel zooms and dragging
// scrolls along the layers (layer_axis.h).
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

class GateHeatmapView : public PlotPanel {
    Q_OBJECT
public:
    explicit GateHeatmapView(MetricsStore& store, QWidget* parent = nullptr);

    QString exportName() const override { return QStringLiteral("heatmap"); }
    // .csv writes the cells (layers × bits) with a header; other suffixes go to the image exporter.
    QString exportTo(const QString& path, QSize size = {}) override;
    QString exportCsv(const QString& path);

    // What is on screen, for tests and the CSV: column 0 is the MSB.
    int rowCount() const { return static_cast<int>(rows_.size()); }
    int columnCount() const { return columns_; }
    QString rowLabel(int row) const;  // the layer's full name ("(held)" when held)
    int labelStep() const;            // one axis label every this many rows
    int bitOfColumn(int column) const { return columns_ - 1 - column; }
    double gate(int row, int column) const;            // NaN where the layer has no such bit
    double displayedValue(int row, int column) const;  // read back from the colour map's data
    bool kept(int row, int column) const;
    int keptMarkerCount() const;
    // The tooltip text for a cell (empty outside the grid).
    QString cellToolTip(int row, int column) const;

protected:
    void rebuild() override;
    void applyPalette() override;

private:
    struct Row {
        QString name, description;
        qint64 params = 0;
        bool searchable = true;
        QVector<double> gates, logits;  // by column (MSB first)
        QVector<bool> kept;
    };

    void readLatest();
    void updateAxes();
    void fillCells();
    void showHover(QMouseEvent* event);

    QVector<Row> rows_;
    int columns_ = 0;
    qint64 totalParams_ = 0;
    QCPColorMap* map_;
    QCPColorScale* scale_;
    QCPGraph* keptMarks_;
    QCPTextElement* caption_;
    LayerAxisLabels* rowLabels_;
};

}  // namespace csq::ui
