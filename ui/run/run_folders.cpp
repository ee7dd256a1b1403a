#include "run/run_folders.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>

#include "csq/run_names.h"

namespace csq::ui {

namespace {
const auto kKey = QStringLiteral("runs/root");
}

QString runsRoot()
{
    // GenericDataLocation, not AppLocalDataLocation: the latter is …/<organization>/<application>,
    // which names the app twice ("csq-studio/CSQ Studio").
    const auto fallback = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
                              .filePath(QStringLiteral("csq-studio/runs"));
    return QDir::cleanPath(QSettings().value(kKey, fallback).toString());
}

void setRunsRoot(const QString& folder)
{
    QSettings().setValue(kKey, QDir::cleanPath(folder));
}

QString defaultRunDir(const csq::TrainingConfig& config)
{
    return QDir(runsRoot()).filePath(QString::fromStdString(csq::defaultRunName(config.model)));
}

}  // namespace csq::ui
