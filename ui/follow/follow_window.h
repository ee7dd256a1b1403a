#pragma once
// Watches a run that another process writes (csq-train, or rank 0 of a distributed run), read-only:
// a RunFollower re-reads the run directory's files as they change; the status line says where the run
// is (or how it finished), and the live plots draw the files (metrics.csv replayed into a MetricsStore,
// scheme.json as per-layer bits and a kept-bits grid). Nothing here can change the run.
#include <optional>

#include <QList>
#include <QMainWindow>

#include "csq/config.h"
#include "csq/sweep.h"
#include "run/metrics_csv.h"
#include "follow/metrics_csv_feed.h"

class QLabel;
class QTabWidget;

namespace csq::ui {

class BetaScheduleView;
class LayerBitsView;
class LossAccuracyView;
class MetricsStore;
class PlotPanel;
class PrecisionView;
class RunFollower;
class SchemeGridView;

class FollowWindow : public QMainWindow {
    Q_OBJECT
public:
    // Starts following at once (a first read before this returns), polling every intervalMs.
    explicit FollowWindow(const QString& directory, QWidget* parent = nullptr, int intervalMs = 1000);

    QString directory() const;
    RunFollower& follower() const { return *follower_; }
    bool isFinished() const;
    QString statusText() const;
    QString problemText() const;  // what is wrong with the files now ("" when nothing)

    PrecisionView* precisionView() const { return precision_; }
    BetaScheduleView* betaView() const { return beta_; }
    LossAccuracyView* lossView() const { return loss_; }
    LayerBitsView* layerBitsView() const { return layerBits_; }
    SchemeGridView* schemeView() const { return scheme_; }
    // The live plots, in tab order; the kept-bits grid (schemeView) exports too.
    QList<PlotPanel*> plots() const;
    QTabWidget* tabs() const { return tabs_; }

    // "epoch 3/10 · search · step 1200 · β 12.3 · bits 2.45 (weighted 1.90) → target 2 · …"; config gives the epoch
    // total.
    static QString progressLine(const MetricsCsv& metrics, const std::optional<csq::TrainingConfig>& config);
    static QString finishedLine(const csq::RunResult& result);

public Q_SLOTS:
    void exportCurrentPlot();

private:
    QWidget* buildPlots();
    void buildMenus();
    void onConfig(const csq::TrainingConfig& config);
    void onMetrics(const MetricsCsv& metrics);
    void onScheme(const std::vector<csq::LayerScheme>& layers);
    void onFinished();
    void refreshStatus();
    void exportPlot(QWidget* plot);

    RunFollower* follower_;
    MetricsStore* store_;
    MetricsStore* schemeStore_;  // LayerBitsView draws a store's latest layers: scheme.json's, here
    MetricsCsvFeed feed_;
    QTabWidget* tabs_;
    PrecisionView* precision_;
    BetaScheduleView* beta_;
    LossAccuracyView* loss_;
    LayerBitsView* layerBits_;
    SchemeGridView* scheme_;
    QLabel* status_;
    QLabel* problems_;
};

}  // namespace csq::ui
