#pragma once
// Compares finished runs: run folders and sweep folders opened by dialog or dropped, listed with a
// checkbox and a colour each; tabs for the Pareto front of the checked runs, their curves overlaid, and
// two runs' kept-bit schemes side by side or as a difference; every plot exportable; and budget sweeps
// started from here (SweepDialog) whose results open when they end.
#include <functional>

#include <QColor>
#include <QList>
#include <QMainWindow>

#include "csq/config.h"
#include "compare/run_record.h"
#include "compare/scheme_grid_view.h"

class QAction;
class QListWidget;
class QListWidgetItem;
class QTabWidget;

namespace csq::ui {

class CurveOverlayView;
class ParetoView;
class ResultPlot;
class SchemeComparisonTab;
class SweepDialog;

class RunComparisonWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit RunComparisonWindow(QWidget* parent = nullptr);
    ~RunComparisonWindow() override;

    // The base config of sweeps started here (MainWindow's current setup).
    void setConfigSource(std::function<csq::TrainingConfig()> source);

    // Opens run folders (summary.json) and sweep folders (their finished runs); a run already open is
    // skipped. Returns what could not be opened, one line per path ("" when everything opened).
    QString openPaths(const QStringList& paths);
    void removeRun(int index);
    void clearRuns();

    int runCount() const { return static_cast<int>(runs_.size()); }
    const RunRecord& run(int index) const { return runs_[index].record; }
    QString runLabel(int index) const { return runs_[index].label; }
    QColor runColor(int index) const { return runs_[index].color; }
    bool runChecked(int index) const;
    void setRunChecked(int index, bool checked);
    // The heatmaps tab: runs A and B (indices into the list) and how to show them.
    void compareSchemes(int a, int b, SchemeGridView::Mode mode);

    QListWidget* runList() const { return list_; }
    QTabWidget* tabs() const { return tabs_; }
    ParetoView* paretoView() const { return pareto_; }
    CurveOverlayView* curveView() const { return curves_; }
    SchemeGridView* schemeView() const;
    QList<ResultPlot*> plots() const;
    ResultPlot* currentPlot() const;
    SweepDialog* sweepDialog();  // made on first use

public Q_SLOTS:
    void chooseRuns();
    void chooseSweep();
    void showSweepDialog();
    void exportCurrentPlot();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    struct Entry {
        RunRecord record;
        QString label;  // unique in the list: "mixed-2", else "sweep-a/mixed-2"
        QColor color;
        QString group;  // a seed of a group: the group's folder (its checked seeds are one Pareto point)
    };

    QWidget* buildRunPanel();
    void buildActions();
    bool addRun(RunRecord record, const QString& group = {});
    // A finished run, or each seed of a group (the folder a --seeds run wrote); the number added.
    int addRunOrGroup(const csq::RunResult& result);
    QColor nextColor() const;
    void runsChanged();
    void refreshResultViews();
    void reportErrors(const QString& errors);
    void onSweepEnded(const QString& directory, const QString& error);

    QList<Entry> runs_;
    std::function<csq::TrainingConfig()> configSource_;
    QListWidget* list_;
    QTabWidget* tabs_;
    ParetoView* pareto_;
    CurveOverlayView* curves_;
    SchemeComparisonTab* schemeTab_;
    SweepDialog* sweep_ = nullptr;
    bool updating_ = false;
};

}  // namespace csq::ui
