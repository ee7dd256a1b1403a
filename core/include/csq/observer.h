#pragma once
// Callbacks from a running session. Called on the training thread: implementations copy what they
// need and return quickly (the GUI queues it to its own thread).
#include <string>

#include "csq/sensitivity.h"
#include "csq/snapshot.h"

namespace csq {

class Observer {
public:
    virtual ~Observer() = default;
    virtual void onSnapshot(const Snapshot&) {}
    virtual void onEpoch(const EpochResult&) {}
    virtual void onLog(const std::string& /*line*/) {}
    // Each layer's sensitivity, measured on request or every sensitivity_every epochs.
    virtual void onSensitivity(const Sensitivity&) {}
    virtual void onFinished(const RunSummary&) {}
    virtual void onFailed(const std::string& /*reason*/) {}
    // The run's last call, however it ended (finished, failed, or stopped with its checkpoint saved):
    // running() is false from here, and wait() returns at once.
    virtual void onEnded() {}
};

}  // namespace csq
