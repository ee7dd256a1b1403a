#include "compare/sweep_dialog.h"

#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QTime>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "csq/enum_names.h"
#include "csq/run_names.h"
#include "csq/run_directory.h"
#include "run/run_folders.h"

namespace csq::ui {

namespace {

enum Column { RunColumn, KindColumn, BitsColumn, StateColumn, DetailColumn };

// Beside the runs, in the runs folder the setup shows.
QString defaultDirectory(const csq::TrainingConfig& config)
{
    return QDir(runsRoot()).filePath(QString::fromStdString(csq::defaultSweepName(config.model)));
}

void showIssue(QLabel* label, const QString& text)
{
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

}  // namespace

SweepDialog::SweepDialog(QWidget* parent) : QDialog(parent)
{
    pool_.setMaxThreadCount(1);
    setWindowTitle(tr("Run sweep"));
    setModal(false);
    auto* form = buildPlanForm();
    buildProgressViews();
    auto* buttons = buildButtons();
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(runs_, 1);
    layout->addWidget(progress_);
    layout->addWidget(log_, 2);
    layout->addLayout(buttons);

    for (auto* edit : {budgets_, uniform_, seeds_, directory_})
        connect(edit, &QLineEdit::textChanged, this, &SweepDialog::checkFields);
    connect(parallel_, &QSpinBox::valueChanged, this, &SweepDialog::checkFields);
    directory_->setText(defaultDirectory(csq::TrainingConfig{}));
    resize(720, 640);
}

// What the sweep runs: the base config, budgets, uniform baselines, seeds, folder and runs side by side,
// each with its issue line under it.
QFormLayout* SweepDialog::buildPlanForm()
{
    auto* form = new QFormLayout;
    base_ = new QLabel(this);
    base_->setWordWrap(true);
    base_->setToolTip(tr("Every run of the sweep uses the current setup; only the budget differs."));
    form->addRow(tr("Base config:"), base_);

    budgets_ = new QLineEdit(QStringLiteral("1.5,2,3,4"), this);
    budgets_->setPlaceholderText(QStringLiteral("1.5,2,3,4"));
    budgets_->setToolTip(
        tr("Mixed-precision targets in bits (the budget mode of the setup), comma-separated: one run each."));
    budgetsIssue_ = issueLabel();
    form->addRow(tr("&Budgets (bits):"), budgets_);
    form->addRow(QString(), budgetsIssue_);

    uniform_ = new QLineEdit(QStringLiteral("2,3,4"), this);
    uniform_->setPlaceholderText(tr("none"));
    uniform_->setToolTip(tr("Uniform baselines: every layer held at this many bits, no search; empty for none."));
    uniformIssue_ = issueLabel();
    form->addRow(tr("&Uniform baselines (bits):"), uniform_);
    form->addRow(QString(), uniformIssue_);

    seeds_ = new QLineEdit(this);
    seeds_->setPlaceholderText(tr("the setup's seed"));
    seeds_->setToolTip(
        tr("Seeds, comma-separated (e.g. 1,2,3): each point runs once per seed in <point>/seed-<k>, "
           "and the comparison draws its mean with a bar of one standard deviation. Empty: one run "
           "per point with the setup's seed."));
    seedsIssue_ = issueLabel();
    form->addRow(tr("S&eeds:"), seeds_);
    form->addRow(QString(), seedsIssue_);

    directory_ = new QLineEdit(this);
    directory_->setToolTip(
        tr("One run folder per run goes here, with sweep.json and results.csv. Starting the same sweep again "
           "skips finished runs and resumes stopped ones from their checkpoints."));
    auto* browse = new QToolButton(this);
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose the sweep folder"));
    connect(browse, &QToolButton::clicked, this, &SweepDialog::chooseDirectory);
    auto* directoryRow = new QHBoxLayout;
    directoryRow->addWidget(directory_, 1);
    directoryRow->addWidget(browse);
    directoryIssue_ = issueLabel();
    auto* directoryLabel = new QLabel(tr("Sweep &folder:"), this);
    directoryLabel->setBuddy(directory_);
    form->addRow(directoryLabel, directoryRow);
    form->addRow(QString(), directoryIssue_);

    parallel_ = new QSpinBox(this);
    parallel_->setRange(1, std::max(1, QThread::idealThreadCount()));
    parallel_->setToolTip(tr("Runs trained side by side; each gets an equal share of the setup's threads."));
    form->addRow(tr("Runs side by &side:"), parallel_);
    planIssue_ = issueLabel();
    form->addRow(QString(), planIssue_);
    return form;
}

// How it goes: one row per run with its state and last message, a progress bar and the log.
void SweepDialog::buildProgressViews()
{
    runs_ = new QTreeWidget(this);
    runs_->setHeaderLabels({tr("Run"), tr("Kind"), tr("Bits"), tr("State"), tr("Last message")});
    runs_->setRootIsDecorated(false);
    runs_->setMinimumHeight(110);
    runs_->header()->setStretchLastSection(true);
    progress_ = new QProgressBar(this);
    progress_->setFormat(tr("%v of %m runs done"));
    progress_->setRange(0, 1);
    progress_->setValue(0);
    progress_->setVisible(false);  // until a sweep starts
    log_ = new QPlainTextEdit(this);
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);
    log_->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    log_->setMinimumHeight(140);
}

QHBoxLayout* SweepDialog::buildButtons()
{
    startButton_ = new QPushButton(tr("&Start"), this);
    startButton_->setDefault(true);
    stopButton_ = new QPushButton(tr("S&top"), this);
    stopButton_->setToolTip(
        tr("Stop after each running run saved its checkpoint; start the same sweep again to resume."));
    closeButton_ = new QPushButton(tr("&Close"), this);
    connect(startButton_, &QPushButton::clicked, this, &SweepDialog::start);
    connect(stopButton_, &QPushButton::clicked, this, &SweepDialog::requestStop);
    connect(closeButton_, &QPushButton::clicked, this, &SweepDialog::reject);
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(startButton_);
    buttons->addWidget(stopButton_);
    buttons->addWidget(closeButton_);
    return buttons;
}

SweepDialog::~SweepDialog()
{
    stopAndWait();
}

QLabel* SweepDialog::issueLabel()
{
    auto* label = new QLabel(this);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #d32f2f;"));
    label->setVisible(false);
    return label;
}

void SweepDialog::setConfigSource(std::function<csq::TrainingConfig()> source)
{
    configSource_ = std::move(source);
    if (configSource_) directory_->setText(defaultDirectory(configSource_()));
    checkFields();
}

QString SweepDialog::budgetsError() const
{
    return budgetsIssue_->text();
}

QString SweepDialog::uniformError() const
{
    return uniformIssue_->text();
}

QString SweepDialog::directoryError() const
{
    return directoryIssue_->text();
}

QString SweepDialog::planError() const
{
    return planIssue_->text();
}

std::optional<csq::SweepPlan> SweepDialog::plan()
{
    csq::SweepPlan plan;
    plan.base = configSource_ ? configSource_() : csq::TrainingConfig{};
    bool ok = true;
    QString budgetsIssue, uniformIssue, directoryIssue, planIssue;
    if (!budgets_->text().trimmed().isEmpty()) {
        try {
            plan.budgets = csq::parseNumberList(budgets_->text().remove(u' ').toStdString(), "budgets");
        } catch (const std::exception& e) {
            budgetsIssue = QString::fromStdString(e.what());
        }
    }
    if (!uniform_->text().trimmed().isEmpty()) {
        try {
            plan.uniformBits = csq::parseUniformBits(uniform_->text().remove(u' ').toStdString(), "uniform bits");
        } catch (const std::exception& e) {
            uniformIssue = QString::fromStdString(e.what());
        }
    }
    QString seedsIssue;
    if (!seeds_->text().trimmed().isEmpty()) {
        try {
            plan.seeds = csq::parseSeedList(seeds_->text().remove(u' ').toStdString(), "seeds");
        } catch (const std::exception& e) {
            seedsIssue = QString::fromStdString(e.what());
        }
    }
    if (budgetsIssue.isEmpty() && uniformIssue.isEmpty() && plan.budgets.empty() && plan.uniformBits.empty())
        budgetsIssue = tr("budgets: give at least one budget or one uniform baseline, e.g. 1.5,2,3,4");
    plan.directory = QDir::cleanPath(directory_->text().trimmed()).toStdString();
    if (directory_->text().trimmed().isEmpty())
        directoryIssue = tr("choose a folder for the sweep's runs");
    else if (QFileInfo(directory_->text().trimmed()).exists() && !QFileInfo(directory_->text().trimmed()).isDir())
        directoryIssue = tr("%1 is a file, not a folder").arg(directory_->text().trimmed());
    plan.parallel = parallel_->value();
    ok = budgetsIssue.isEmpty() && uniformIssue.isEmpty() && seedsIssue.isEmpty() && directoryIssue.isEmpty();
    if (ok) {
        try {
            for (const auto& run : plan.runs()) plan.configFor(run);  // the engine's own check of every run
        } catch (const std::exception& e) {
            planIssue = QString::fromStdString(e.what());
            ok = false;
        }
    }
    showIssue(budgetsIssue_, budgetsIssue);
    showIssue(uniformIssue_, uniformIssue);
    showIssue(seedsIssue_, seedsIssue);
    showIssue(directoryIssue_, directoryIssue);
    showIssue(planIssue_, planIssue);
    const auto& b = plan.base;
    base_->setText(tr("%1 on %2 · %3 epochs (%4 float, ticket at %5, +%6 finetune) · max %7 bits · %8 budget · lr %9")
                       .arg(QString::fromStdString(b.modelSpec.empty() ? b.model : b.modelSpec),
                            QDir::toNativeSeparators(QString::fromStdString(b.data)))
                       .arg(b.epochs)
                       .arg(b.floatEpochs)
                       .arg(b.ticketEpoch)
                       .arg(b.finetuneEpochs)
                       .arg(b.maxBits)
                       .arg(QString::fromStdString(csq::toString(b.budgetMode)))
                       .arg(b.lr));
    if (!ok) return std::nullopt;
    return plan;
}

void SweepDialog::checkFields()
{
    if (running_) return;
    valid_ = plan().has_value();
    updateButtons();
}

void SweepDialog::updateButtons()
{
    startButton_->setEnabled(valid_ && !running_);
    startButton_->setText(running_ ? tr("Running…") : tr("&Start"));
    stopButton_->setEnabled(running_ && !stop_.load());
    for (QWidget* w : std::initializer_list<QWidget*>{budgets_, uniform_, directory_, parallel_})
        w->setEnabled(!running_);
}

void SweepDialog::showEvent(QShowEvent* event)
{
    QDialog::showEvent(event);
    checkFields();  // the setup may have changed since the dialog was last shown
}

void SweepDialog::chooseDirectory()
{
    const auto dir = QFileDialog::getExistingDirectory(this, tr("Sweep folder"), directory_->text());
    if (!dir.isEmpty()) directory_->setText(QDir::toNativeSeparators(dir));
}

void SweepDialog::fillRuns(const csq::SweepPlan& plan)
{
    runs_->clear();
    const QDir root(QString::fromStdString(plan.directory));
    int done = 0;
    for (const auto& run : plan.runs()) {
        const auto name = QString::fromStdString(run.name);
        auto* item = new QTreeWidgetItem(runs_);
        item->setText(RunColumn, name);
        item->setText(KindColumn, run.uniform ? tr("uniform") : tr("mixed"));
        item->setText(BitsColumn, QString::number(run.targetBits));
        const QDir dir(root.filePath(name));
        if (dir.exists(QString::fromLatin1(csq::run_files::kSummary))) {
            item->setText(StateColumn, tr("done"));
            item->setText(DetailColumn, tr("finished earlier"));
            ++done;
        } else {
            item->setText(StateColumn, tr("waiting"));
            if (dir.exists(QString::fromLatin1(csq::run_files::kCheckpoint)))
                item->setText(DetailColumn, tr("resumes from its checkpoint"));
        }
    }
    progress_->setRange(0, std::max(1, runs_->topLevelItemCount()));
    progress_->setVisible(true);
    progress_->setValue(done);
    for (int c = RunColumn; c < DetailColumn; ++c) runs_->resizeColumnToContents(c);
}

bool SweepDialog::start()
{
    if (running_ || sweep_.isRunning()) return false;
    auto plan = this->plan();
    valid_ = plan.has_value();
    if (!plan) {
        updateButtons();
        return false;
    }
    fillRuns(*plan);
    stop_ = false;
    running_ = true;
    closeWhenDone_ = false;
    runningDirectory_ = QString::fromStdString(plan->directory);
    appendLog(tr("sweep started: %n run(s) in %1", nullptr, static_cast<int>(plan->runs().size()))
                  .arg(QDir::toNativeSeparators(runningDirectory_)));
    updateButtons();
    sweep_ = QtConcurrent::run(&pool_, [this, plan = std::move(*plan)] {
        csq::SweepProgress progress;
        // From the sweep's worker threads: queued to the dialog's thread (dropped if the dialog is gone,
        // which cannot happen before the destructor has waited for this task).
        progress.log = [this, tap = lineTap_](const std::string& run, const std::string& line) {
            const auto r = QString::fromStdString(run), l = QString::fromStdString(line);
            QMetaObject::invokeMethod(
                this, [this, r, l] { onLog(r, l); }, Qt::QueuedConnection);
            if (tap) tap(r, l);
        };
        progress.state = [this](const std::string& run, csq::SweepRunState state, const std::string& detail) {
            const auto r = QString::fromStdString(run), d = QString::fromStdString(detail);
            QMetaObject::invokeMethod(
                this, [this, r, state, d] { onState(r, state, d); }, Qt::QueuedConnection);
        };
        QString error;
        int finished = 0;
        try {
            finished = static_cast<int>(csq::runSweep(plan, progress, &stop_).size());
        } catch (const std::exception& e) {
            error = QString::fromStdString(e.what());
        }
        QMetaObject::invokeMethod(
            this, [this, error, finished] { onEnded(error, finished); }, Qt::QueuedConnection);
    });
    return true;
}

void SweepDialog::requestStop()
{
    if (!running_ || stop_.load()) return;
    stop_ = true;
    appendLog(tr("stopping: each running run saves its checkpoint first; start the same sweep again to resume"));
    updateButtons();
}

void SweepDialog::stopAndWait()
{
    stop_ = true;
    pool_.waitForDone();  // the task, then its thread: none is left behind
}

QString SweepDialog::runState(const QString& run) const
{
    const auto items = runs_->findItems(run, Qt::MatchExactly, RunColumn);
    return items.isEmpty() ? QString() : items.first()->text(StateColumn);
}

QString SweepDialog::logText() const
{
    return log_->toPlainText();
}

void SweepDialog::setRunState(const QString& run, const QString& state, const QString& detail)
{
    const auto items = runs_->findItems(run, Qt::MatchExactly, RunColumn);
    if (items.isEmpty()) return;
    items.first()->setText(StateColumn, state);
    if (!detail.isEmpty()) items.first()->setText(DetailColumn, detail);
    int done = 0;
    for (int i = 0; i < runs_->topLevelItemCount(); ++i)
        done += runs_->topLevelItem(i)->text(StateColumn) == tr("done");
    progress_->setValue(done);
}

void SweepDialog::onLog(const QString& run, const QString& line)
{
    appendLog(QStringLiteral("[%1] %2").arg(run, line));
    if (runState(run) == tr("running")) setRunState(run, tr("running"), line);  // its latest line
}

void SweepDialog::onState(const QString& run, csq::SweepRunState state, const QString& detail)
{
    switch (state) {
        case csq::SweepRunState::Running:
            setRunState(run, tr("running"), detail);
            break;
        case csq::SweepRunState::Done:
            setRunState(run, tr("done"), detail);
            break;
        case csq::SweepRunState::Failed:
            setRunState(run, tr("failed"), detail);
            break;
    }
}

void SweepDialog::onEnded(const QString& error, int finished)
{
    pool_.waitForDone();  // its last act was to post this; its thread goes too
    running_ = false;
    const bool stopped = stop_.load();
    for (int i = 0; i < runs_->topLevelItemCount(); ++i) {
        auto* item = runs_->topLevelItem(i);
        if (item->text(StateColumn) == tr("running"))
            item->setText(StateColumn, stopped ? tr("stopped") : tr("failed"));
        if (stopped && item->text(StateColumn) == tr("stopped"))
            item->setText(DetailColumn, tr("resumes from its checkpoint"));
    }
    if (!error.isEmpty())
        appendLog(tr("sweep failed: %1").arg(error));
    else
        appendLog(tr("sweep %1: %n finished point(s) in %2", nullptr, finished)
                      .arg(stopped ? tr("stopped") : tr("ended"), QDir::toNativeSeparators(runningDirectory_)));
    stop_ = false;
    updateButtons();
    checkFields();
    Q_EMIT sweepEnded(runningDirectory_, error);
    if (closeWhenDone_) QDialog::reject();
}

void SweepDialog::appendLog(const QString& line)
{
    log_->appendPlainText(
        QStringLiteral("%1  %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), line));
}

void SweepDialog::reject()
{
    // Esc, Close and the window's close button (QDialog::closeEvent comes here): a running sweep is
    // stopped first, and the dialog closes once its thread has ended.
    if (running_) {
        closeWhenDone_ = true;
        requestStop();
        appendLog(tr("the window closes when the sweep has stopped"));
        return;
    }
    QDialog::reject();
}

void SweepDialog::closeEvent(QCloseEvent* event)
{
    QDialog::closeEvent(event);  // calls reject()
    if (running_) event->ignore();
}

}  // namespace csq::ui
