#include "train/optimizers.h"

#include <algorithm>
#include <set>

#include "train/fused_adam.h"

namespace csq::train {

namespace {

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(OptimizerKind kind,
                                                       std::vector<torch::optim::OptimizerParamGroup> groups, double lr)
{
    if (kind == OptimizerKind::Sgd) return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(lr));
    return std::make_unique<FusedAdam>(groups, torch::optim::AdamOptions(lr));
}

std::unique_ptr<torch::optim::OptimizerOptions> groupOptions(OptimizerKind kind, const TrainingConfig& c, double lr,
                                                             double decay)
{
    if (kind == OptimizerKind::Sgd)
        return std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(lr)
                                                              .momentum(c.momentum)
                                                              .nesterov(c.nesterov && c.momentum > 0)
                                                              .weight_decay(decay));
    return std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(lr).weight_decay(decay));
}

}  // namespace

double baseLr(const TrainingConfig& config, LrSource source)
{
    switch (source) {
        case LrSource::Float:
            return config.lr;
        case LrSource::Bits:
            return config.bitLr;
        case LrSource::Masks:
            return config.maskLr > 0 ? config.maskLr : config.bitLr;
    }
    return config.lr;
}

// Float parameters (biases, batch norm, float weights, scales) train with `optimizer` at `lr`. Bit
// logits and mask logits train with `bit_optimizer` (Adam by default): their gradients carry the
// factor s * c_b * beta * sigmoid' (often 1e-6), which plain SGD would need a learning rate of
// thousands to follow, while Adam's per-element normalisation moves every logit at bit_lr per step.
OptimizerSet buildOptimizers(torch::nn::Module& model, const std::vector<quant::NamedBitLayer>& layers,
                             const TrainingConfig& config)
{
    std::set<const void*> bitParams;
    std::vector<torch::Tensor> floats, scales, bits, masks;
    for (const auto& l : layers) {
        auto& b = l.layer->bits();
        bits.push_back(b->P);
        bits.push_back(b->Q);
        scales.push_back(b->scale);
        if (b->searchable()) masks.push_back(b->mask);
        for (auto* t : {&b->P, &b->Q, &b->scale, &b->mask}) bitParams.insert(t->unsafeGetTensorImpl());
    }
    for (const auto& p : model.parameters())
        if (!bitParams.count(p.unsafeGetTensorImpl())) floats.push_back(p);

    OptimizerSet set;
    set.scales = scales;
    auto add = [&](OptimizerKind kind, double lr, std::vector<std::pair<std::vector<torch::Tensor>, double>> sets,
                   std::vector<LrSource> sources) {
        std::vector<torch::optim::OptimizerParamGroup> groups;
        for (size_t i = 0; i < sets.size(); ++i) {
            if (sets[i].first.empty()) continue;
            set.groups.push_back({set.optimizers.size(), groups.size(), sources[i]});
            groups.emplace_back(sets[i].first, groupOptions(kind, config, baseLr(config, sources[i]), sets[i].second));
        }
        if (!groups.empty()) set.optimizers.push_back(makeOptimizer(kind, std::move(groups), lr));
    };
    // Scales are magnitudes, not logits: they follow the float optimizer, without weight decay.
    add(config.optimizer, config.lr, {{floats, config.weightDecay}, {scales, 0.0}}, {LrSource::Float, LrSource::Float});
    add(config.bitOptimizer, config.bitLr, {{bits, config.bitWeightDecay}, {masks, config.maskWeightDecay}},
        {LrSource::Bits, LrSource::Masks});
    return set;
}

void OptimizerSet::setLearningRates(const TrainingConfig& config, double factor, double bitFactor)
{
    for (const auto& g : groups)
        optimizers[g.optimizer]->param_groups()[g.group].options().set_lr(
            baseLr(config, g.source) * (g.source == LrSource::Float ? factor : bitFactor));
}

// Gradients are dropped rather than zeroed: backward then hands each parameter its fresh gradient
// instead of adding it to a zero tensor, one pass less over every bit logit.
void OptimizerSet::zeroGrad()
{
    for (auto& o : optimizers)
        for (auto& group : o->param_groups())
            for (auto& p : group.params()) p.mutable_grad().reset();
}

// A scale multiplies every weight of its layer, so the loss is far steeper along it than along any one
// weight: at the float learning rate an SGD step on it can overshoot, and the overshoot grows until
// the scale crosses zero and the loss is NaN (traced in docs/method.md: the search's divergence). Bounding
// each step to 10 % of the scale's value keeps it positive and the oscillation bounded; ordinary
// steps are far smaller and pass unchanged. On the CPU the bound is plain arithmetic on each scalar
// (seven tensor operations a layer cost more than the rest of a small layer's update); elsewhere
// tensor ops, with no host sync.
void OptimizerSet::step()
{
    const bool onCpu = std::all_of(scales.begin(), scales.end(), [](const torch::Tensor& s) {
        return s.device().is_cpu() && s.scalar_type() == torch::kFloat && s.numel() == 1;
    });
    if (onCpu) {
        std::vector<float> before;
        before.reserve(scales.size());
        for (const auto& s : scales) before.push_back(*s.data_ptr<float>());
        for (auto& o : optimizers) o->step();
        for (size_t i = 0; i < scales.size(); ++i) {
            const float a = before[i] * static_cast<float>(1.0 / (1.0 + kMaxScaleStep)),
                        b = before[i] * static_cast<float>(1.0 + kMaxScaleStep);
            float& value = *scales[i].data_ptr<float>();
            value = std::clamp(value, std::min(a, b), std::max(a, b));
        }
        return;
    }
    std::vector<torch::Tensor> before;
    before.reserve(scales.size());
    for (const auto& s : scales) before.push_back(s.detach().clone());
    for (auto& o : optimizers) o->step();
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < scales.size(); ++i) {
        const auto low = before[i] * (1.0 / (1.0 + kMaxScaleStep)), high = before[i] * (1.0 + kMaxScaleStep);
        scales[i].copy_(torch::clamp(scales[i], torch::min(low, high), torch::max(low, high)));
    }
}

void OptimizerSet::forget(const torch::Tensor& parameter)
{
    const auto key = c10::guts::to_string(parameter.unsafeGetTensorImpl());
    for (auto& o : optimizers) o->state().erase(key);
}

}  // namespace csq::train
