#include "window/main_window.h"

// What the window does with a run: start, resume, follow, the live updates and how a run ends. Its
// layout and remembered settings are in main_window_layout.cpp.

#include <QAction>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>

#include "window/about_dialog.h"
#include "plots/beta_schedule_view.h"
#include "setup/budget_panel.h"
#include "csq/errors.h"
#include "csq/planned_start.h"
#include "csq/torch_file.h"
#include "csq/version.h"
#include "setup/dataset_inspector.h"
#include "window/file_actions.h"
#include "follow/follow_window.h"
#include "run/interrupted_run.h"
#include "plots/gate_heatmap_view.h"
#include "plots/sensitivity_view.h"
#include "run/log_panel.h"
#include "run/metrics_store.h"
#include "compare/run_comparison_window.h"
#include "run/run_controls.h"
#include "run/run_result_card.h"
#include "run/run_status_bar.h"
#include "run/session_bridge.h"
#include "setup/setup_panel.h"
#include "window/theme.h"

// Resources compiled into the static csqui must be registered by hand; Q_INIT_RESOURCE wants the
// global namespace.
static void initResources()
{
    Q_INIT_RESOURCE(csq_studio);
}

namespace csq::ui {

namespace {

// The heatmap's rows before Start: none while the setup is invalid or its data or model cannot be read
// (the setup panel says why), and why the model file cannot take the data, when that is the reason.
struct Planned {
    std::optional<csq::Snapshot> snapshot;
    QString modelIssue;
};
Planned plannedStartOf(const csq::TrainingConfig& config, bool invalid)
{
    if (invalid) return {};
    try {
        return {csq::plannedStart(config), {}};
    } catch (const csq::Error& e) {
        if (config.modelSpec.empty() || e.where() != config.modelSpec) return {};
        return {std::nullopt, QString::fromStdString(std::string(e.what()).substr(e.where().size() + 2))};
    } catch (const std::exception&) {
        return {};
    }
}

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
    closing_ = true;         // like closing mid-run: the run stays resumable
    bridge_->stopAndWait();  // also done by the bridge; here it happens while every panel still exists
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
    connect(bridge_, &SessionBridge::sensitivityMeasured, this, [this](const csq::Sensitivity& measured) {
        store_->setSensitivity(measured);
        measureSensitivity_->setEnabled(true);
        status_->showMessage(tr("Sensitivity measured at epoch %1").arg(measured.epoch, 0, 'f', 2), 6000);
    });
    connect(bridge_, &SessionBridge::sensitivityFailed, this, [this](const QString& reason) {
        measureSensitivity_->setEnabled(true);
        log_->appendError(tr("Sensitivity not measured: %1").arg(reason));
        status_->showMessage(reason, 10000);
    });
    connect(bridge_, &SessionBridge::runEnded, this, [this] { measureSensitivity_->setEnabled(true); });
}

void MainWindow::measureSensitivity()
{
    measureSensitivity_->setEnabled(false);
    tabs_->setCurrentWidget(sensitivity_);
    status_->showMessage(bridge_->running() ? tr("Measuring sensitivity at the next batch…")
                                            : tr("Measuring the setup's model before Start…"));
    bridge_->measureSensitivity(config());
}

void MainWindow::setConfig(const csq::TrainingConfig& config)
{
    edited_ = config;  // a loaded schedule is taken as it is, not rescaled
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
    if (!bridge_->running()) {
        // A new length with the default schedule: the schedule follows it (as csq-train --epochs does);
        // a schedule set by hand stays as set.
        if (current.epochs != edited_.epochs && csq::followsDefaultSchedule(edited_)) {
            csq::scaleScheduleTo(current, current.epochs);
            setup_->setConfig(current);
            status_->showMessage(
                tr("%n epoch(s) with the default schedule: float warm-up %1, ticket at %2, %3 finetune epoch(s)",
                   nullptr, current.epochs)
                    .arg(current.floatEpochs)
                    .arg(current.ticketEpoch)
                    .arg(current.finetuneEpochs),
                8000);
        }
        budget_->setConfig(current);  // ranges follow max bits and epochs
    }
    current = config();
    edited_ = current;
    const auto issues = csq::validate(current);
    setup_->showIssues(issues);
    budget_->showIssues(issues);
    controls_->setStartBlocked(
        issues.empty() ? QString() : QString::fromStdString(issues.front().field + ": " + issues.front().message));
    beta_->setPlan(BetaPlan::of(current));
    if (!bridge_->running()) {
        const auto planned = plannedStartOf(current, !issues.empty());
        store_->setPlannedStart(planned.snapshot);
        inspector_->setModelFit(planned.modelIssue);
        if (!planned.modelIssue.isEmpty()) {
            auto withModel = issues;
            withModel.push_back({"model_spec", planned.modelIssue.toStdString()});
            setup_->showIssues(withModel);
            controls_->setStartBlocked(QStringLiteral("model_spec: ") + planned.modelIssue);
        }
    }
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
                         .arg(config.modelSpec.empty() ? QString::fromStdString(config.model)
                                                       : QFileInfo(QString::fromStdString(config.modelSpec)).fileName(),
                              QString::fromStdString(config.data),
                              QDir::toNativeSeparators(QString::fromStdString(config.outDir))));
    if (!bridge_->start(config).isEmpty()) return false;
    status_->showState(tr("loading…"));
    // Replaces the Start button's status tip, which would otherwise stay while the run trains.
    status_->showMessage(tr("run started → %1").arg(QDir::toNativeSeparators(QString::fromStdString(config.outDir))),
                         8000);
    return true;
}

void MainWindow::resumeCheckpoint(const QString& path)
{
    if (bridge_->running()) {
        log_->appendError(tr("a run is in progress: stop it before resuming %1").arg(path));
        return;
    }
    store_->setPlannedStart(std::nullopt);  // the checkpoint's own setup may differ from the panels'
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
    if (!info.isFile()) return false;
    // A .pt is a checkpoint (resume it) or a TorchScript model (train it), whatever its name says.
    switch (csq::torchFileKind(path.toStdString())) {
        case csq::TorchFileKind::Checkpoint:
            files_->openCheckpoint(path);
            return true;
        case csq::TorchFileKind::TorchScriptModel: {
            if (bridge_->running()) {
                log_->appendError(tr("a run is in progress: stop it before opening the model %1").arg(path));
                return false;
            }
            auto config = this->config();
            config.modelSpec = info.absoluteFilePath().toStdString();
            setConfig(config);
            log_->appendLine(tr("model: %1").arg(QDir::toNativeSeparators(info.absoluteFilePath())));
            return true;
        }
        case csq::TorchFileKind::Other:
            break;
    }
    if (info.suffix().compare(u"pt", Qt::CaseInsensitive) == 0 ||
        info.suffix().compare(u"pth", Qt::CaseInsensitive) == 0)
        log_->appendError(tr("%1 is neither a checkpoint nor a TorchScript model (save one with "
                             "torch.jit.script(model).save(path))")
                              .arg(QDir::toNativeSeparators(path)));
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
    connect(box, &QMessageBox::buttonClicked, this,
            [this, resume, discard, checkpoint = run->checkpoint](QAbstractButton* button) {
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

bool MainWindow::confirmClose()
{
    QMessageBox box(QMessageBox::Question, tr("Stop the run?"),
                    tr("A run is in progress. Stop it and quit? Its checkpoint, metrics and scheme are saved first, "
                       "and the next start offers to resume it."),
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
        closing_ = true;         // the run stays resumable: the next start offers it
        bridge_->stopAndWait();  // the run saves its files and its thread is joined before we go
    }
    saveSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const QFileInfo info(droppedPath(event->mimeData()));
    if (info.isDir() || info.suffix() == u"json" || info.suffix() == u"pt" || info.suffix() == u"pth")
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    if (openPath(droppedPath(event->mimeData()))) event->acceptProposedAction();
}

}  // namespace csq::ui
