#pragma once
// Default names of run and sweep folders: one rule for the trainer, csq-train and the GUI.
// Torch-free.
#include <string>

namespace csq {

// "<model>-<YYYYMMDD-HHMMSS>", local time now: a run's folder under the runs folder.
std::string defaultRunName(const std::string& model);
// "sweep-<model>-<YYYYMMDD-HHMMSS>": a sweep's folder (its runs inside) started from the GUI.
std::string defaultSweepName(const std::string& model);

}  // namespace csq
