#pragma once
// The thread-safe mailbox between a session's callers and its training thread: stop / pause flags
// and live config patches, all taken by the trainer at a batch boundary (docs/architecture.md §4).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include "csq/config.h"

namespace csq::train {

// Every flag a waiter's condition reads changes under the mutex, and is notified after: a stop can
// then never fall between a waiter's check and its sleep (a lost wake-up would leave a paused run
// waiting for ever). A linked flag belongs to its caller, who cannot notify this condition: a pause
// looks at it every kLinkedStopPollMs.
class Control {
public:
    static constexpr int kLinkedStopPollMs = 50;

    void requestStop()
    {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        wake_.notify_all();
    }
    bool stopRequested() const { return stop_ || (linkedStop_ && linkedStop_->load()); }
    // A flag the caller owns (a sweep's stop) that stops the run too, at its next batch boundary or
    // while it is paused. Set before the run starts.
    void linkStop(const std::atomic<bool>* flag) { linkedStop_ = flag; }
    void setPaused(bool paused)
    {
        {
            std::lock_guard lock(mutex_);
            paused_ = paused;
        }
        wake_.notify_all();
    }
    bool paused() const
    {
        std::lock_guard lock(mutex_);
        return paused_;
    }
    // Blocks the training thread while paused (returns at once when a stop is requested); runs
    // posted tasks meanwhile, so exports work on a paused run too.
    void waitWhilePaused()
    {
        std::unique_lock lock(mutex_);
        while (true) {
            wake_.wait_for(lock, std::chrono::milliseconds(kLinkedStopPollMs),
                           [this] { return !paused_ || stopRequested() || !tasks_.empty(); });
            runTasks(lock);
            if (!paused_ || stopRequested()) return;
        }
    }
    // Work for the training thread at its next batch boundary (exports, checkpoints).
    void postTask(std::function<void()> task)
    {
        {
            std::lock_guard lock(mutex_);
            tasks_.push_back(std::move(task));
        }
        wake_.notify_all();
    }
    void runTasks()
    {
        std::unique_lock lock(mutex_);
        runTasks(lock);
    }
    void requestFinalize() { finalize_ = true; }
    bool takeFinalize() { return finalize_.exchange(false); }

    void post(const ConfigPatch& patch)
    {
        std::lock_guard lock(mutex_);
        pending_.merge(patch);
    }
    ConfigPatch takePatch()
    {
        std::lock_guard lock(mutex_);
        return std::exchange(pending_, ConfigPatch{});
    }

private:
    void runTasks(std::unique_lock<std::mutex>& lock)
    {
        while (!tasks_.empty()) {
            auto task = std::move(tasks_.front());
            tasks_.pop_front();
            lock.unlock();
            task();
            lock.lock();
        }
    }

    mutable std::mutex mutex_;
    std::deque<std::function<void()>> tasks_;
    std::condition_variable wake_;
    std::atomic<bool> stop_{false}, finalize_{false};
    const std::atomic<bool>* linkedStop_ = nullptr;
    bool paused_ = false;
    ConfigPatch pending_;
};

}  // namespace csq::train
