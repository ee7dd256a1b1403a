#pragma once
// A training session: one run on its own thread, driven from any thread (the GUI, csq-train's
// signal handler, tests). Every call is thread-safe; live changes land at the next batch boundary.
#include <atomic>
#include <memory>
#include <string>

#include "csq/config.h"
#include "csq/distributed.h"
#include "csq/observer.h"
#include "csq/scheme.h"

namespace csq {

class Session {
public:
    explicit Session(Observer& observer);
    ~Session();  // stops a running session and joins its thread
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Validates the config (throws csq::Error when invalid or already running), then loads the data and
    // trains on the session's thread; failures there reach Observer::onFailed.
    void start(const TrainingConfig& config);
    // Continues the run saved in a checkpoint.pt; run files go to runDir (default: its folder).
    void startFromCheckpoint(const std::string& checkpointPath, const std::string& runDir = {});
    // The next start runs as one rank of a data-parallel run (csq-train --world-size); only rank 0
    // writes run files. A live update or pause reaches this rank only: distributed runs are headless.
    void setDistributed(const DistributedSettings& settings);
    // Runs started from now on also stop, at their next batch boundary, once *flag is true (the flag
    // outlives the run): a sweep's stop reaches its run at once, without polling.
    void linkStop(const std::atomic<bool>* flag);

    void pause();
    void resume();
    void stop();         // finishes the batch, saves checkpoint.pt, returns at once (wait() to join)
    void finalizeNow();  // draws the ticket at the next batch: the scheme freezes as it stands
    // Measures each layer's sensitivity at the next batch boundary (the run waits meanwhile) and reports
    // it through Observer::onSensitivity; returns at once. Throws csq::Error when no run is going, or
    // on a data-parallel rank (there, sensitivity_every measures on every rank at once).
    void measureSensitivity();
    void update(const ConfigPatch& patch);
    void wait();  // until the session's thread has ended

    bool running() const;
    bool paused() const;
    TrainingConfig config() const;  // the config in force, live changes included
    std::string runDir() const;

    // Exports of the current state; on a running session they run at the next batch boundary
    // and these calls wait for them. Throw csq::Error when there is no trained model or writing fails.
    void saveCheckpoint(const std::string& path);
    void exportScheme(const std::string& path);
    void exportQuantized(const std::string& path);
    void exportMetrics(const std::string& path);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

}  // namespace csq
