#include "models/synced_batch_norm.h"

namespace csq::models {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// y = the sum of x over the ranks. Every rank's loss depends on y, so the gradient reaching x is the
// sum of the ranks' gradients of y: the backward pass is the same collective.
class RankSumFunction : public torch::autograd::Function<RankSumFunction> {
public:
    static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x,
                                 const c10::intrusive_ptr<RankSumHolder>& ranks)
    {
        ctx->saved_data["ranks"] = c10::IValue::make_capsule(ranks);
        std::vector<torch::Tensor> sums{x.detach()};
        ranks->sum(sums);
        return sums[0];
    }

    static variable_list backward(AutogradContext* ctx, variable_list gradients)
    {
        auto ranks = c10::static_intrusive_pointer_cast<RankSumHolder>(ctx->saved_data["ranks"].toCapsule());
        std::vector<torch::Tensor> sums{gradients[0].contiguous()};
        ranks->sum(sums);
        return {sums[0], torch::Tensor()};
    }
};

}  // namespace

torch::Tensor syncedBatchNorm(const torch::Tensor& x, torch::nn::Module& batchNorm, double eps, double momentum,
                              const c10::intrusive_ptr<RankSumHolder>& ranks)
{
    const int64_t channels = x.size(1);
    std::vector<int64_t> dims{0}, shape(static_cast<size_t>(x.dim()), 1);
    for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
    shape[1] = channels;

    // Channel sums and this rank's count travel in one message; two passes (mean, then the squared
    // deviations) keep the variance as accurate as a single process's.
    const auto count = torch::full({1}, static_cast<double>(x.numel() / channels), x.options());
    const auto sums = RankSumFunction::apply(torch::cat({x.sum(dims), count}), ranks);
    const auto n = sums[channels].item<double>();
    const auto mean = sums.narrow(0, 0, channels) / n;
    const auto centered = x - mean.view(shape);
    const auto variance = RankSumFunction::apply(centered.square().sum(dims), ranks) / n;
    auto y = centered * torch::rsqrt(variance + eps).view(shape);

    auto parameters = batchNorm.named_parameters(false);
    if (const auto* weight = parameters.find("weight"); weight && weight->defined()) y = y * weight->view(shape);
    if (const auto* bias = parameters.find("bias"); bias && bias->defined()) y = y + bias->view(shape);

    torch::NoGradGuard noGrad;
    auto buffers = batchNorm.named_buffers(false);
    if (auto* runningMean = buffers.find("running_mean"); runningMean && runningMean->defined())
        runningMean->mul_(1.0 - momentum).add_(mean.detach(), momentum);
    if (auto* runningVar = buffers.find("running_var"); runningVar && runningVar->defined())
        runningVar->mul_(1.0 - momentum).add_(variance.detach() * (n / std::max(1.0, n - 1.0)), momentum);
    if (auto* tracked = buffers.find("num_batches_tracked"); tracked && tracked->defined()) tracked->add_(1);
    return y;
}

}  // namespace csq::models
