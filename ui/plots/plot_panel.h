#pragma once
// The common frame of every live plot: a QCustomPlot, a coalesced replot (at most 25 per second,
// none while hidden), colours that follow the application palette, and export to PNG/SVG/PDF.
#include <QTimer>
#include <QWidget>

class QCustomPlot;
class QVBoxLayout;

namespace csq::ui {

class MetricsStore;

class PlotPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMinReplotIntervalMs = 40;  // 25 Hz

    PlotPanel(MetricsStore& store, const QString& title, QWidget* parent = nullptr);

    QString title() const { return title_; }
    // A file name stem for exports ("gate-heatmap").
    virtual QString exportName() const = 0;
    // Writes the plot as PNG, SVG, PDF or JPG by the file's suffix; empty string on success.
    virtual QString exportTo(const QString& path, QSize size = {});

    // Rebuilds the plot from the store now (tests; exports call it too).
    void refreshNow();
    bool refreshPending() const { return dirty_; }

    QCustomPlot& plot() { return *plot_; }

public Q_SLOTS:
    // Marks the plot stale; redrawn by the coalescing timer if visible, else on the next show.
    void scheduleRefresh();

protected:
    // Copies the store's data into the plot's plottables; no replot (the panel does that).
    virtual void rebuild() = 0;
    // Colours plottables by the palette; axes, grid and background are handled here.
    virtual void applyPalette() {}

    MetricsStore& store() { return store_; }
    const MetricsStore& store() const { return store_; }
    QVBoxLayout& layoutBox() { return *layout_; }
    bool darkPalette() const;
    void styleAllAxes();

    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;

private:
    void onTimer();
    bool onScreen() const;

    MetricsStore& store_;
    QString title_;
    QCustomPlot* plot_;
    QVBoxLayout* layout_;
    QTimer timer_;
    bool dirty_ = false;
    int replots_ = 0;
};

}  // namespace csq::ui
