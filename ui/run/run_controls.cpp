#include "run/run_controls.h"

#include <QAction>
#include <QIcon>

namespace csq::ui {

namespace {

QIcon icon(const char* name)
{
    return QIcon(QStringLiteral(":/csq-studio/run-%1.svg").arg(QLatin1String(name)));
}

}  // namespace

RunControls::RunControls(QWidget* parent) : QToolBar(tr("Run"), parent)
{
    setObjectName(QStringLiteral("runToolBar"));  // saveState needs a name
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    start_ = addAction(icon("start"), tr("Start"));
    start_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    pause_ = addAction(icon("pause"), tr("Pause"));
    pause_->setShortcuts({QKeySequence(Qt::Key_Space), QKeySequence(Qt::CTRL | Qt::Key_P)});
    stop_ = addAction(icon("stop"), tr("Stop"));
    stop_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    finalize_ = addAction(icon("finalize"), tr("Finalize now"));
    finalize_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
    for (auto* action : {start_, pause_, stop_, finalize_}) action->setShortcutContext(Qt::WindowShortcut);
    start_->setStatusTip(tr("Start a run with the setup shown"));
    stop_->setStatusTip(tr("Stop after the current batch; checkpoint.pt, metrics.csv and scheme.json are saved"));
    finalize_->setStatusTip(tr("Draw the ticket now: the scheme freezes as it stands and training continues"));
    connect(start_, &QAction::triggered, this, &RunControls::startRequested);
    connect(pause_, &QAction::triggered, this, [this] {
        if (state_ == State::Paused)
            Q_EMIT resumeRequested();
        else if (state_ == State::Running)
            Q_EMIT pauseRequested();
    });
    connect(stop_, &QAction::triggered, this, &RunControls::stopRequested);
    connect(finalize_, &QAction::triggered, this, &RunControls::finalizeRequested);
    update();
}

void RunControls::setState(State state)
{
    state_ = state;
    update();
}

void RunControls::setStartBlocked(const QString& reason)
{
    blocked_ = reason;
    update();
}

void RunControls::update()
{
    const bool live = state_ == State::Running || state_ == State::Paused;
    start_->setEnabled(state_ == State::Idle && blocked_.isEmpty());
    start_->setToolTip(blocked_.isEmpty() ? tr("Start a run (Ctrl+R)") : tr("Fix the setup first: %1").arg(blocked_));
    pause_->setEnabled(live);
    const bool paused = state_ == State::Paused;
    pause_->setText(paused ? tr("Resume") : tr("Pause"));
    pause_->setIcon(icon(paused ? "start" : "pause"));
    pause_->setToolTip(paused ? tr("Resume the run (Space or Ctrl+P)")
                              : tr("Pause at the next batch (Space or Ctrl+P)"));
    stop_->setEnabled(live);
    stop_->setToolTip(tr("Stop the run (Ctrl+.)"));
    finalize_->setEnabled(live);
    finalize_->setToolTip(tr("Freeze the scheme now (Ctrl+F)"));
}

}  // namespace csq::ui
