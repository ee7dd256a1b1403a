#pragma once
// Derives independent, reproducible random streams from the run's seed, so that e.g. the order of
// epoch e depends only on (seed, e) and a resumed run replays exactly the same batches.
#include <cstdint>

namespace csq::data {

// Stream names, so no two consumers of the same seed draw the same numbers.
enum class Stream : uint64_t { Limit = 1, Validation = 2, EpochOrder = 3, Augmentation = 4, TestHoldOut = 5 };

// SplitMix64 finalizer: neighbouring inputs (epoch 3 and 4) give unrelated outputs.
inline uint64_t splitMix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// The seed of stream `stream` at coordinates (a, b), e.g. (epoch, batch); chained so (a, b) != (b, a).
inline uint64_t mixSeed(uint64_t seed, Stream stream, uint64_t a = 0, uint64_t b = 0)
{
    return splitMix64(splitMix64(splitMix64(seed ^ (static_cast<uint64_t>(stream) << 56)) ^ a) ^ b);
}

}  // namespace csq::data
