#pragma once
// Registers the engine's plain value types with Qt's meta-type system, so they travel in queued
// signals; every header whose signals or slots carry them includes this before moc sees them.
#include <QMetaType>

#include "csq/config.h"
#include "csq/sensitivity.h"
#include "csq/snapshot.h"

Q_DECLARE_METATYPE(csq::Snapshot)
Q_DECLARE_METATYPE(csq::EpochResult)
Q_DECLARE_METATYPE(csq::RunSummary)
Q_DECLARE_METATYPE(csq::ConfigPatch)
Q_DECLARE_METATYPE(csq::Sensitivity)
