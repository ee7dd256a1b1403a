#pragma once
// The frame of the comparison plots, which draw finished runs rather than a live MetricsStore (that is
// PlotPanel's job): a QCustomPlot styled by the application palette, a right-click export and
// exportTo() through PlotExporter (PNG, SVG, PDF, JPG by suffix).
#include <QWidget>

class QCustomPlot;
class QVBoxLayout;

namespace csq::ui {

class ResultPlot : public QWidget {
    Q_OBJECT
public:
    explicit ResultPlot(const QString& title, QWidget* parent = nullptr);

    QString title() const { return title_; }
    virtual QString exportName() const = 0;  // a file name stem ("pareto")
    // Writes the plot by the file's suffix; empty string on success, else what went wrong.
    virtual QString exportTo(const QString& path, QSize size = {});
    // "PNG image (*.png);;…" plus any formats of the plot's own (CSV).
    virtual QString exportFilter() const;
    // Asks for a file name and exports; reports a failure in a message box.
    void exportWithDialog();

    QCustomPlot& plot() { return *plot_; }
    const QCustomPlot& plot() const { return *plot_; }

protected:
    // Colours plottables by the palette; axes, grid, legend and background are handled here.
    virtual void applyPalette() {}
    QVBoxLayout& layoutBox() { return *layout_; }
    bool darkPalette() const;
    void styleAllAxes();

    void changeEvent(QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    QString title_;
    QCustomPlot* plot_;
    QVBoxLayout* layout_;
};

}  // namespace csq::ui
