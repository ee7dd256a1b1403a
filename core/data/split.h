#pragma once
// Seeded, deterministic ways to carve a dataset: a validation split held out from training and the
// `train_limit` subset used for quick runs.
#include <cstdint>

#include "data/dataset.h"

namespace csq::data {

struct TrainValidation {
    Dataset train, validation;
};

// Holds out round(fraction · N) random samples (fraction in [0, 1)) as validation; the same seed gives
// the same split. Both parts keep the original sample order.
TrainValidation splitValidation(const Dataset& train, double fraction, uint64_t seed);

// The first n samples of a seeded shuffle (so classes stay roughly balanced), in original order;
// n <= 0 or n >= size means all of them.
Dataset limit(const Dataset& dataset, int64_t n, uint64_t seed = 0);

}  // namespace csq::data
