#pragma once
// Batch norm over the whole batch of a data-parallel run (SyncBatchNorm). Each rank holds a share of
// the batch; the per-channel sums behind the mean and the variance are summed over the ranks, and so
// are their gradients, so every rank normalizes with the whole batch's statistics and back-propagates
// the whole batch's gradient, as one process with the whole batch would. Running statistics then stay
// identical on every rank.
#include <functional>
#include <vector>

#include <torch/torch.h>

namespace csq::models {

// Replaces each tensor with its element-wise sum over the ranks (a collective: every rank calls it
// in the same order).
using RankSum = std::function<void(std::vector<torch::Tensor>&)>;

struct RankSumHolder : torch::CustomClassHolder {
    explicit RankSumHolder(RankSum s) : sum(std::move(s)) {}
    RankSum sum;
};

// Training-mode batch norm of `x` ([N, C] or [N, C, H, W]) with the module's affine parameters and
// running statistics (updated in place with the whole batch's mean and unbiased variance).
torch::Tensor syncedBatchNorm(const torch::Tensor& x, torch::nn::Module& batchNorm, double eps, double momentum,
                              const c10::intrusive_ptr<RankSumHolder>& ranks);

}  // namespace csq::models
