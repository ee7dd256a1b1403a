#include "quant/bit_lattice.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
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
    std::vector<double> mids;
    for (size_t i = 1; i < values.size(); ++i) mids.push_back((static_cast<double>(values[i - 1]) + values[i]) / 2);
    midpoints_ = torch::tensor(mids, torch::TensorOptions().dtype(torch::kDouble)).to(device);
    // Index of the first midpoint >= k/2, as bucketize finds it, for k = -2M..2M.
    halfStepIndex_.resize(static_cast<size_t>(4 * span + 1));
    for (int64_t k = -2 * span; k <= 2 * span; ++k)
        halfStepIndex_[static_cast<size_t>(k + 2 * span)] =
            static_cast<int32_t>(std::lower_bound(mids.begin(), mids.end(), static_cast<double>(k) / 2) - mids.begin());
}

namespace {

// bucketize(v, midpoints) through the half-step table: clamped to the code range, where the index no
// longer changes; NaN takes the last index, as bucketize gives it.
template <class T>
void tableIndex(const T* v, int64_t* out, int64_t n, const int32_t* table, int64_t maxCode, int64_t last)
{
    at::parallel_for(0, n, 32768, [&](int64_t begin, int64_t end) {
        const double bound = static_cast<double>(maxCode);
        for (int64_t i = begin; i < end; ++i) {
            const double x = static_cast<double>(v[i]);
            if (std::isnan(x)) {
                out[i] = last;
                continue;
            }
            const auto k = static_cast<int64_t>(std::ceil(2 * std::clamp(x, -bound, bound)));
            out[i] = table[k + 2 * maxCode];
        }
    });
}

}  // namespace

torch::Tensor BitLattice::nearestIndex(const torch::Tensor& v) const
{
    const bool tabled = v.device().is_cpu() && (v.scalar_type() == torch::kFloat || v.scalar_type() == torch::kDouble);
    if (!tabled) return torch::bucketize(v.to(torch::kDouble), midpoints_);
    auto in = v.contiguous();
    auto out = torch::empty(in.sizes(), in.options().dtype(torch::kInt64));
    AT_DISPATCH_FLOATING_TYPES(in.scalar_type(), "nearestIndex", [&] {
        tableIndex(in.data_ptr<scalar_t>(), out.data_ptr<int64_t>(), in.numel(), halfStepIndex_.data(), maxCode_,
                   values_.numel() - 1);
    });
    return out;
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
