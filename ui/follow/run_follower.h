#pragma once
// Follows a run directory that another process writes (csq-train, rank 0 of a distributed run):
// polls its files' size and times on a timer (QFileSystemWatcher loses files that are replaced by
// rename, which is how the engine writes them), re-reads whichever changed and reports what it read.
// A malformed or half-written file is reported once and skipped: the last good data stays, and the
// file is read again when it next changes. summary.json marks the end: reported, then polling stops.
#include <functional>
#include <optional>
#include <vector>

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include "csq/config.h"
#include "csq/scheme.h"
#include "csq/sweep.h"
#include "run/metrics_csv.h"

namespace csq::ui {

class RunFollower : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultIntervalMs = 1000;

    explicit RunFollower(const QString& directory, QObject* parent = nullptr);

    QString directory() const { return directory_; }
    void setInterval(int milliseconds);
    int interval() const { return timer_.interval(); }
    bool isPolling() const { return timer_.isActive(); }
    bool isFinished() const { return summary_.has_value(); }

    // The last good read of each file (empty until one was read).
    const std::optional<csq::TrainingConfig>& config() const { return config_; }
    const std::optional<MetricsCsv>& metrics() const { return metrics_; }
    const std::vector<csq::LayerScheme>& layers() const { return layers_; }
    const std::optional<csq::RunResult>& summary() const { return summary_; }
    // What is wrong now, one line per file (or the folder), sorted; a file drops out once it reads fine again.
    QStringList problems() const;

public Q_SLOTS:
    // Polls once at once, then every interval() until stop() or the run has finished.
    void start();
    void stop();
    // One poll: re-reads every file that changed since the last one.
    void poll();

Q_SIGNALS:
    void configChanged(const csq::TrainingConfig& config);
    void metricsChanged(const csq::ui::MetricsCsv& metrics);
    void schemeChanged(const std::vector<csq::LayerScheme>& layers);
    // summary.json has been read: the run is over and polling has stopped.
    void finished();
    // A file (or the folder) is missing or malformed; the message names it and says what is wrong.
    void error(const QString& message);

private:
    // A file's size and times as last seen: a rename-over changes the ctime even within one mtime tick.
    struct Stamp {
        qint64 size = -1;
        QDateTime modified, changed;
        bool operator==(const Stamp&) const = default;
    };

    QString pathOf(const QString& name) const;
    // True when `name` exists and differs from when it was last read (and records the new stamp).
    bool changedSinceLastRead(const QString& name);
    // Runs `read` on `name`'s path; a throw becomes the file's reported problem, success clears it.
    bool readReporting(const QString& name, const std::function<void(const QString& path)>& read);
    void report(const QString& key, const QString& message);
    void clearProblem(const QString& key);

    QString directory_;
    QTimer timer_;
    QHash<QString, Stamp> stamps_;
    QHash<QString, QString> problems_;  // by file name ("" for the folder)
    std::optional<csq::TrainingConfig> config_;
    std::optional<MetricsCsv> metrics_;
    std::vector<csq::LayerScheme> layers_;
    std::optional<csq::RunResult> summary_;
};

}  // namespace csq::ui
