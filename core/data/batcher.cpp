#include "data/batcher.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <string>

#include "csq/errors.h"
#include "data/seeding.h"

namespace csq::data {

Batcher::Batcher(const Dataset& dataset, int64_t batchSize, uint64_t seed, bool shuffle, bool dropLast)
    : dataset_(dataset), batchSize_(batchSize), seed_(seed), shuffle_(shuffle), dropLast_(dropLast)
{
    if (batchSize <= 0) throw Error("batch_size", "must be positive, got " + std::to_string(batchSize), "use e.g. 128");
    if (!dataset.images.defined() || dataset.images.dim() != 4 || !dataset.labels.defined() ||
        dataset.labels.size(0) != dataset.size())
        throw Error("Batcher", "dataset has no images [N, C, H, W] with matching labels", "load a dataset first");
    startEpoch(0);
}

int64_t Batcher::batchesPerEpoch() const
{
    const int64_t n = dataset_.size();
    return dropLast_ ? n / batchSize_ : (n + batchSize_ - 1) / batchSize_;
}

void Batcher::startEpoch(int64_t epoch)
{
    epoch_ = epoch;
    position_ = 0;
    if (!shuffle_) return;
    order_.resize(static_cast<size_t>(dataset_.size()));
    std::iota(order_.begin(), order_.end(), int64_t{0});
    std::mt19937_64 rng(mixSeed(seed_, Stream::EpochOrder, static_cast<uint64_t>(epoch)));
    std::shuffle(order_.begin(), order_.end(), rng);
}

bool Batcher::next(Batch& batch)
{
    if (position_ >= batchesPerEpoch()) return false;
    const int64_t first = position_ * batchSize_;
    const int64_t count = std::min(batchSize_, dataset_.size() - first);
    // This rank's share [lo, hi) of the batch; augmentation draws per image in batch order, so an
    // augmented shard is cut from the augmented whole batch.
    const auto [lo, hi] = rankShare(count, rank_, worldSize_);
    const bool whole = augment_.enabled();
    const int64_t from = first + (whole ? 0 : lo), n = whole ? count : hi - lo;
    if (shuffle_) {
        auto index = torch::from_blob(order_.data() + from, {n}, torch::kLong);
        batch.images = dataset_.images.index_select(0, index);
        batch.labels = dataset_.labels.index_select(0, index);
    } else {  // views, no copy
        batch.images = dataset_.images.narrow(0, from, n);
        batch.labels = dataset_.labels.narrow(0, from, n);
    }
    if (whole) {
        batch.images = augmentBatch(
            batch.images, augment_,
            mixSeed(seed_, Stream::Augmentation, static_cast<uint64_t>(epoch_), static_cast<uint64_t>(position_)));
        if (worldSize_ > 1) {
            batch.images = batch.images.narrow(0, lo, hi - lo);
            batch.labels = batch.labels.narrow(0, lo, hi - lo);
        }
    }
    batch.globalCount = count;
    batch.index = position_++;
    return true;
}

void Batcher::setShard(int rank, int worldSize)
{
    if (worldSize < 1 || rank < 0 || rank >= worldSize)
        throw Error("Batcher::setShard",
                    "rank " + std::to_string(rank) + " is outside a world of " + std::to_string(worldSize));
    rank_ = rank;
    worldSize_ = worldSize;
}

void Batcher::seek(int64_t batchIndex)
{
    if (batchIndex < 0 || batchIndex > batchesPerEpoch())
        throw Error(
            "Batcher::seek",
            "batch " + std::to_string(batchIndex) + " is outside the epoch's 0.." + std::to_string(batchesPerEpoch()),
            "the checkpoint was made with another dataset or batch size");
    position_ = batchIndex;
}

void Batcher::setAugmentation(const AugmentOptions& options)
{
    if (options.cropPadding < 0)
        throw Error("crop_padding", "must be >= 0, got " + std::to_string(options.cropPadding), "use 0 to disable");
    augment_ = options;
}

}  // namespace csq::data
