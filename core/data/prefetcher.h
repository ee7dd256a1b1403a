#pragma once
// Prepares the next batches of a Batcher on a worker thread while the current one trains, so that
// gathering, augmentation and the uint8 -> float conversion leave the training step's critical path.
// Batches come out in the Batcher's order, so the run is the same with or without prefetching.
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "data/batcher.h"

namespace csq::data {

class Prefetcher {
public:
    // Runs on the worker after Batcher::next: fills batch.input (e.g. normalized float images).
    using Prepare = std::function<void(Batch&)>;

    // Takes over `batcher` (already positioned for the epoch) until destroyed; keeps at most `depth`
    // prepared batches ahead. depth 0 prepares each batch on the caller's thread, in next().
    Prefetcher(Batcher& batcher, int depth, Prepare prepare);
    ~Prefetcher();  // stops and joins the worker; batches prepared but not taken are dropped
    Prefetcher(const Prefetcher&) = delete;
    Prefetcher& operator=(const Prefetcher&) = delete;

    // The next prepared batch; false when the epoch is exhausted. Rethrows what the worker threw.
    bool next(Batch& batch);

private:
    void work();

    Batcher& batcher_;
    const size_t depth_;
    Prepare prepare_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Batch> ready_;
    bool exhausted_ = false, stopping_ = false;
    std::exception_ptr error_;
    std::thread worker_;
};

}  // namespace csq::data
