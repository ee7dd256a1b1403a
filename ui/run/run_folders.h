#pragma once
// Where the app puts runs that have no directory of their own: one well-named folder,
// ~/.local/share/csq-studio/runs by default, changeable in the setup and remembered.
#include <QString>

#include "csq/config.h"

namespace csq::ui {

QString runsRoot();
void setRunsRoot(const QString& folder);
// <runs root>/<model>-<yyyyMMdd-HHmmss>
QString defaultRunDir(const csq::TrainingConfig& config);

}  // namespace csq::ui
