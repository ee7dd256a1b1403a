#pragma once
// What a run of this config looks like before its first step, so the GUI can show the scheme's rows as
// soon as a setup is valid: the quantized layers (names, sizes, max bits; layers held as the run holds
// them) with their initial mask gates at beta0. Built by the same code that builds the run's model, for
// the dataset's shape read cheaply (file headers, not images).
#include "csq/config.h"
#include "csq/snapshot.h"

namespace csq {

// The run's state at t = 0: step 0, no losses yet. Throws csq::Error when the config is invalid or the
// dataset or model spec cannot be read; the message names which.
Snapshot plannedStart(const TrainingConfig& config);

}  // namespace csq
