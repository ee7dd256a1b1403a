#include "run/session_bridge.h"

#include "csq/errors.h"
#include "csq/session.h"
#include "run/run_folders.h"

namespace csq::ui {

SessionBridge::SessionBridge(QObject* parent) : QObject(parent), session_(std::make_unique<csq::Session>(*this))
{
    qRegisterMetaType<csq::Snapshot>();
    qRegisterMetaType<csq::EpochResult>();
    qRegisterMetaType<csq::RunSummary>();
    qRegisterMetaType<csq::ConfigPatch>();
    qRegisterMetaType<csq::Sensitivity>();
}

SessionBridge::~SessionBridge()
{
    blockSignals(true);  // receivers may be half destroyed already (the window closing)
    stopAndWait();       // an export waiting for a batch boundary is answered as the run ends
    exports_.waitForDone();
}

template <class Work>
QString SessionBridge::guarded(Work&& work)
{
    try {
        work();
        return {};
    } catch (const std::exception& e) {
        return QString::fromStdString(e.what());
    }
}

QString SessionBridge::start(const csq::TrainingConfig& config)
{
    auto error = guarded([&] { session_->start(config); });
    if (error.isEmpty())
        began();
    else
        Q_EMIT failed(error);
    return error;
}

QString SessionBridge::startFromCheckpoint(const QString& checkpointPath, const QString& runDir)
{
    auto error = guarded([&] { session_->startFromCheckpoint(checkpointPath.toStdString(), runDir.toStdString()); });
    if (error.isEmpty())
        began();
    else
        Q_EMIT failed(error);
    return error;
}

void SessionBridge::began()
{
    stopRequested_ = false;
    wasRunning_ = true;
    Q_EMIT stateChanged();
}

QString SessionBridge::update(const csq::ConfigPatch& patch)
{
    return guarded([&] { session_->update(patch); });
}

void SessionBridge::pause()
{
    session_->pause();
    Q_EMIT stateChanged();
}

void SessionBridge::pauseAtNextSnapshot()
{
    pauseAtSnapshot_ = true;
}

void SessionBridge::resume()
{
    session_->resume();
    Q_EMIT stateChanged();
}

void SessionBridge::stop()
{
    if (!running()) return;
    stopRequested_ = true;
    session_->stop();    // first: a paused run woken below must not train another batch
    session_->resume();  // a paused run wakes at its batch boundary and sees the stop
    Q_EMIT stateChanged();
}

void SessionBridge::stopAndWait()
{
    stop();
    session_->wait();
    ended();
}

void SessionBridge::finalize()
{
    session_->finalizeNow();
}

QString SessionBridge::defaultRunDir(const csq::TrainingConfig& config)
{
    return ui::defaultRunDir(config);
}

bool SessionBridge::running() const
{
    return session_->running();
}

bool SessionBridge::paused() const
{
    return session_->paused();
}

csq::TrainingConfig SessionBridge::config() const
{
    return session_->config();
}

QString SessionBridge::runDir() const
{
    return QString::fromStdString(session_->runDir());
}

QString SessionBridge::saveCheckpoint(const QString& path)
{
    return guarded([&] { session_->saveCheckpoint(path.toStdString()); });
}

QString SessionBridge::exportScheme(const QString& path)
{
    return guarded([&] { session_->exportScheme(path.toStdString()); });
}

QString SessionBridge::exportQuantized(const QString& path)
{
    return guarded([&] { session_->exportQuantized(path.toStdString()); });
}

QString SessionBridge::exportMetrics(const QString& path)
{
    return guarded([&] { session_->exportMetrics(path.toStdString()); });
}

void SessionBridge::exportLater(Export what, const QString& path)
{
    exports_.start([this, what, path] {
        const auto failure = what == Export::Checkpoint  ? saveCheckpoint(path)
                             : what == Export::Scheme    ? exportScheme(path)
                             : what == Export::Quantized ? exportQuantized(path)
                                                         : exportMetrics(path);
        QMetaObject::invokeMethod(
            this, [this, what, path, failure] { Q_EMIT exported(what, path, failure); }, Qt::QueuedConnection);
    });
}

void SessionBridge::measureSensitivity(const csq::TrainingConfig& setup)
{
    if (measuring_.exchange(true)) return;
    if (running()) {
        try {
            session_->measureSensitivity();  // answered by onSensitivity, or its log line on failure
            return;
        } catch (const std::exception& e) {
            measuring_ = false;
            Q_EMIT sensitivityFailed(QString::fromUtf8(e.what()));
            return;
        }
    }
    exports_.start([this, setup] {
        try {
            const auto measured = csq::measureSensitivity(setup);
            QMetaObject::invokeMethod(
                this, [this, measured] { onSensitivity(measured); }, Qt::QueuedConnection);
        } catch (const std::exception& e) {
            const auto reason = QString::fromUtf8(e.what());
            QMetaObject::invokeMethod(
                this,
                [this, reason] {
                    measuring_ = false;
                    Q_EMIT sensitivityFailed(reason);
                },
                Qt::QueuedConnection);
        }
    });
}

// Told by onEnded (queued) or after stopAndWait; a run started since, or an end already handled, leaves
// it without effect.
void SessionBridge::ended()
{
    if (running() || !wasRunning_) return;
    session_->wait();  // the thread has left the run; join it so none is left behind
    wasRunning_ = false;
    stopRequested_ = false;
    measuring_ = false;  // a request the run ended before (or failed, as its log said)
    Q_EMIT stateChanged();
    Q_EMIT runEnded();
}

// --- training thread: the lambdas carry copies; `this` as context drops them if the bridge is gone.

void SessionBridge::onSnapshot(const csq::Snapshot& snapshot)
{
    const bool pausedHere = pauseAtSnapshot_.exchange(false);
    if (pausedHere) session_->pause();  // before the trainer reaches its next batch
    QMetaObject::invokeMethod(
        this,
        [this, snapshot, pausedHere] {
            Q_EMIT snapshotArrived(snapshot);
            if (pausedHere) Q_EMIT stateChanged();
        },
        Qt::QueuedConnection);
}

void SessionBridge::onEpoch(const csq::EpochResult& result)
{
    QMetaObject::invokeMethod(
        this, [this, result] { Q_EMIT epochFinished(result); }, Qt::QueuedConnection);
}

void SessionBridge::onLog(const std::string& line)
{
    const auto text = QString::fromStdString(line);
    QMetaObject::invokeMethod(
        this, [this, text] { Q_EMIT logLine(text); }, Qt::QueuedConnection);
}

void SessionBridge::onSensitivity(const csq::Sensitivity& sensitivity)
{
    QMetaObject::invokeMethod(
        this,
        [this, sensitivity] {
            measuring_ = false;
            Q_EMIT sensitivityMeasured(sensitivity);
        },
        Qt::QueuedConnection);
}

void SessionBridge::onFinished(const csq::RunSummary& summary)
{
    QMetaObject::invokeMethod(
        this, [this, summary] { Q_EMIT finished(summary); }, Qt::QueuedConnection);
}

void SessionBridge::onEnded()
{
    QMetaObject::invokeMethod(
        this, [this] { ended(); }, Qt::QueuedConnection);
}

void SessionBridge::onFailed(const std::string& reason)
{
    const auto text = QString::fromStdString(reason);
    QMetaObject::invokeMethod(
        this, [this, text] { Q_EMIT failed(text); }, Qt::QueuedConnection);
}

}  // namespace csq::ui
