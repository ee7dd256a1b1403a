#pragma once
// Splits a dataset into (optionally shuffled, optionally augmented) uint8 batches. The order of epoch e
// and each batch's augmentation are pure functions of (seed, e, batch), so a resumed run replays them.
#include <cstdint>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "data/augmentation.h"
#include "data/dataset.h"

namespace csq::data {

// Without shuffling or augmentation the tensors are views of the dataset: read them, never write to them.
struct Batch {
    torch::Tensor images;     // uint8 [B, C, H, W]
    torch::Tensor labels;     // int64 [B]
    int64_t index = 0;        // position of this batch within its epoch
    int64_t globalCount = 0;  // images in the whole batch across every rank (== images.size(0) unsharded)
    torch::Tensor input;      // the model's input, when prepared ahead (see Prefetcher); else undefined
};

// Rank `rank`'s contiguous share [begin, end) of `count` items split over `worldSize` ranks (the
// shares differ by at most one and cover every item once).
inline std::pair<int64_t, int64_t> rankShare(int64_t count, int rank, int worldSize)
{
    return {count * rank / worldSize, count * (rank + 1) / worldSize};
}

class Batcher {
public:
    // Keeps its own reference to the dataset's tensors (no copy). Starts at epoch 0, batch 0.
    Batcher(const Dataset& dataset, int64_t batchSize, uint64_t seed, bool shuffle, bool dropLast = false);

    int64_t batchesPerEpoch() const;
    // Sets the epoch's order (a fresh permutation from (seed, epoch) when shuffling) and rewinds.
    void startEpoch(int64_t epoch);
    // The next batch of the current epoch; false when the epoch is exhausted.
    bool next(Batch& batch);
    int64_t position() const { return position_; }  // index of the batch next() returns
    int64_t epoch() const { return epoch_; }
    // Jumps within the current epoch, e.g. to resume mid-epoch; 0 <= batchIndex <= batchesPerEpoch().
    void seek(int64_t batchIndex);
    // Augmentation applied by next(), seeded per (seed, epoch, batch index).
    void setAugmentation(const AugmentOptions& options);
    // Data-parallel runs: next() returns only rank's contiguous share of each batch (sizes differ by at
    // most one image), augmented exactly as the whole batch would be, so the ranks together see what
    // one process sees.
    void setShard(int rank, int worldSize);

private:
    Dataset dataset_;
    int64_t batchSize_;
    uint64_t seed_;
    bool shuffle_, dropLast_;
    AugmentOptions augment_;
    std::vector<int64_t> order_;  // sample indices of the current epoch (empty when not shuffling)
    int64_t epoch_ = 0, position_ = 0;
    int rank_ = 0, worldSize_ = 1;
};

}  // namespace csq::data
