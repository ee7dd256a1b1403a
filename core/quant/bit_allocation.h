#pragma once
// Bit counts chosen by a measured cost (config ticket_by_loss): the weight a layer starts its finetune
// from at k bits, and the counts per layer that cost least within the budget.
#include <vector>

#include <torch/torch.h>

namespace csq::quant {

// w rounded onto the grid of k contiguous kept bits of a maxBits-bit layer, at the least-squares scale:
// exactly the weight the lattice finetune starts from at the ticket (BitWeight::trainOnLattice,
// fitScaleToLattice).
torch::Tensor latticeWeight(const torch::Tensor& w, int maxBits, int bits);

// One layer's options: cost[k - 1] of holding it at k bits, k = 1..cost.size(); `size` is what each of
// its bits adds to the budget's measure (its weights in size mode, 1 in layer mode).
struct BitChoice {
    std::vector<double> cost;
    double size = 1;
};

// Each layer's bit count (1..cost.size()) minimising the summed cost with sum(size * bits) <= budget.
// A budget below one bit everywhere gives every layer one bit. Exact when the
// sizes are integers whose greatest common divisor leaves at most 2^18 budget steps; otherwise sizes
// are rounded up onto 2^18 steps, which can leave the budget slightly under-used, never exceeded.
std::vector<int> allocateBits(const std::vector<BitChoice>& layers, double budget);

}  // namespace csq::quant
