#pragma once
// Kept-bits schemes of finished runs as layers × bits grids (MSB first, layers matched by name): one
// run, two runs side by side, or their difference (+1 bit kept only in A, −1 only in B, 0 the same),
// with a legend, hover details and export (PNG/SVG/PDF, the cells as CSV).
#include <vector>

#include <QColor>
#include <QList>
#include <QStringList>
#include <QVector>

#include "csq/scheme.h"
#include "compare/result_plot.h"

class QCPAxisRect;
class QCPColorGradient;
class QCPLayoutGrid;
class QCPLegend;
class QMouseEvent;

namespace csq::ui {

class SchemeGridView : public ResultPlot {
    Q_OBJECT
public:
    enum class Mode { Single, SideBySide, Difference };

    explicit SchemeGridView(QWidget* parent = nullptr);

    QString exportName() const override;
    // .csv writes every grid's cells (grid, layer, then one column per bit, MSB first).
    QString exportTo(const QString& path, QSize size = {}) override;
    QString exportFilter() const override;
    QString exportCsv(const QString& path) const;

    void showScheme(const QString& name, const std::vector<csq::LayerScheme>& layers);
    void showSideBySide(const QString& nameA, const std::vector<csq::LayerScheme>& a, const QString& nameB,
                        const std::vector<csq::LayerScheme>& b);
    void showDifference(const QString& nameA, const std::vector<csq::LayerScheme>& a, const QString& nameB,
                        const std::vector<csq::LayerScheme>& b);
    void clear();

    // What is on screen, for tests and the CSV. Column 0 is the most significant bit.
    Mode mode() const { return mode_; }
    int gridCount() const { return static_cast<int>(grids_.size()); }
    QString gridTitle(int grid) const;
    int rowCount() const { return static_cast<int>(rows_.size()); }
    int columnCount() const { return columns_; }
    int bitOfColumn(int column) const { return columns_ - 1 - column; }
    QString rowLabel(int row) const { return rows_.value(row); }
    // Single/side by side: 1 kept, 0 dropped; difference: +1, −1, 0; NaN where a layer lacks the bit.
    double value(int grid, int row, int column) const;
    double displayedValue(int grid, int row, int column) const;  // read back from the colour map
    QStringList legendNames() const;
    QString cellToolTip(int grid, int row, int column) const;

protected:
    void applyPalette() override;

private:
    struct Grid {
        QString title;
        QVector<QVector<double>> cells;  // [row][column]
        QVector<QVector<bool>> both;     // difference: kept in both (marked with a dot)
        QCPAxisRect* rect = nullptr;
    };
    struct Side {
        QString name;
        QVector<QVector<double>> kept;  // [row][column]: 1, 0, NaN
    };

    void load(const QString& nameA, const std::vector<csq::LayerScheme>& a, const QString& nameB,
              const std::vector<csq::LayerScheme>* b);
    struct Colors {
        QColor text, kept, dropped, onlyA, onlyB, same;
    };

    Colors colors() const;  // from the palette, light or dark
    // Built afresh each time: the number of grids changes with the mode.
    void rebuild();
    void addGrid(QCPLayoutGrid* top, int g, const QCPColorGradient& gradient, const Colors& colors);
    void addLegend(const Colors& colors);
    void showHover(QMouseEvent* event);

    Mode mode_ = Mode::Single;
    QStringList rows_;
    int columns_ = 0;
    Side a_, b_;
    QList<Grid> grids_;
    QCPLegend* legend_ = nullptr;
};

}  // namespace csq::ui
