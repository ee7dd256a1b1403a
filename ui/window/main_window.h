#pragma once
// The application's main window: assembles the panels (setup, budget, dataset, log docks; plot tabs; run
// tool bar and status bar), wires them to the session, and keeps settings, drops and closing tidy.
#include <QByteArray>
#include <QMainWindow>

#include "csq/config.h"
#include "csq/snapshot.h"

class QAction;
class QTabWidget;

namespace csq::ui {

class BetaScheduleView;
class BudgetPanel;
class DatasetInspector;
class FileActions;
class FollowWindow;
class GateHeatmapView;
class LayerBitsView;
class SensitivityView;
class LogPanel;
class LossAccuracyView;
class MetricsStore;
class PlotPanel;
class PrecisionView;
class RunComparisonWindow;
class RunControls;
class RunStatusBar;
class SessionBridge;
class SetupPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    void setConfig(const csq::TrainingConfig& config);
    csq::TrainingConfig config() const;  // what the panels show
    bool startRun();
    // A dropped or named path: .json config → setup; checkpoint .pt → resume; folder → dataset.
    bool openPath(const QString& path);
    void resetLayout();
    // Opens a read-only window on a run directory that another process writes (or raises the one
    // already following it).
    FollowWindow* followRun(const QString& directory);
    // When the last run was cut short (crash, kill, or the window closed mid-run), asks whether to
    // resume it from its checkpoint; the question does not block the window. Called once at start-up.
    void offerInterruptedRun();

    SessionBridge& bridge() const { return *bridge_; }
    MetricsStore& store() const { return *store_; }
    SetupPanel* setupPanel() const { return setup_; }
    DatasetInspector* datasetInspector() const { return inspector_; }
    BudgetPanel* budgetPanel() const { return budget_; }
    RunControls* runControls() const { return controls_; }
    GateHeatmapView* heatmap() const { return heatmap_; }
    BetaScheduleView* betaView() const { return beta_; }
    QList<PlotPanel*> plots() const;

protected:
    void closeEvent(QCloseEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    QWidget* buildPlots();
    void buildDocks();
    void buildMenus();
    void wireSession();
    void restoreSettings();
    void saveSettings() const;

    void onConfigEdited();
    void onSnapshot(const csq::Snapshot& snapshot);
    void onStateChanged();
    void onRunEnded();
    void onFinished(const csq::RunSummary& summary);  // logs it and shows the result card
    RunComparisonWindow* comparisonWindow();          // made on first use, shown
    void onFailed(const QString& reason);
    void resumeCheckpoint(const QString& path);
    void toggleTheme(bool dark);
    void showAbout();
    void chooseRunToFollow();
    bool confirmClose();
    void measureSensitivity();  // the run's network at its next batch, else the setup's model

    SessionBridge* bridge_;
    MetricsStore* store_;
    SetupPanel* setup_;
    BudgetPanel* budget_;
    LogPanel* log_;
    DatasetInspector* inspector_;
    RunControls* controls_;
    RunStatusBar* status_;
    FileActions* files_;
    QTabWidget* tabs_;
    GateHeatmapView* heatmap_;
    BetaScheduleView* beta_;
    PrecisionView* precision_;
    LayerBitsView* layerBits_;
    SensitivityView* sensitivity_;
    QAction* measureSensitivity_ = nullptr;
    LossAccuracyView* loss_;
    QByteArray defaultState_;
    int runEpochs_ = 0;
    csq::TrainingConfig edited_;      // the setup as last edited: tells an epochs change from a loaded config
    bool syncPanelsFromRun_ = false;  // a resumed run: show its config once it is known
    bool rememberRun_ = false;        // the next snapshot records the run as in progress
    bool closing_ = false;            // a run ended by closing the window stays resumable
};

}  // namespace csq::ui
