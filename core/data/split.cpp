#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "csq/errors.h"
#include "data/seeding.h"

namespace csq::data {

namespace {

std::vector<int64_t> seededPermutation(int64_t n, uint64_t seed)
{
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t{0});
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    return order;
}

// Sorted so the copy walks memory forwards and the subset keeps the file's order.
torch::Tensor sortedIndexTensor(std::vector<int64_t>::const_iterator first, std::vector<int64_t>::const_iterator last)
{
    std::vector<int64_t> part(first, last);
    std::sort(part.begin(), part.end());
    return torch::tensor(part, torch::kLong);
}

}  // namespace

TrainValidation splitValidation(const Dataset& train, double fraction, uint64_t seed)
{
    if (!(fraction >= 0.0 && fraction < 1.0))
        throw Error("validation_fraction", "must be in [0, 1), got " + std::to_string(fraction),
                    "use e.g. 0.1 to hold out 10% of the training set, or 0 for none");
    const int64_t n = train.size();
    const auto held = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
    if (held >= n && n > 0)
        throw Error("validation_fraction", "leaves no training samples out of " + std::to_string(n),
                    "lower the validation fraction or raise train_limit");
    if (held == 0) return {train, train.subset(torch::empty({0}, torch::kLong))};  // no copy of the training set
    auto order = seededPermutation(n, mixSeed(seed, Stream::Validation));
    auto validation = sortedIndexTensor(order.begin(), order.begin() + held);
    auto rest = sortedIndexTensor(order.begin() + held, order.end());
    return {train.subset(rest), train.subset(validation)};
}

Dataset limit(const Dataset& dataset, int64_t n, uint64_t seed)
{
    if (n <= 0 || n >= dataset.size()) return dataset;
    auto order = seededPermutation(dataset.size(), mixSeed(seed, Stream::Limit));
    return dataset.subset(sortedIndexTensor(order.begin(), order.begin() + n));
}

}  // namespace csq::data
