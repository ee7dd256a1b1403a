#include "quant/scheme_readout.h"

#include <algorithm>
#include <cmath>

namespace csq::quant {

std::vector<NamedBitLayer> findBitLayers(torch::nn::Module& model)
{
    std::vector<NamedBitLayer> found;
    for (const auto& item : model.named_modules("", false))
        if (auto layer = std::dynamic_pointer_cast<BitLayer>(item.value())) found.push_back({item.key(), layer});
    return found;
}

LayerScheme readLayerScheme(const NamedBitLayer& named)
{
    const auto& bits = named.layer->bits();
    LayerScheme out{named.name, bits->numel(), bits->maxBits(), bits->keptBits(), bits->searchable()};
    out.shape = bits->shape();
    out.macs = named.layer->macs();
    if (const auto* conv = dynamic_cast<const BitConv2dImpl*>(named.layer.get())) {
        out.type = "Conv2d";
        out.groups = conv->options.groups;
    } else if (dynamic_cast<const BitLinearImpl*>(named.layer.get())) {
        out.type = "Linear";
    }
    return out;
}

std::vector<LayerScheme> readScheme(const std::vector<NamedBitLayer>& layers)
{
    std::vector<LayerScheme> scheme;
    scheme.reserve(layers.size());
    for (const auto& layer : layers) scheme.push_back(readLayerScheme(layer));
    return scheme;
}

std::vector<double> budgetWeights(const std::vector<NamedBitLayer>& layers, BudgetMode mode, double sizeExponent)
{
    std::vector<double> weights(layers.size(), 0.0);
    double total = 0;
    size_t searchableCount = 0;
    for (size_t i = 0; i < layers.size(); ++i) {
        const auto& bits = layers[i].layer->bits();
        if (!bits->searchable()) continue;
        weights[i] = mode == BudgetMode::Layer ? 1.0 : std::pow(static_cast<double>(bits->numel()), sizeExponent);
        total += weights[i];
        ++searchableCount;
    }
    for (auto& w : weights) w *= static_cast<double>(searchableCount) / total;
    return weights;
}

torch::Tensor budgetTerm(const std::vector<NamedBitLayer>& layers, BudgetMode mode, const torch::Tensor& priceExponent,
                         double target, double sizeExponent)
{
    const auto weights = budgetWeights(layers, mode, sizeExponent);
    torch::Tensor total;
    for (size_t i = 0; i < layers.size(); ++i) {
        if (weights[i] == 0.0) continue;
        auto bits = layers[i].layer->bits()->maskGateSum();
        auto term = priceExponent.defined()
                        ? bits * ((bits.detach() / target).clamp_min(1e-3).pow(priceExponent) * weights[i])
                        : bits * weights[i];
        total = total.defined() ? total + term : term;
    }
    return total.defined() ? total : torch::zeros({});
}

torch::Tensor budgetLoss(const std::vector<NamedBitLayer>& layers, BudgetMode mode, double lambda,
                         const torch::Tensor& deltaS, double target, const BitPrice& price)
{
    const auto exponent = price.power == 1.0 ? torch::Tensor() : deltaS.detach().sign() * (price.power - 1.0);
    return lambda * deltaS * budgetTerm(layers, mode, exponent, target, price.sizeExponent);
}

namespace {

struct Candidate {
    size_t layer;
    int bit;
    double logit;
};

void setBit(const NamedBitLayer& l, int bit, bool keep)
{
    torch::NoGradGuard noGrad;
    auto m = l.layer->bits()->mask[bit];
    const double magnitude = std::max(std::abs(m.item<double>()), 1e-3);
    m.fill_(keep ? magnitude : -magnitude);
}

}  // namespace

int meetBudget(const std::vector<NamedBitLayer>& layers, BudgetMode mode, double target)
{
    // A layer whose logits are all below zero keeps its best bit only as a fallback (keptMask): write it
    // as kept, or turning on any other of its bits below would silently drop it. Not a change of scheme.
    for (const auto& l : layers) {
        const auto& bits = l.layer->bits();
        if (!bits->searchable() || bits->mask.detach().ge(0).any().item<bool>()) continue;
        setBit(l, static_cast<int>(bits->mask.detach().argmax().item<int64_t>()), true);
    }
    int changed = 0;
    auto measure = [&] { return precisionOf(readScheme(layers)).measure(mode); };
    auto candidates = [&](bool kept) {
        std::vector<Candidate> out;
        for (size_t i = 0; i < layers.size(); ++i) {
            const auto& bits = layers[i].layer->bits();
            if (!bits->searchable()) continue;
            const auto keptBits = bits->keptBits();
            const int count = static_cast<int>(std::count(keptBits.begin(), keptBits.end(), true));
            auto m = bits->mask.detach().to(torch::kCPU, torch::kDouble);
            for (int b = 0; b < bits->maxBits(); ++b)
                if (keptBits[static_cast<size_t>(b)] == kept && (!kept || count > 1))
                    out.push_back({i, b, m[b].item<double>()});
        }
        std::sort(out.begin(), out.end(),
                  [&](auto& x, auto& y) { return kept ? x.logit < y.logit : x.logit > y.logit; });
        return out;
    };
    while (measure() > target + 1e-9) {
        const auto drop = candidates(true);
        if (drop.empty()) break;
        setBit(layers[drop.front().layer], drop.front().bit, false);
        ++changed;
    }
    for (const auto& add : candidates(false)) {
        setBit(layers[add.layer], add.bit, true);
        if (measure() > target + 1e-9) {
            setBit(layers[add.layer], add.bit, false);
            continue;
        }
        ++changed;
    }
    return changed;
}

int makeKeptBitsContiguous(const std::vector<NamedBitLayer>& layers)
{
    int changed = 0;
    for (const auto& l : layers) {
        const auto& bits = l.layer->bits();
        if (!bits->searchable()) continue;
        const auto kept = bits->keptBits();
        const int count = static_cast<int>(std::count(kept.begin(), kept.end(), true));
        const int top = static_cast<int>(std::find(kept.rbegin(), kept.rend(), true).base() - kept.begin()) - 1;
        const int low = top - count + 1;  // >= 0: all count kept bits lie at or below the top one
        for (int b = 0; b < bits->maxBits(); ++b) {
            const bool want = b >= low && b < low + count;
            if (kept[static_cast<size_t>(b)] == want) continue;
            setBit(l, b, want);
            ++changed;
        }
    }
    return changed;
}

torch::Tensor precisionTensor(const std::vector<NamedBitLayer>& layers, BudgetMode mode)
{
    torch::NoGradGuard noGrad;
    if (layers.empty()) return torch::zeros({});
    double totalParams = 0;
    for (const auto& l : layers) totalParams += static_cast<double>(l.layer->bits()->numel());
    torch::Tensor sum;
    for (const auto& l : layers) {
        const auto& bits = l.layer->bits();
        const double weight = mode == BudgetMode::Layer ? 1.0 / static_cast<double>(layers.size())
                                                        : static_cast<double>(bits->numel()) / totalParams;
        auto k = bits->keptMask().sum() * weight;
        sum = sum.defined() ? sum + k : k;
    }
    return sum;
}

}  // namespace csq::quant
