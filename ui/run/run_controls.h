#pragma once
// The run's tool bar: Start, Pause/Resume, Stop and Finalize now, with their shortcuts; which are
// enabled follows the session's state so no action can be asked of a run that cannot take it.
#include <QToolBar>

class QAction;

namespace csq::ui {

class RunControls : public QToolBar {
    Q_OBJECT
public:
    enum class State { Idle, Running, Paused, Stopping };

    explicit RunControls(QWidget* parent = nullptr);

    void setState(State state);
    State state() const { return state_; }
    // Start stays off while the setup has problems; the reason goes to its tooltip.
    void setStartBlocked(const QString& reason);

    QAction* startAction() const { return start_; }
    QAction* pauseAction() const { return pause_; }
    QAction* stopAction() const { return stop_; }
    QAction* finalizeAction() const { return finalize_; }

Q_SIGNALS:
    void startRequested();
    void pauseRequested();
    void resumeRequested();
    void stopRequested();
    void finalizeRequested();

private:
    void update();

    QAction* start_;
    QAction* pause_;
    QAction* stop_;
    QAction* finalize_;
    State state_ = State::Idle;
    QString blocked_;
};

}  // namespace csq::ui
