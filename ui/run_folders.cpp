#include "run_folders.h"

#include <QDateTime>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace csq::ui {

namespace {
const auto kKey = QStringLiteral("runs/root");
}

QString runsRoot()
{
    // GenericDataLocation, not AppLocalDataLocation: the latter is …/<organization>/<application>,
    // which names the app twice ("csq-studio/CSQ Studio").
    const auto fallback =
        QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)).filePath(QStringLiteral("csq-studio/runs"));
    return QDir::cleanPath(QSettings().value(kKey, fallback).toString());
}

void setRunsRoot(const QString& folder)
{
    QSettings().setValue(kKey, QDir::cleanPath(folder));
}

QString defaultRunDir(const csq::TrainingConfig& config)
{
    const auto stamp = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    return QDir(runsRoot()).filePath(QStringLiteral("%1-%2").arg(QString::fromStdString(config.model), stamp));
}

}  // namespace csq::ui
