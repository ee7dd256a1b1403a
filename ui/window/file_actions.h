#pragma once
// The File menu's work: open and save configs, load and save checkpoints, export the scheme, the
// quantized model, metrics and plots, each through a file dialog and with its outcome reported.
#include <functional>

#include <QList>
#include <QObject>

#include "csq/config.h"
#include "run/session_bridge.h"

class QAction;
class QMenu;
class QWidget;

namespace csq::ui {

class GateHeatmapView;
class PlotPanel;
class RecentFiles;

class FileActions : public QObject {
    Q_OBJECT
public:
    FileActions(SessionBridge& bridge, QWidget* window);

    void setConfigSource(std::function<csq::TrainingConfig()> current) { currentConfig_ = std::move(current); }
    void setPlots(GateHeatmapView* heatmap, const QList<PlotPanel*>& plots);
    // Checkpoint and exports need a model: a run that has reported at least once.
    void setModelAvailable(bool available);

    void fillMenu(QMenu* menu);
    QAction* openConfigAction() const { return openConfig_; }
    QAction* saveConfigAction() const { return saveConfig_; }
    QAction* loadCheckpointAction() const { return loadCheckpoint_; }
    QAction* exportHeatmapAction() const { return exportHeatmap_; }
    QAction* quitAction() const { return quit_; }
    RecentFiles& recent() const { return *recent_; }

    bool openConfig(const QString& path);      // emits configOpened, or reports the error
    void openCheckpoint(const QString& path);  // emits checkpointOpened
    QString saveConfig(const QString& path);   // "" on success

Q_SIGNALS:
    void configOpened(const csq::TrainingConfig& config, const QString& path);
    void checkpointOpened(const QString& path);
    void message(const QString& text);
    void error(const QString& text);

private:
    QAction* make(const QString& text, const QKeySequence& shortcut, const QString& tip,
                  void (FileActions::*handler)());
    QString startDir() const;
    QString askSave(const QString& title, const QString& name, const QString& filter);
    void report(const QString& what, const QString& path, const QString& error);

    void chooseConfig();
    void chooseSaveConfig();
    void chooseCheckpoint();
    void saveCheckpoint();
    void exportScheme();
    void exportQuantized();
    void exportMetrics();
    void exportLater(SessionBridge::Export what, const QString& path);
    static QString exportLabel(SessionBridge::Export what);
    void exportHeatmap();
    void exportPlot(PlotPanel* plot);

    SessionBridge& bridge_;
    QWidget* window_;
    RecentFiles* recent_;
    std::function<csq::TrainingConfig()> currentConfig_;
    GateHeatmapView* heatmap_ = nullptr;
    QAction* openConfig_;
    QAction* saveConfig_;
    QAction* loadCheckpoint_;
    QAction* saveCheckpoint_;
    QAction* exportScheme_;
    QAction* exportQuantized_;
    QAction* exportMetrics_;
    QAction* exportHeatmap_;
    QMenu* exportPlots_;
    QAction* quit_;
};

}  // namespace csq::ui
