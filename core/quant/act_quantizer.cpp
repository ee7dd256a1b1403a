#include "quant/act_quantizer.h"

#include <stdexcept>
#include <string>

namespace csq::quant {

ActQuantizerImpl::ActQuantizerImpl(const ActQuantizerOptions& opts) : options(opts)
{
    if (opts.bits < 0 || opts.bits > 16)
        throw std::invalid_argument("activation bits must be in 0..16 (0 = float), got " + std::to_string(opts.bits));
    range_ = register_buffer("range", torch::ones({}));
    calibrated_ = register_buffer("calibrated", torch::zeros({}));
}

torch::Tensor ActQuantizerImpl::forward(const torch::Tensor& x)
{
    if (options.bits == 0) return x;
    if (is_training()) {
        torch::NoGradGuard noGrad;
        auto batchRange = x.detach().abs().max().clamp_min(1e-8).to(range_.scalar_type());
        if (rankMax_) batchRange = rankMax_(batchRange);
        // First batch sets the range; later ones move it by `momentum` (no host sync: pure tensor ops).
        auto blend =
            torch::where(calibrated_ > 0, range_ * (1 - options.momentum) + batchRange * options.momentum, batchRange);
        range_.copy_(blend);
        calibrated_.fill_(1);
    }
    const double steps = static_cast<double>((int64_t{1} << options.bits) - 1);
    auto r = range_.to(x.scalar_type());
    auto low = options.isSigned ? -r : torch::zeros_like(r);
    auto clipped = torch::max(torch::min(x, r), low);
    auto step = (r - low) / steps;
    auto quantized = torch::round((clipped - low) / step) * step + low;
    return clipped + (quantized - clipped).detach();  // straight-through estimator
}

}  // namespace csq::quant
