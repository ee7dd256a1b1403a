#include "train/fused_adam.h"

#include <ATen/Parallel.h>

#include <cmath>

#include "quant/cpu_clones.h"

namespace csq::train {

namespace {

// One parameter's update over [begin, end), in torch::optim::Adam's arithmetic.
CSQ_CPU_CLONES void adamUpdate(float* w, const float* g, float* m, float* v, int64_t begin, int64_t end, float beta1,
                               float beta2, float decay, float eps, float stepSize, float rootCorrection2)
{
    for (int64_t i = begin; i < end; ++i) {
        const float grad = decay != 0.0f ? g[i] + decay * w[i] : g[i];
        m[i] = m[i] * beta1 + (1.0f - beta1) * grad;
        v[i] = v[i] * beta2 + (1.0f - beta2) * grad * grad;
        w[i] -= stepSize * m[i] / (std::sqrt(v[i]) / rootCorrection2 + eps);
    }
}

bool fusable(const torch::Tensor& p)
{
    return p.device().is_cpu() && p.scalar_type() == torch::kFloat && p.is_contiguous() && p.grad().defined() &&
           p.grad().is_contiguous() && p.grad().scalar_type() == torch::kFloat;
}

}  // namespace

torch::Tensor FusedAdam::step(LossClosure closure)
{
    for (auto& group : param_groups()) {
        if (static_cast<torch::optim::AdamOptions&>(group.options()).amsgrad()) return Adam::step(std::move(closure));
        for (auto& p : group.params())
            if (p.grad().defined() && !fusable(p)) return Adam::step(std::move(closure));
    }
    torch::NoGradGuard noGrad;
    torch::Tensor loss;
    if (closure) {
        torch::AutoGradMode enable(true);
        loss = closure();
    }
    for (auto& group : param_groups()) {
        const auto& o = static_cast<torch::optim::AdamOptions&>(group.options());
        const float beta1 = static_cast<float>(std::get<0>(o.betas())),
                    beta2 = static_cast<float>(std::get<1>(o.betas()));
        const float decay = static_cast<float>(o.weight_decay()), eps = static_cast<float>(o.eps());
        for (auto& p : group.params()) {
            if (!p.grad().defined()) continue;
            const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());
            auto it = state_.find(key);
            if (it == state_.end()) {
                auto fresh = std::make_unique<torch::optim::AdamParamState>();
                fresh->step(0);
                fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
                it = state_.emplace(key, std::move(fresh)).first;
            }
            auto& state = static_cast<torch::optim::AdamParamState&>(*it->second);
            state.step(state.step() + 1);
            const double correction1 = 1.0 - std::pow(std::get<0>(o.betas()), static_cast<double>(state.step()));
            const double correction2 = 1.0 - std::pow(std::get<1>(o.betas()), static_cast<double>(state.step()));
            const float stepSize = static_cast<float>(o.lr() / correction1);
            const float rootCorrection2 = static_cast<float>(std::sqrt(correction2));
            float* w = p.data_ptr<float>();
            const float* g = p.grad().data_ptr<float>();
            float* m = state.exp_avg().data_ptr<float>();
            float* v = state.exp_avg_sq().data_ptr<float>();
            at::parallel_for(0, p.numel(), 16384, [&](int64_t begin, int64_t end) {
                adamUpdate(w, g, m, v, begin, end, beta1, beta2, decay, eps, stepSize, rootCorrection2);
            });
        }
    }
    return loss;
}

}  // namespace csq::train
