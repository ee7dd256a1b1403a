#include "window/file_actions.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QIcon>
#include <QMenu>
#include <QSaveFile>
#include <QStyle>

#include "plots/gate_heatmap_view.h"
#include "plots/plot_exporter.h"
#include "plots/plot_panel.h"
#include "window/recent_files.h"
#include "run/session_bridge.h"
#include "csq/run_directory.h"

namespace csq::ui {

FileActions::FileActions(SessionBridge& bridge, QWidget* window)
    : QObject(window), bridge_(bridge), window_(window), recent_(new RecentFiles(this))
{
    connect(&bridge_, &SessionBridge::exported, this,
            [this](SessionBridge::Export what, const QString& path, const QString& failure) {
                report(exportLabel(what), path, failure);
            });
    openConfig_ = make(tr("&Open config…"), QKeySequence::Open, tr("Load a config.json into the setup"),
                       &FileActions::chooseConfig);
    openConfig_->setIcon(window->style()->standardIcon(QStyle::SP_DialogOpenButton));
    saveConfig_ = make(tr("&Save config…"), QKeySequence::Save, tr("Save the setup as config.json"),
                       &FileActions::chooseSaveConfig);
    saveConfig_->setIcon(window->style()->standardIcon(QStyle::SP_DialogSaveButton));
    loadCheckpoint_ = make(tr("&Load checkpoint…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                           tr("Resume the run saved in a checkpoint.pt"), &FileActions::chooseCheckpoint);
    saveCheckpoint_ = make(tr("Save &checkpoint…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S),
                           tr("Save the run's state (resumable) now"), &FileActions::saveCheckpoint);
    exportScheme_ = make(tr("Export scheme &JSON…"), {}, tr("The kept bits of every layer and both precision measures"),
                         &FileActions::exportScheme);
    exportQuantized_ = make(tr("Export &quantized model…"), {},
                            tr("Integer codes, scales and kept bits (quantized.pt)"), &FileActions::exportQuantized);
    exportMetrics_ =
        make(tr("Export &metrics CSV…"), {}, tr("One row per logged step and per epoch"), &FileActions::exportMetrics);
    exportHeatmap_ = make(tr("Export &heatmap…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E),
                          tr("The gate heatmap as PNG, SVG, PDF or CSV"), &FileActions::exportHeatmap);
    exportHeatmap_->setIcon(QIcon(QStringLiteral(":/csq-studio/export-heatmap.svg")));
    exportPlots_ = new QMenu(tr("Export &plot"));
    connect(this, &QObject::destroyed, exportPlots_, &QObject::deleteLater);
    quit_ = new QAction(tr("&Quit"), this);
    quit_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit_->setMenuRole(QAction::QuitRole);
    connect(quit_, &QAction::triggered, window_, &QWidget::close);
    connect(recent_, &RecentFiles::openRequested, this, [this](const QString& path) {
        if (path.endsWith(QStringLiteral(".pt"), Qt::CaseInsensitive))
            openCheckpoint(path);
        else
            openConfig(path);
    });
    setModelAvailable(false);
}

QAction* FileActions::make(const QString& text, const QKeySequence& shortcut, const QString& tip,
                           void (FileActions::*handler)())
{
    auto* action = new QAction(text, this);
    if (!shortcut.isEmpty()) action->setShortcut(shortcut);
    action->setStatusTip(tip);
    action->setToolTip(tip);
    connect(action, &QAction::triggered, this, handler);
    return action;
}

void FileActions::setPlots(GateHeatmapView* heatmap, const QList<PlotPanel*>& plots)
{
    heatmap_ = heatmap;
    exportPlots_->clear();
    for (auto* plot : plots) {
        auto* action = exportPlots_->addAction(tr("%1…").arg(plot->title()));
        action->setStatusTip(tr("Export the %1 plot as PNG, SVG or PDF").arg(plot->title()));
        connect(action, &QAction::triggered, this, [this, plot] { exportPlot(plot); });
    }
}

void FileActions::setModelAvailable(bool available)
{
    for (auto* action : {saveCheckpoint_, exportScheme_, exportQuantized_, exportMetrics_})
        action->setEnabled(available);
}

void FileActions::fillMenu(QMenu* menu)
{
    menu->addAction(openConfig_);
    menu->addMenu(recent_->menu());
    menu->addAction(saveConfig_);
    menu->addSeparator();
    menu->addAction(loadCheckpoint_);
    menu->addAction(saveCheckpoint_);
    menu->addSeparator();
    for (auto* action : {exportScheme_, exportQuantized_, exportMetrics_, exportHeatmap_}) menu->addAction(action);
    menu->addMenu(exportPlots_);
    menu->addSeparator();
    menu->addAction(quit_);
}

QString FileActions::startDir() const
{
    const auto runDir = bridge_.runDir();
    return !runDir.isEmpty() && QFileInfo(runDir).isDir() ? runDir : QDir::currentPath();
}

QString FileActions::askSave(const QString& title, const QString& name, const QString& filter)
{
    return QFileDialog::getSaveFileName(window_, title, QDir(startDir()).filePath(name), filter);
}

void FileActions::report(const QString& what, const QString& path, const QString& failure)
{
    if (failure.isEmpty())
        Q_EMIT message(tr("%1 written: %2").arg(what, QDir::toNativeSeparators(path)));
    else
        Q_EMIT error(tr("%1 failed: %2").arg(what, failure));
}

bool FileActions::openConfig(const QString& path)
{
    try {
        const auto config = csq::loadConfig(path.toStdString());
        recent_->add(path);
        Q_EMIT configOpened(config, path);
        return true;
    } catch (const std::exception& e) {
        Q_EMIT error(tr("Cannot open the config: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
}

void FileActions::openCheckpoint(const QString& path)
{
    recent_->add(path);
    Q_EMIT checkpointOpened(path);
}

QString FileActions::saveConfig(const QString& path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) return file.errorString();
    file.write(QByteArray::fromStdString(csq::toJson(currentConfig_ ? currentConfig_() : csq::TrainingConfig{})));
    file.write("\n");
    return file.commit() ? QString() : file.errorString();
}

void FileActions::chooseConfig()
{
    const auto path = QFileDialog::getOpenFileName(window_, tr("Open config"), startDir(), tr("Run config (*.json)"));
    if (!path.isEmpty()) openConfig(path);
}

void FileActions::chooseSaveConfig()
{
    const auto path =
        askSave(tr("Save config"), QString::fromLatin1(csq::run_files::kConfig), tr("Run config (*.json)"));
    if (path.isEmpty()) return;
    const auto failure = saveConfig(path);
    if (failure.isEmpty()) recent_->add(path);
    report(tr("Config"), path, failure);
}

void FileActions::chooseCheckpoint()
{
    const auto path = QFileDialog::getOpenFileName(window_, tr("Load checkpoint"), startDir(), tr("Checkpoint (*.pt)"));
    if (!path.isEmpty()) openCheckpoint(path);
}

void FileActions::saveCheckpoint()
{
    const auto path =
        askSave(tr("Save checkpoint"), QString::fromLatin1(csq::run_files::kCheckpoint), tr("Checkpoint (*.pt)"));
    if (!path.isEmpty()) exportLater(SessionBridge::Export::Checkpoint, path);
}

void FileActions::exportScheme()
{
    const auto path = askSave(tr("Export scheme"), QString::fromLatin1(csq::run_files::kScheme), tr("Scheme (*.json)"));
    if (!path.isEmpty()) exportLater(SessionBridge::Export::Scheme, path);
}

void FileActions::exportQuantized()
{
    const auto path = askSave(tr("Export quantized model"), QString::fromLatin1(csq::run_files::kQuantized),
                              tr("Quantized model (*.pt)"));
    if (!path.isEmpty()) exportLater(SessionBridge::Export::Quantized, path);
}

void FileActions::exportMetrics()
{
    const auto path = askSave(tr("Export metrics"), QString::fromLatin1(csq::run_files::kMetrics), tr("CSV (*.csv)"));
    if (!path.isEmpty()) exportLater(SessionBridge::Export::Metrics, path);
}

// The run's files are written off the GUI thread: the window stays live while a running session
// reaches its next batch boundary, and the status bar says when the file is there.
void FileActions::exportLater(SessionBridge::Export what, const QString& path)
{
    Q_EMIT message(
        tr("%1: writing %2 at the run's next batch…").arg(exportLabel(what), QDir::toNativeSeparators(path)));
    bridge_.exportLater(what, path);
}

QString FileActions::exportLabel(SessionBridge::Export what)
{
    switch (what) {
        case SessionBridge::Export::Checkpoint:
            return tr("Checkpoint");
        case SessionBridge::Export::Scheme:
            return tr("Scheme");
        case SessionBridge::Export::Quantized:
            return tr("Quantized model");
        case SessionBridge::Export::Metrics:
            return tr("Metrics");
    }
    return {};
}

void FileActions::exportHeatmap()
{
    if (!heatmap_) return;
    const auto path = askSave(tr("Export heatmap"), QStringLiteral("heatmap.png"),
                              PlotExporter::fileFilter() + tr(";;Gate values (*.csv)"));
    if (!path.isEmpty()) report(tr("Heatmap"), path, heatmap_->exportTo(path));
}

void FileActions::exportPlot(PlotPanel* plot)
{
    const auto path = askSave(tr("Export %1").arg(plot->title()), plot->exportName() + QStringLiteral(".png"),
                              PlotExporter::fileFilter());
    if (!path.isEmpty()) report(plot->title(), path, plot->exportTo(path));
}

}  // namespace csq::ui
