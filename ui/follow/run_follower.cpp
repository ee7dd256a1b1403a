#include "follow/run_follower.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "csq/errors.h"
#include "csq/run_directory.h"
#include "compare/run_record.h"

namespace csq::ui {

namespace {

const QString kConfig = QString::fromLatin1(csq::run_files::kConfig);
const QString kMetrics = QString::fromLatin1(csq::run_files::kMetrics);
const QString kScheme = QString::fromLatin1(csq::run_files::kScheme);
const QString kSummary = QString::fromLatin1(csq::run_files::kSummary);

QByteArray readBytes(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw csq::Error(path.toStdString(), "cannot be read: " + file.errorString().toStdString());
    return file.readAll();
}

}  // namespace

RunFollower::RunFollower(const QString& directory, QObject* parent)
    : QObject(parent), directory_(QDir::cleanPath(QDir(directory).absolutePath()))
{
    timer_.setInterval(kDefaultIntervalMs);
    connect(&timer_, &QTimer::timeout, this, &RunFollower::poll);
}

void RunFollower::setInterval(int milliseconds)
{
    timer_.setInterval(std::max(milliseconds, 1));
}

void RunFollower::start()
{
    if (isFinished()) return;
    timer_.start();
    poll();
}

void RunFollower::stop()
{
    timer_.stop();
}

QStringList RunFollower::problems() const
{
    auto lines = problems_.values();
    lines.sort();  // a stable order to show, whatever the hash's
    return lines;
}

QString RunFollower::pathOf(const QString& name) const
{
    return QDir(directory_).filePath(name);
}

bool RunFollower::changedSinceLastRead(const QString& name)
{
    const QFileInfo info(pathOf(name));
    if (!info.isFile()) return false;  // not written yet (or between a delete and a rename): keep what we have
    const Stamp stamp{info.size(), info.lastModified(), info.metadataChangeTime()};
    if (stamps_.value(name) == stamp) return false;
    stamps_.insert(name, stamp);
    return true;
}

void RunFollower::report(const QString& key, const QString& message)
{
    problems_.insert(key, message);
    Q_EMIT error(message);
}

void RunFollower::clearProblem(const QString& key)
{
    problems_.remove(key);
}

bool RunFollower::readReporting(const QString& name, const std::function<void(const QString& path)>& read)
{
    try {
        read(pathOf(name));
        clearProblem(name);
        return true;
    } catch (const std::exception& e) {
        // Reported once per version of the file: it is read again only when it changes.
        report(name,
               tr("%1 (keeping the last good data; read again when it changes)").arg(QString::fromStdString(e.what())));
        return false;
    }
}

void RunFollower::poll()
{
    if (isFinished()) return;
    if (!QFileInfo(directory_).isDir()) {
        if (!problems_.contains(QString()))
            report(QString(), tr("%1: no such folder (yet); following it until it appears")
                                  .arg(QDir::toNativeSeparators(directory_)));
        return;
    }
    clearProblem(QString());
    // summary.json is written last: when it was there before the others were read, they are final.
    const bool ended = QFileInfo(pathOf(kSummary)).isFile();
    // Each read replaces the last good data only once the whole file has parsed.
    if (changedSinceLastRead(kConfig) && readReporting(kConfig, [this](const QString& path) {
            config_ = csq::configFromJson(readBytes(path).toStdString(), path.toStdString());
        }))
        Q_EMIT configChanged(*config_);
    // metrics.csv grows by appended rows: only those are parsed, and told when there are any; a
    // rewritten file is read whole.
    bool grown = false;
    if (changedSinceLastRead(kMetrics) &&
        readReporting(kMetrics,
                      [this, &grown](const QString& path) {
                          const int before = metrics_ ? metrics_->rowCount() : -1;
                          if (!metrics_ || !metrics_->extend(path)) {
                              metrics_ = MetricsCsv::read(path);
                              grown = true;
                          }
                          grown = grown || metrics_->rowCount() != before;
                      }) &&
        grown)
        Q_EMIT metricsChanged(*metrics_);
    if (changedSinceLastRead(kScheme) && readReporting(kScheme, [this](const QString& path) {
            layers_ = csq::schemeLayersFromJson(readBytes(path).toStdString(), path.toStdString());
        }))
        Q_EMIT schemeChanged(layers_);
    if (ended && changedSinceLastRead(kSummary) &&
        readReporting(kSummary, [this](const QString&) { summary_ = csq::readRunResult(directory_.toStdString()); })) {
        timer_.stop();
        Q_EMIT finished();
    }
}

}  // namespace csq::ui
