#include "main_window.h"

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>

#include "about_dialog.h"
#include "beta_schedule_view.h"
#include "budget_panel.h"
#include "csq/version.h"
#include "dataset_inspector.h"
#include "file_actions.h"
#include "follow_window.h"
#include "interrupted_run.h"
#include "gate_heatmap_view.h"
#include "layer_bits_view.h"
#include "log_panel.h"
#include "loss_accuracy_view.h"
#include "metrics_store.h"
#include "precision_view.h"
#include "run_comparison_window.h"
#include "run_controls.h"
#include "run_result_card.h"
#include "run_status_bar.h"
#include "session_bridge.h"
#include "setup_panel.h"
#include "theme.h"

// Resources compiled into the static csqui must be registered by hand; Q_INIT_RESOURCE wants the
// global namespace.
static void initResources()
{
    Q_INIT_RESOURCE(csq_studio);
}

namespace csq::ui {

namespace {

QString droppedPath(const QMimeData* mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().isEmpty() || !mime->urls().first().isLocalFile()) return {};
    return mime->urls().first().toLocalFile();
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent), bridge_(new SessionBridge(this)), store_(new MetricsStore(this))
{
    initResources();
    setWindowTitle(QStringLiteral("CSQ Studio %1").arg(QString::fromUtf8(kVersion)));
    setWindowIcon(QIcon(QStringLiteral(":/csq-studio/csq-studio.svg")));
    setAcceptDrops(true);
    setDockOptions(AnimatedDocks | AllowTabbedDocks);
    setCentralWidget(buildPlots());
    controls_ = new RunControls(this);
    addToolBar(Qt::TopToolBarArea, controls_);
    status_ = new RunStatusBar(this);
    setStatusBar(status_);
    files_ = new FileActions(*bridge_, this);
    files_->setConfigSource([this] { return config(); });
    files_->setPlots(heatmap_, plots());
    buildDocks();
    buildMenus();
    wireSession();
    resize(1440, 900);
    defaultState_ = saveState();
    restoreSettings();
    onConfigEdited();
    onStateChanged();
}

MainWindow::~MainWindow()
{
    closing_ = true;          // like closing mid-run: the run stays resumable
    bridge_->stopAndWait();  // also done by the bridge; here it happens while every panel still exists
}

QWidget* MainWindow::buildPlots()
{
    heatmap_ = new GateHeatmapView(*store_);
    precision_ = new PrecisionView(*store_);
    beta_ = new BetaScheduleView(*store_);
    layerBits_ = new LayerBitsView(*store_);
    loss_ = new LossAccuracyView(*store_);
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
    tabs_->addTab(loss_, tr("Loss and accuracy"));
    return tabs_;
}

QList<PlotPanel*> MainWindow::plots() const
{
    return {heatmap_, precision_, beta_, layerBits_, loss_};
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
            log_->appendLine(tr("live change sent: %1").arg(BudgetPanel::describe(patch)));
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

void MainWindow::wireSession()
{
    connect(bridge_, &SessionBridge::snapshotArrived, this, &MainWindow::onSnapshot);
    connect(bridge_, &SessionBridge::epochFinished, store_, &MetricsStore::addEpoch);
    connect(bridge_, &SessionBridge::epochFinished, log_, &LogPanel::appendEpoch);
    connect(bridge_, &SessionBridge::logLine, log_, &LogPanel::appendLine);
    connect(bridge_, &SessionBridge::finished, this, &MainWindow::onFinished);
    connect(bridge_, &SessionBridge::failed, this, &MainWindow::onFailed);
    connect(bridge_, &SessionBridge::stateChanged, this, &MainWindow::onStateChanged);
    connect(bridge_, &SessionBridge::runEnded, this, &MainWindow::onRunEnded);
    connect(controls_, &RunControls::startRequested, this, &MainWindow::startRun);
    connect(controls_, &RunControls::pauseRequested, bridge_, &SessionBridge::pause);
    connect(controls_, &RunControls::resumeRequested, bridge_, &SessionBridge::resume);
    connect(controls_, &RunControls::stopRequested, bridge_, &SessionBridge::stop);
    connect(controls_, &RunControls::finalizeRequested, bridge_, &SessionBridge::finalize);
}

void MainWindow::setConfig(const csq::TrainingConfig& config)
{
    setup_->setConfig(config);
    budget_->setConfig(config);
    onConfigEdited();
}

csq::TrainingConfig MainWindow::config() const
{
    csq::TrainingConfig config;
    setup_->applyTo(config);
    budget_->applyTo(config);
    return config;
}

void MainWindow::onConfigEdited()
{
    auto current = config();
    if (!bridge_->running()) budget_->setConfig(current);  // ranges follow max bits and epochs
    current = config();
    const auto issues = csq::validate(current);
    setup_->showIssues(issues);
    budget_->showIssues(issues);
    controls_->setStartBlocked(
        issues.empty() ? QString() : QString::fromStdString(issues.front().field + ": " + issues.front().message));
    beta_->setPlan(BetaPlan::of(current));
    inspector_->setSource(QString::fromStdString(current.data), current.imageSize, current.imageChannels);
}

bool MainWindow::startRun()
{
    auto config = this->config();
    if (!csq::validate(config).empty() || bridge_->running()) return false;
    if (config.outDir.empty()) config.outDir = SessionBridge::defaultRunDir(config).toStdString();
    store_->clear();
    runEpochs_ = config.totalEpochs();
    syncPanelsFromRun_ = false;
    rememberRun_ = true;
    log_->appendLine(tr("starting %1 on %2 → %3")
                         .arg(QString::fromStdString(config.model), QString::fromStdString(config.data),
                              QDir::toNativeSeparators(QString::fromStdString(config.outDir))));
    if (!bridge_->start(config).isEmpty()) return false;
    status_->showState(tr("loading…"));
    // Replaces the Start button's status tip, which would otherwise stay while the run trains.
    status_->showMessage(tr("run started → %1").arg(QDir::toNativeSeparators(QString::fromStdString(config.outDir))), 8000);
    return true;
}

void MainWindow::resumeCheckpoint(const QString& path)
{
    if (bridge_->running()) {
        log_->appendError(tr("a run is in progress: stop it before resuming %1").arg(path));
        return;
    }
    store_->clear();
    syncPanelsFromRun_ = true;
    rememberRun_ = true;
    log_->appendLine(tr("resuming %1").arg(QDir::toNativeSeparators(path)));
    if (bridge_->startFromCheckpoint(path).isEmpty()) {
        status_->showState(tr("loading…"));
        status_->showMessage(tr("resuming %1").arg(QDir::toNativeSeparators(path)), 8000);
    }
}

bool MainWindow::openPath(const QString& path)
{
    const QFileInfo info(path);
    if (info.isDir() && !bridge_->running()) {
        auto config = this->config();
        config.data = info.absoluteFilePath().toStdString();
        setConfig(config);
        log_->appendLine(tr("dataset: %1").arg(QDir::toNativeSeparators(info.absoluteFilePath())));
        return true;
    }
    if (info.suffix().compare(u"json", Qt::CaseInsensitive) == 0)
        return !bridge_->running() && files_->openConfig(path);
    if (info.suffix().compare(u"pt", Qt::CaseInsensitive) == 0 && info.isFile()) {
        files_->openCheckpoint(path);
        return true;
    }
    return false;
}

void MainWindow::offerInterruptedRun()
{
    const auto run = InterruptedRun::pending();
    if (!run || bridge_->running()) return;
    log_->appendLine(tr("the last run was interrupted: %1").arg(run->describe()));
    auto* box = new QMessageBox(QMessageBox::Question, tr("Resume the interrupted run?"),
                                tr("The last run was interrupted before it finished:\n%1\n\n"
                                   "Resume it from its last checkpoint?")
                                    .arg(run->describe()),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("resumeOfferBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    auto* resume = box->addButton(tr("&Resume"), QMessageBox::AcceptRole);
    box->addButton(tr("&Not now"), QMessageBox::RejectRole);
    auto* discard = box->addButton(tr("&Forget it"), QMessageBox::DestructiveRole);
    discard->setToolTip(tr("Do not ask again; the run's files stay where they are."));
    box->setDefaultButton(resume);
    connect(box, &QMessageBox::buttonClicked, this, [this, resume, discard, checkpoint = run->checkpoint](QAbstractButton* button) {
        if (button == resume)
            resumeCheckpoint(checkpoint);
        else if (button == discard)
            InterruptedRun::forget();
    });
    box->open();  // returns at once (no nested event loop): the run and tests go on while it asks
}

void MainWindow::onSnapshot(const csq::Snapshot& snapshot)
{
    if (syncPanelsFromRun_) {
        syncPanelsFromRun_ = false;
        const auto config = bridge_->config();
        runEpochs_ = config.totalEpochs();
        setConfig(config);
        budget_->setLive(true);
    }
    if (rememberRun_) {  // the run has written its files: from now on a crash leaves it resumable
        rememberRun_ = false;
        InterruptedRun::remember(bridge_->runDir());
    }
    store_->addSnapshot(snapshot);
    if (!bridge_->paused() && !bridge_->stopping()) status_->showSnapshot(snapshot, runEpochs_);
    files_->setModelAvailable(true);
}

void MainWindow::onStateChanged()
{
    const bool running = bridge_->running();
    using State = RunControls::State;
    controls_->setState(!running              ? State::Idle
                        : bridge_->stopping() ? State::Stopping
                        : bridge_->paused()   ? State::Paused
                                              : State::Running);
    setup_->setRunning(running);
    budget_->setLive(running && !bridge_->stopping());
    files_->loadCheckpointAction()->setEnabled(!running);
    files_->openConfigAction()->setEnabled(!running);
    if (running && bridge_->stopping())
        status_->showState(tr("stopping…"));
    else if (running && bridge_->paused())
        status_->showState(tr("paused"));
}

void MainWindow::onRunEnded()
{
    const auto dir = bridge_->runDir();
    rememberRun_ = false;
    if (!closing_) InterruptedRun::forget();  // finished, failed or stopped by the user
    status_->showIdle();
    if (!dir.isEmpty()) log_->appendLine(tr("run ended; files in %1").arg(QDir::toNativeSeparators(dir)));
    onConfigEdited();
}

RunComparisonWindow* MainWindow::comparisonWindow()
{
    // Finished runs and sweeps: a window of its own, made on first use.
    auto* window = findChild<RunComparisonWindow*>();
    if (!window) (window = new RunComparisonWindow(this))->setConfigSource([this] { return config(); });
    window->show();
    window->raise();
    return window;
}

void MainWindow::onFinished(const csq::RunSummary& summary)
{
    log_->appendLine(LogPanel::summaryText(summary));
    status_->showMessage(LogPanel::summaryText(summary), 15000);
    // What came out, in one place; one card at a time (the last run's).
    if (auto* old = findChild<RunResultCard*>()) old->close();
    auto* card = new RunResultCard(summary, this);
    card->setAttribute(Qt::WA_DeleteOnClose);
    connect(card, &RunResultCard::compareRequested, this, [this](const QString& dir) {
        if (const auto error = comparisonWindow()->openPaths({dir}); !error.isEmpty()) log_->appendError(error);
    });
    connect(card, &RunResultCard::sweepRequested, this, [this] { comparisonWindow()->showSweepDialog(); });
    card->show();
}

void MainWindow::onFailed(const QString& reason)
{
    log_->appendError(reason);
    // Not modal: the window stays usable (and tests are not blocked by a dialog).
    auto* box = new QMessageBox(QMessageBox::Warning, tr("The run failed"), reason, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::toggleTheme(bool dark)
{
    Theme::apply(dark ? Theme::Mode::Dark : Theme::Mode::Light);
}

void MainWindow::showAbout()
{
    AboutDialog(this).exec();
}

void MainWindow::chooseRunToFollow()
{
    static const auto kLastFollowed = QStringLiteral("followDirectory");
    QSettings settings;
    const auto dir = QFileDialog::getExistingDirectory(this, tr("Follow a run directory"),
                                                       settings.value(kLastFollowed, QDir::currentPath()).toString());
    if (dir.isEmpty()) return;
    settings.setValue(kLastFollowed, dir);
    followRun(dir);
}

FollowWindow* MainWindow::followRun(const QString& directory)
{
    const auto path = QDir::cleanPath(QDir(directory).absolutePath());
    auto* window = [&]() -> FollowWindow* {
        for (auto* open : findChildren<FollowWindow*>())
            if (open->directory() == path) return open;
        auto* made = new FollowWindow(path, this);
        made->setAttribute(Qt::WA_DeleteOnClose);  // closing stops following
        log_->appendLine(tr("following %1 (read-only)").arg(QDir::toNativeSeparators(path)));
        return made;
    }();
    window->show();
    window->raise();
    window->activateWindow();
    return window;
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

bool MainWindow::confirmClose()
{
    QMessageBox box(QMessageBox::Question, tr("Stop the run?"),
                    tr("A run is in progress. Stop it and quit? Its checkpoint, metrics and scheme are saved first, and the next start offers to resume it."),
                    QMessageBox::Yes | QMessageBox::No, this);
    box.setObjectName(QStringLiteral("confirmCloseBox"));
    box.setDefaultButton(QMessageBox::No);
    return box.exec() == QMessageBox::Yes;
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (bridge_->running()) {
        if (!confirmClose()) {
            event->ignore();
            return;
        }
        status_->showState(tr("stopping…"));
        closing_ = true;  // the run stays resumable: the next start offers it
        bridge_->stopAndWait();  // the run saves its files and its thread is joined before we go
    }
    saveSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const QFileInfo info(droppedPath(event->mimeData()));
    if (info.isDir() || info.suffix() == u"json" || info.suffix() == u"pt") event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    if (openPath(droppedPath(event->mimeData()))) event->acceptProposedAction();
}

}  // namespace csq::ui
