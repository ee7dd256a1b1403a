#pragma once
// Size against accuracy of finished runs: mixed-precision runs and uniform baselines as two scatter
// series, the Pareto front as a step line through its points, a float run as a horizontal reference;
// x is size-weighted bits or the weights' size in KiB; a group of seeds is drawn at its means with
// error bars of one standard deviation both ways; hover names a run with its figures; exports
// PNG/SVG/PDF and the results table as CSV (csq::resultsCsv).
#include <vector>

#include <QList>
#include <QPointF>
#include <QVector>

#include "csq/sweep.h"
#include "compare/result_plot.h"

class QCheckBox;
class QCPErrorBars;
class QCPGraph;
class QCPItemStraightLine;
class QComboBox;
class QCPItemText;
class QLabel;
class QMouseEvent;

namespace csq::ui {

class ParetoView : public ResultPlot {
    Q_OBJECT
public:
    enum class XAxis { WeightedBits, WeightKiB, BitOps };

    explicit ParetoView(QWidget* parent = nullptr);

    QString exportName() const override { return QStringLiteral("pareto"); }
    // .csv writes resultsCsv of the shown runs; other suffixes go to the image exporter.
    QString exportTo(const QString& path, QSize size = {}) override;
    QString exportFilter() const override;
    QString exportCsv(const QString& path) const;

    // Draws the runs given, with the Pareto front of the axis shown: accuracy against size-weighted
    // bits, weight KiB or BitOPs (runs written before compute was measured have none: not drawn there).
    void setResults(std::vector<csq::RunResult> results);
    const std::vector<csq::RunResult>& results() const { return results_; }
    void setXAxis(XAxis axis);
    XAxis xAxis() const { return xAxis_; }
    double xOf(const csq::RunResult& result) const;
    bool drawn(const csq::RunResult& result) const;  // a quantized run with a value on the axis shown

    // What is drawn, for tests: points per series, the front's points in x order, the float line.
    int mixedCount() const;
    int uniformCount() const;
    QVector<QPointF> frontPoints() const;
    bool hasFloatReference() const;
    double floatReference() const;  // the float run's accuracy (NaN without one)
    // The error bars drawn on the mixed or uniform series: (x sd, accuracy sd) per point, in data order.
    QVector<QPointF> errorBars(bool uniform) const;
    // The tooltip of results()[index]; the index of the run drawn within `radius` pixels of a point (-1: none).
    QString toolTipFor(int index) const;
    int resultAt(QPointF pixel, double radius = 12) const;
    // The labels' rectangles in pixels as last drawn: the float line's first (when shown), then the points'.
    QVector<QRectF> labelRects() const;

protected:
    void applyPalette() override;

private:
    void rebuild();
    void clearLabels();
    void layoutLabels();
    void showHover(QMouseEvent* event);

    std::vector<csq::RunResult> results_;
    XAxis xAxis_ = XAxis::WeightedBits;
    double xSpreadOf(const csq::RunResult& result) const;

    QComboBox* axisBox_;
    std::vector<bool> onFront_;  // per result, on the front of the axis shown
    QCheckBox* labelsBox_;
    QLabel* caption_;
    QCPGraph* mixed_;
    QCPGraph* uniform_;
    QCPGraph* front_;
    QCPGraph* floatLegend_;  // no data: the float line's legend entry
    QCPErrorBars* mixedAccuracyBars_;
    QCPErrorBars* mixedSizeBars_;
    QCPErrorBars* uniformAccuracyBars_;
    QCPErrorBars* uniformSizeBars_;
    QCPItemStraightLine* floatLine_;
    QCPItemText* floatLabel_;
    QList<QCPItemText*> labels_;
};

}  // namespace csq::ui
