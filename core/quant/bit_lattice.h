#pragma once
// The integer codes a layer's kept bits can express: q = sum_{b kept} 2^b (p_b - q_b) with p_b, q_b in
// {0, 1}, i.e. signed digits d_b in {-1, 0, 1}. For contiguous kept bits this is an evenly spaced grid;
// a scheme that drops a middle bit leaves an uneven one (kept {7, 5}: 0, ±32, ±96, ±128, ±160).
// Used to round a float weight onto what the exact model can hold, and to write a code back into P/Q
// using kept bits only (plain binary digits of 96 would need bit 6).
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace csq::quant {

class BitLattice {
public:
    BitLattice() = default;
    // kept[b] for b = 0 (LSB) .. N-1; tensors live on `device`.
    explicit BitLattice(const std::vector<bool>& kept, torch::Device device = torch::kCPU);

    bool empty() const { return !values_.defined(); }
    // Sorted distinct codes, int64.
    const torch::Tensor& values() const { return values_; }
    // Index into values() of the code nearest to each float code v (ties to the lower one).
    torch::Tensor nearestIndex(const torch::Tensor& v) const;
    // Index of each integer code; throws std::invalid_argument when a code is not on the lattice.
    torch::Tensor exactIndex(const torch::Tensor& codes) const;
    // Bit masks of the positive and negative digits of values()[i] (P and Q planes), int64.
    const torch::Tensor& plusDigits() const { return plus_; }
    const torch::Tensor& minusDigits() const { return minus_; }
    int64_t maxCode() const { return maxCode_; }

private:
    torch::Tensor values_, plus_, minus_, midpoints_;
    // nearestIndex on the CPU: the index for every v with ceil(2v) = k, at k + 2 * maxCode (the
    // midpoints between integer codes are multiples of 1/2, so it is constant there).
    std::vector<int32_t> halfStepIndex_;
    int64_t maxCode_ = 0;
};

}  // namespace csq::quant
