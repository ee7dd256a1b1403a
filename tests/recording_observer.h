#pragma once
// An Observer for end-to-end tests: records what the training thread reports; tests read it after
// Session::wait() or under the lock, and may hook every snapshot or epoch.
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "csq/observer.h"

namespace csq::test {

class Recorder : public Observer {
public:
    void onSnapshot(const Snapshot& s) override
    {
        std::lock_guard lock(mutex);
        snapshots.push_back(s);
        if (onEverySnapshot) onEverySnapshot(s);
    }
    void onEpoch(const EpochResult& e) override
    {
        std::lock_guard lock(mutex);
        epochs.push_back(e);
        if (onEveryEpoch) onEveryEpoch(e);
    }
    void onFinished(const RunSummary& s) override
    {
        std::lock_guard lock(mutex);
        summary = s;
        finished = true;
    }
    void onFailed(const std::string& reason) override
    {
        std::lock_guard lock(mutex);
        failure = reason;
    }
    void onLog(const std::string& line) override
    {
        std::lock_guard lock(mutex);
        logs.push_back(line);
    }
    void onEnded() override
    {
        std::lock_guard lock(mutex);
        ++ends;
        toldBeforeTheEnd = finished || !failure.empty();
        if (onEnd) onEnd();
    }

    std::mutex mutex;
    std::vector<Snapshot> snapshots;
    std::vector<EpochResult> epochs;
    RunSummary summary;
    bool finished = false;
    std::string failure;
    std::vector<std::string> logs;
    int ends = 0;                   // onEnded calls: one per run
    bool toldBeforeTheEnd = false;  // onFinished or onFailed came before onEnded
    std::function<void()> onEnd;
    std::function<void(const Snapshot&)> onEverySnapshot;
    std::function<void(const EpochResult&)> onEveryEpoch;
};

}  // namespace csq::test
