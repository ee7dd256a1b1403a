#include "quant/bit_lattice.h"

#include <stdexcept>

namespace csq::quant {

// Dynamic programme over the kept bits on the code range [-M, M], M = sum of kept 2^b: each reachable
// code remembers one signed-digit representation. At most 16 bits: 16 passes over 131071 entries.
BitLattice::BitLattice(const std::vector<bool>& kept, torch::Device device)
{
    int64_t span = 0;
    for (size_t b = 0; b < kept.size(); ++b)
        if (kept[b]) span += int64_t{1} << b;
    const int64_t size = 2 * span + 1;
    std::vector<char> reachable(static_cast<size_t>(size), 0);
    std::vector<int64_t> plus(static_cast<size_t>(size), 0), minus(static_cast<size_t>(size), 0);
    reachable[static_cast<size_t>(span)] = 1;  // code 0: no digits
    for (size_t b = 0; b < kept.size(); ++b) {
        if (!kept[b]) continue;
        const int64_t step = int64_t{1} << b;
        auto next = reachable;
        auto nextPlus = plus, nextMinus = minus;
        for (int64_t i = 0; i < size; ++i) {
            if (!reachable[static_cast<size_t>(i)]) continue;
            for (const int64_t sign : {int64_t{1}, int64_t{-1}}) {
                const int64_t j = i + sign * step;
                if (j < 0 || j >= size || next[static_cast<size_t>(j)]) continue;
                next[static_cast<size_t>(j)] = 1;
                nextPlus[static_cast<size_t>(j)] = plus[static_cast<size_t>(i)] | (sign > 0 ? step : 0);
                nextMinus[static_cast<size_t>(j)] = minus[static_cast<size_t>(i)] | (sign < 0 ? step : 0);
            }
        }
        reachable = std::move(next);
        plus = std::move(nextPlus);
        minus = std::move(nextMinus);
    }
    std::vector<int64_t> values, plusOut, minusOut;
    for (int64_t i = 0; i < size; ++i) {
        if (!reachable[static_cast<size_t>(i)]) continue;
        values.push_back(i - span);
        plusOut.push_back(plus[static_cast<size_t>(i)]);
        minusOut.push_back(minus[static_cast<size_t>(i)]);
    }
    auto asTensor = [&](const std::vector<int64_t>& v) {
        return torch::tensor(v, torch::TensorOptions().dtype(torch::kInt64)).to(device);
    };
    values_ = asTensor(values);
    plus_ = asTensor(plusOut);
    minus_ = asTensor(minusOut);
    maxCode_ = span;
    auto asDouble = values_.to(torch::kDouble);
    midpoints_ = values_.numel() > 1 ? (asDouble.slice(0, 1) + asDouble.slice(0, 0, -1)) / 2 : asDouble.slice(0, 0, 0);
}

torch::Tensor BitLattice::nearestIndex(const torch::Tensor& v) const
{
    return torch::bucketize(v.to(torch::kDouble), midpoints_);
}

torch::Tensor BitLattice::exactIndex(const torch::Tensor& codes) const
{
    auto q = codes.to(values_.device(), torch::kInt64);
    auto index = torch::bucketize(q, values_).clamp_max(values_.numel() - 1);
    if (!values_.index_select(0, index.flatten()).view_as(q).eq(q).all().item<bool>())
        throw std::invalid_argument("a code cannot be written with the kept bits");
    return index;
}

}  // namespace csq::quant
