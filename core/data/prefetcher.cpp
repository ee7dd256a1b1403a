#include "data/prefetcher.h"

#include <ATen/Parallel.h>

namespace csq::data {

Prefetcher::Prefetcher(Batcher& batcher, int depth, Prepare prepare)
    : batcher_(batcher), depth_(static_cast<size_t>(std::max(depth, 0))), prepare_(std::move(prepare))
{
    if (depth_ > 0) worker_ = std::thread([this] { work(); });
}

Prefetcher::~Prefetcher()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    if (worker_.joinable()) worker_.join();
}

bool Prefetcher::next(Batch& batch)
{
    if (depth_ == 0) {
        if (!batcher_.next(batch)) return false;
        if (prepare_) prepare_(batch);
        return true;
    }
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !ready_.empty() || exhausted_; });
    if (ready_.empty()) {
        if (error_) std::rethrow_exception(error_);
        return false;
    }
    batch = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    changed_.notify_all();
    return true;
}

void Prefetcher::work()
{
#if AT_PARALLEL_OPENMP
    // OpenMP thread counts are per thread: keep this helper to one core so that it never competes
    // with the training step's team for more than the little it does.
    at::set_num_threads(1);
#endif
    try {
        while (true) {
            {
                std::unique_lock lock(mutex_);
                changed_.wait(lock, [this] { return stopping_ || ready_.size() < depth_; });
                if (stopping_) break;
            }
            Batch batch;
            const bool more = batcher_.next(batch);
            if (more && prepare_) prepare_(batch);
            {
                std::lock_guard lock(mutex_);
                if (!more) {
                    exhausted_ = true;
                } else {
                    ready_.push_back(std::move(batch));
                }
            }
            changed_.notify_all();
            if (!more) break;
        }
    } catch (...) {
        {
            std::lock_guard lock(mutex_);
            error_ = std::current_exception();
            exhausted_ = true;
        }
        changed_.notify_all();
    }
}

}  // namespace csq::data
