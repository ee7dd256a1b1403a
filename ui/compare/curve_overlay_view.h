#pragma once
// One metric of several finished runs overlaid over epochs, read from their metrics.csv: the
// cross-entropy and both precision measures per logged step, test and exact-model accuracy per epoch;
// one colour per run, a legend and a metric chooser.
#include <QColor>
#include <QList>

#include "run/metrics_csv.h"
#include "compare/result_plot.h"

class QComboBox;
class QCPGraph;

namespace csq::ui {

class CurveOverlayView : public ResultPlot {
    Q_OBJECT
public:
    enum class Metric { CrossEntropy, TestAccuracy, QuantizedAccuracy, AvgBits, WeightedAvgBits };

    struct Run {
        QString name;
        QColor color;
        MetricsCsv metrics;
    };

    explicit CurveOverlayView(QWidget* parent = nullptr);

    QString exportName() const override;

    void setRuns(QList<Run> runs);
    void setMetric(Metric metric);

    static QList<Metric> metrics();
    static QString label(Metric metric);   // "test accuracy (%)"
    static QString column(Metric metric);  // its metrics.csv column
    // Per-epoch metrics come from the epoch rows; the others from the step rows (epoch rows when a run has none).
    static bool perEpoch(Metric metric);
    // The curve one run gives for a metric.
    static MetricsCsv::Series seriesOf(const MetricsCsv& metrics, Metric metric);

    // What is drawn, for tests: one graph per run, in run order.
    int graphCount() const;
    int pointCount(int graph) const;
    QString graphName(int graph) const;
    QColor graphColor(int graph) const;

private:
    void rebuild();

    QList<Run> runs_;
    Metric metric_ = Metric::QuantizedAccuracy;
    QComboBox* chooser_;
    QList<QCPGraph*> graphs_;
};

}  // namespace csq::ui
