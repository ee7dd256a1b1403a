#include "run/interrupted_run.h"

#include <QDir>
#include <QFile>
#include <QSettings>

#include "csq/config.h"
#include "csq/run_directory.h"
#include "run/metrics_csv.h"

namespace csq::ui {

namespace {

const QString kKey = QStringLiteral("interruptedRun");

}  // namespace

void InterruptedRun::remember(const QString& runDir)
{
    QSettings().setValue(kKey, QDir(runDir).absolutePath());
}

void InterruptedRun::forget()
{
    QSettings().remove(kKey);
}

std::optional<InterruptedRun> InterruptedRun::pending()
{
    const auto dir = QSettings().value(kKey).toString();
    if (dir.isEmpty()) return std::nullopt;
    const QDir run(dir);
    if (!run.exists(QString::fromLatin1(csq::run_files::kCheckpoint)) ||
        run.exists(QString::fromLatin1(csq::run_files::kSummary))) {
        forget();  // finished after all, or its files are gone: nothing to offer
        return std::nullopt;
    }
    InterruptedRun found;
    found.runDir = dir;
    found.checkpoint = run.filePath(QString::fromLatin1(csq::run_files::kCheckpoint));
    // What the offer says is a courtesy: unreadable files leave it vaguer, never stop the offer.
    QFile configFile(run.filePath(QString::fromLatin1(csq::run_files::kConfig)));
    if (configFile.open(QIODevice::ReadOnly)) {
        try {
            const auto config = csq::configFromJson(configFile.readAll().toStdString(), csq::run_files::kConfig);
            found.model = QString::fromStdString(config.model);
            found.epochsTotal = config.totalEpochs();
        } catch (const std::exception&) {
        }
    }
    try {
        found.epochsDone = MetricsCsv::read(run.filePath(QString::fromLatin1(csq::run_files::kMetrics)))
                               .rowCount(MetricsCsv::Kind::Epoch);
    } catch (const std::exception&) {
    }
    return found;
}

QString InterruptedRun::describe() const
{
    const auto where = QDir::toNativeSeparators(runDir);
    const auto what = model.isEmpty() ? QObject::tr("a run") : model;
    if (epochsTotal <= 0) return QObject::tr("%1 in %2").arg(what, where);
    return QObject::tr("%1, %2 of %3 epochs done, in %4").arg(what).arg(epochsDone).arg(epochsTotal).arg(where);
}

}  // namespace csq::ui
