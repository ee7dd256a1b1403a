#pragma once
// csq-train's Observer: a one-line progress bar on a terminal, plain log lines otherwise.
#include <chrono>
#include <mutex>

#include "csq/observer.h"

namespace csq::cli {

class ProgressPrinter : public Observer {
public:
    // quiet: only log lines and failures (the ranks of a data-parallel run other than rank 0).
    ProgressPrinter(bool terminal, int totalEpochs, bool quiet = false)
        : terminal_(terminal), quiet_(quiet), totalEpochs_(totalEpochs)
    {
    }

    void onSnapshot(const Snapshot& s) override;
    void onEpoch(const EpochResult& e) override;
    void onLog(const std::string& line) override;
    void onFinished(const RunSummary& s) override;
    void onFailed(const std::string& reason) override;

    // Test hook (CSQ_TEST_FREEZE_AT_STEP): the process stops itself (SIGSTOP) at its first snapshot at
    // or after `step`, so that a crash-safety test kills it or signals it at a known point of the run.
    void freezeAtStep(long long step) { freezeAtStep_ = step; }

    bool failed() const { return failed_; }
    bool finished() const { return finished_; }

private:
    void endLine();
    std::mutex mutex_;
    bool terminal_, quiet_;
    int totalEpochs_;
    bool lineOpen_ = false, failed_ = false, finished_ = false;
    long long freezeAtStep_ = 0;
    std::chrono::steady_clock::time_point lastPlain_{};
};

}  // namespace csq::cli
