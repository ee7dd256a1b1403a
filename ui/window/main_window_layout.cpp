#include "window/main_window.h"

// The window's layout: its plots, docks, menus and tool bars, and the geometry, dock state and setup it
// remembers between sessions. What it does with a run is in main_window.cpp.
#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QMenuBar>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>

#include "plots/beta_schedule_view.h"
#include "setup/budget_panel.h"
#include "setup/dataset_inspector.h"
#include "window/file_actions.h"
#include "plots/gate_heatmap_view.h"
#include "plots/layer_bits_view.h"
#include "run/log_panel.h"
#include "plots/loss_accuracy_view.h"
#include "plots/precision_view.h"
#include "plots/sensitivity_view.h"
#include "compare/run_comparison_window.h"
#include "run/run_controls.h"
#include "run/run_status_bar.h"
#include "run/session_bridge.h"
#include "setup/setup_panel.h"
#include "window/theme.h"

namespace csq::ui {

QWidget* MainWindow::buildPlots()
{
    heatmap_ = new GateHeatmapView(*store_);
    precision_ = new PrecisionView(*store_);
    beta_ = new BetaScheduleView(*store_);
    layerBits_ = new LayerBitsView(*store_);
    loss_ = new LossAccuracyView(*store_);
    sensitivity_ = new SensitivityView(*store_);
    auto* side = new QSplitter(Qt::Vertical);
    side->addWidget(precision_);
    side->addWidget(beta_);
    auto* scheme = new QSplitter(Qt::Horizontal);
    scheme->addWidget(heatmap_);
    scheme->addWidget(side);
    scheme->setSizes({560, 440});  // the heatmap leads; the curves beside it stay readable
    tabs_ = new QTabWidget(this);
    tabs_->setDocumentMode(true);
    tabs_->addTab(scheme, tr("Scheme"));
    tabs_->addTab(layerBits_, tr("Layers"));
    tabs_->addTab(sensitivity_, tr("Sensitivity"));
    tabs_->addTab(loss_, tr("Loss and accuracy"));
    return tabs_;
}

QList<PlotPanel*> MainWindow::plots() const
{
    return {heatmap_, precision_, beta_, layerBits_, loss_, sensitivity_};
}

void MainWindow::buildDocks()
{
    auto dock = [this](QWidget* panel, const QString& title, const QString& name, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);  // saveState needs names
        d->setWidget(panel);
        addDockWidget(area, d);
        return d;
    };
    setup_ = new SetupPanel;
    budget_ = new BudgetPanel;
    log_ = new LogPanel;
    auto* setupDock = dock(setup_, tr("Setup"), QStringLiteral("setupDock"), Qt::LeftDockWidgetArea);
    auto* budgetDock = dock(budget_, tr("Budget and schedule"), QStringLiteral("budgetDock"), Qt::LeftDockWidgetArea);
    auto* logDock = dock(log_, tr("Log"), QStringLiteral("logDock"), Qt::BottomDockWidgetArea);
    // A tab behind the budget: it reads the dataset only when brought forward.
    tabifyDockWidget(budgetDock, dock(inspector_ = new DatasetInspector, tr("Dataset"), QStringLiteral("datasetDock"),
                                      Qt::LeftDockWidgetArea));
    budgetDock->raise();
    resizeDocks({setupDock, budgetDock}, {560, 240}, Qt::Vertical);
    resizeDocks({setupDock}, {380}, Qt::Horizontal);
    resizeDocks({logDock}, {130}, Qt::Vertical);
    connect(setup_, &SetupPanel::configChanged, this, &MainWindow::onConfigEdited);
    connect(budget_, &BudgetPanel::edited, this, &MainWindow::onConfigEdited);
    connect(budget_, &BudgetPanel::patchReady, this, [this](const csq::ConfigPatch& patch) {
        const auto error = bridge_->update(patch);
        budget_->showPatchResult(error);
        if (error.isEmpty())
            log_->appendLine(tr("live change sent: %1").arg(budget_->describe(patch)));
        else
            log_->appendError(error);
    });
}

void MainWindow::buildMenus()
{
    auto* file = menuBar()->addMenu(tr("&File"));
    files_->fillMenu(file);
    auto comparison = [this] { return comparisonWindow(); };
    auto* compare = new QAction(tr("Co&mpare runs…"), this);
    compare->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(compare, &QAction::triggered, this, comparison);
    auto* sweep = new QAction(tr("Run s&weep…"), this);
    sweep->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    connect(sweep, &QAction::triggered, this, [comparison] { comparison()->showSweepDialog(); });
    auto* follow = new QAction(tr("&Follow run directory…"), this);
    follow->setObjectName(QStringLiteral("followRunAction"));
    follow->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    follow->setStatusTip(tr("Watch a run that csq-train writes elsewhere, read-only"));
    connect(follow, &QAction::triggered, this, &MainWindow::chooseRunToFollow);
    file->insertActions(files_->quitAction(), {compare, sweep, follow});
    file->insertSeparator(files_->quitAction());
    auto* fileBar = addToolBar(tr("File"));
    fileBar->setObjectName(QStringLiteral("fileToolBar"));
    fileBar->addAction(files_->openConfigAction());
    fileBar->addAction(files_->saveConfigAction());
    fileBar->addAction(files_->exportHeatmapAction());
    insertToolBar(controls_, fileBar);
    connect(files_, &FileActions::configOpened, this, [this](const csq::TrainingConfig& config, const QString& path) {
        setConfig(config);
        log_->appendLine(tr("config loaded: %1").arg(QDir::toNativeSeparators(path)));
    });
    connect(files_, &FileActions::checkpointOpened, this, &MainWindow::resumeCheckpoint);
    connect(files_, &FileActions::message, log_, &LogPanel::appendLine);
    connect(files_, &FileActions::message, this, [this](const QString& text) { status_->showMessage(text, 6000); });
    connect(files_, &FileActions::error, log_, &LogPanel::appendError);
    connect(files_, &FileActions::error, this, [this](const QString& text) { status_->showMessage(text, 10000); });

    auto* run = menuBar()->addMenu(tr("&Run"));
    run->addActions(controls_->actions());
    run->addSeparator();
    measureSensitivity_ = run->addAction(tr("&Measure sensitivity now"), this, &MainWindow::measureSensitivity);
    measureSensitivity_->setObjectName(QStringLiteral("measureSensitivityAction"));
    measureSensitivity_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    measureSensitivity_->setToolTip(
        tr("Each layer alone rounded onto 1..N bits: the loss and accuracy that adds, on 1024 training images. "
           "During a run at the next batch (the run waits meanwhile); before Start on the setup's model."));

    auto* view = menuBar()->addMenu(tr("&View"));
    auto* dark = view->addAction(tr("&Dark theme"));
    dark->setCheckable(true);
    dark->setChecked(Theme::current() == Theme::Mode::Dark);
    dark->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    connect(dark, &QAction::toggled, this, &MainWindow::toggleTheme);
    view->addAction(tr("&Reset layout"), this, &MainWindow::resetLayout);
    view->addSeparator();
    for (auto* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About CSQ Studio"), this, &MainWindow::showAbout);
}

void MainWindow::resetLayout()
{
    restoreState(defaultState_);
    for (auto* dock : findChildren<QDockWidget*>()) dock->show();
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
    const auto json = settings.value(QStringLiteral("config")).toString();
    if (json.isEmpty()) return;
    try {
        setConfig(csq::configFromJson(json.toStdString(), "settings"));
    } catch (const std::exception& e) {
        log_->appendError(tr("last setup not restored: %1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("windowState"), saveState());
    settings.setValue(QStringLiteral("config"), QString::fromStdString(csq::toJson(config())));
    settings.setValue(QStringLiteral("theme"), Theme::key(Theme::current()));
}

}  // namespace csq::ui
