#pragma once
// The GUI's handle on a training run: owns the csq::Session, receives its Observer callbacks on the
// training thread and re-emits them as queued signals on the GUI thread, so panels never see threads.
#include <atomic>
#include <memory>

#include <QObject>
#include <QString>
#include <QThreadPool>

#include "csq/config.h"
#include "csq/observer.h"
#include "csq/snapshot.h"
#include "run/engine_metatypes.h"

namespace csq {
class Session;
}

namespace csq::ui {

class SessionBridge : public QObject, public csq::Observer {
    Q_OBJECT
public:
    explicit SessionBridge(QObject* parent = nullptr);
    ~SessionBridge() override;  // stops a run, joins its thread and waits for exports: no thread outlives the window

    // Each returns an empty string on success, otherwise the engine's message (also sent to failed()).
    QString start(const csq::TrainingConfig& config);
    QString startFromCheckpoint(const QString& checkpointPath, const QString& runDir = {});
    QString update(const csq::ConfigPatch& patch);

    void pause();
    // Pauses the run right after its next snapshot, on the training thread, so that no batch trains in
    // between: the run holds exactly where that snapshot shows it. Set before start(), the first one.
    void pauseAtNextSnapshot();
    void resume();
    void stop();         // asks the run to stop at the next batch; runEnded() follows
    void stopAndWait();  // stop and join: for closing the window
    void finalize();

    // Where a run without out_dir writes: <app data>/runs/<model>-<date>-<time>, never the working
    // directory (a desktop launch has none worth writing to).
    static QString defaultRunDir(const csq::TrainingConfig& config);

    bool running() const;
    bool paused() const;
    bool stopping() const { return stopRequested_ && running(); }
    csq::TrainingConfig config() const;
    QString runDir() const;

    // Exports of the current state. Wait for the next batch boundary of a running session; return
    // an empty string on success, otherwise the reason.
    QString saveCheckpoint(const QString& path);
    QString exportScheme(const QString& path);
    QString exportQuantized(const QString& path);
    QString exportMetrics(const QString& path);
    // The same off the GUI thread: returns at once, exported() answers (a running session writes at its
    // next batch boundary, seconds away during an evaluation). What the window's menu uses.
    enum class Export { Checkpoint, Scheme, Quantized, Metrics };
    Q_ENUM(Export)
    void exportLater(Export what, const QString& path);

    // Each layer's sensitivity: a running session measures at its next batch boundary; otherwise the
    // model `setup` would start with is measured off the GUI thread (before Start, on its imported
    // weights). sensitivityMeasured or sensitivityFailed answers; a second request meanwhile is ignored.
    void measureSensitivity(const csq::TrainingConfig& setup);
    bool measuringSensitivity() const { return measuring_; }

Q_SIGNALS:
    void snapshotArrived(const csq::Snapshot& snapshot);
    void epochFinished(const csq::EpochResult& result);
    void logLine(const QString& line);
    void finished(const csq::RunSummary& summary);
    void failed(const QString& reason);
    void stateChanged();  // running, paused or stopping changed
    void runEnded();      // the training thread is gone (finished, failed or stopped)
    void exported(csq::ui::SessionBridge::Export what, const QString& path, const QString& failure);
    void sensitivityMeasured(const csq::Sensitivity& sensitivity);
    void sensitivityFailed(const QString& reason);

private:
    // csq::Observer, called on the training thread: copy, queue to the GUI thread, return.
    void onSnapshot(const csq::Snapshot& snapshot) override;
    void onEpoch(const csq::EpochResult& result) override;
    void onLog(const std::string& line) override;
    void onSensitivity(const csq::Sensitivity& sensitivity) override;
    void onFinished(const csq::RunSummary& summary) override;
    void onFailed(const std::string& reason) override;
    void onEnded() override;

    template <class Work>
    QString guarded(Work&& work);
    void began();
    void ended();  // on the GUI thread, once the run's thread has left it

    std::unique_ptr<csq::Session> session_;
    QThreadPool exports_;  // exportLater's writers; waited for before the session goes
    bool wasRunning_ = false;
    bool stopRequested_ = false;
    std::atomic<bool> pauseAtSnapshot_{false};
    std::atomic<bool> measuring_{false};
};

}  // namespace csq::ui
