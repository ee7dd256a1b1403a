#pragma once
// Ranks as threads for tests: an all-reduce sum among `world` threads through a shared slot, as the
// Gloo all-reduce sums between processes.
#include <barrier>
#include <mutex>
#include <vector>

#include <torch/torch.h>

#include "models/synced_batch_norm.h"

namespace csq::test {

// An all-reduce among `world` threads: each adds its tensors into the slot, all wait, all read; the
// last reader clears the slot for the next sum.
class ThreadRanks {
public:
    explicit ThreadRanks(int world) : added_(world), read_(world, Clear{&slot_}) {}

    models::RankSum sumFor()
    {
        return [this](std::vector<torch::Tensor>& tensors) {
            {
                std::lock_guard lock(mutex_);
                if (slot_.empty())
                    for (auto& t : tensors) slot_.push_back(t.detach().clone());
                else
                    for (size_t i = 0; i < tensors.size(); ++i) slot_[i] += tensors[i].detach();
            }
            added_.arrive_and_wait();
            for (size_t i = 0; i < tensors.size(); ++i) tensors[i] = slot_[i].clone();
            read_.arrive_and_wait();
        };
    }

private:
    struct Clear {
        std::vector<torch::Tensor>* slot;
        void operator()() noexcept { slot->clear(); }
    };
    std::mutex mutex_;
    std::vector<torch::Tensor> slot_;
    std::barrier<> added_;
    std::barrier<Clear> read_;
};

}  // namespace csq::test
