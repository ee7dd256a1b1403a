#include "quant/scheme_readout.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "csq/enum_names.h"

#include "quant/gate.h"

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

double budgetUnit(const NamedBitLayer& layer, BudgetMode mode)
{
    return csq::budgetUnit(mode, layer.layer->bits()->numel(), layer.layer->macs());
}

std::vector<double> budgetWeights(const std::vector<NamedBitLayer>& layers, BudgetMode mode, double sizeExponent)
{
    std::vector<double> weights(layers.size(), 0.0);
    double total = 0;
    size_t searchableCount = 0;
    for (size_t i = 0; i < layers.size(); ++i) {
        if (!layers[i].layer->bits()->searchable()) continue;
        weights[i] = mode == BudgetMode::Layer ? 1.0 : std::pow(budgetUnit(layers[i], mode), sizeExponent);
        total += weights[i];
        ++searchableCount;
    }
    if (searchableCount > 0 && !(total > 0))
        throw std::invalid_argument("budget_mode " + toString(mode) +
                                    ": no searchable layer has a measured cost (MACs per image)");
    for (auto& w : weights) w *= static_cast<double>(searchableCount) / total;
    return weights;
}

namespace {

// Per-layer sums of per-bit values laid side by side: the gates of every layer in one tensor, so the
// budget costs a handful of tensor operations a step instead of a few per layer (53 layers in a
// MobileNetV2). layerOf[j] is the position of value j's layer in the result.
torch::Tensor sumPerLayer(const torch::Tensor& values, const std::vector<int64_t>& layerOf, int64_t layerCount)
{
    auto index = torch::tensor(layerOf, torch::kInt64).to(values.device());
    return torch::zeros({layerCount}, values.options().requires_grad(false)).index_add(0, index, values);
}

torch::Tensor asTensor(const std::vector<double>& values, const torch::TensorOptions& options)
{
    return torch::tensor(values, torch::kDouble).to(options.device(), options.dtype());
}

}  // namespace

torch::Tensor budgetTerm(const std::vector<NamedBitLayer>& layers, BudgetMode mode, const torch::Tensor& priceExponent,
                         double target, double sizeExponent)
{
    const auto weights = budgetWeights(layers, mode, sizeExponent);
    // Soft gates σ(β m_b) for the layers still searched; a drawn ticket's kept bits are constants.
    std::vector<torch::Tensor> logits, hard;
    std::vector<double> betas, priced;
    std::vector<int64_t> softLayer, hardLayer;
    for (size_t i = 0; i < layers.size(); ++i) {
        if (weights[i] == 0.0) continue;
        const auto& bits = layers[i].layer->bits();
        const auto position = static_cast<int64_t>(priced.size());
        priced.push_back(weights[i]);
        auto& into = bits->ticketDrawn() ? hardLayer : softLayer;
        into.insert(into.end(), static_cast<size_t>(bits->maxBits()), position);
        if (bits->ticketDrawn()) {
            hard.push_back(bits->keptMask());
            continue;
        }
        logits.push_back(bits->mask);
        betas.insert(betas.end(), static_cast<size_t>(bits->maxBits()), bits->beta());
    }
    if (priced.empty()) return torch::zeros({});
    std::vector<torch::Tensor> gates;
    if (!logits.empty()) {
        auto all = torch::cat(logits);
        gates.push_back(softGate(all, asTensor(betas, all.options())));
    }
    if (!hard.empty()) gates.push_back(torch::cat(hard));
    softLayer.insert(softLayer.end(), hardLayer.begin(), hardLayer.end());
    const auto perLayer = sumPerLayer(torch::cat(gates), softLayer, static_cast<int64_t>(priced.size()));  // S_l
    const auto w = asTensor(priced, perLayer.options());
    const auto price =
        priceExponent.defined() ? (perLayer.detach() / target).clamp_min(1e-3).pow(priceExponent) * w : w;
    return (perLayer * price).sum();
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
    // A layer with fewer logits at or above zero than its minimum keeps its best bits only as a floor
    // (keptMask): write them as kept, or turning on any other of its bits below would silently drop one.
    // Not a change of scheme.
    for (const auto& l : layers) {
        const auto& bits = l.layer->bits();
        if (!bits->searchable()) continue;
        const auto kept = bits->keptBits();
        const auto logits = bits->mask.detach().to(torch::kCPU, torch::kDouble).contiguous();
        for (int b = 0; b < bits->maxBits(); ++b)
            if (kept[static_cast<size_t>(b)] && logits.data_ptr<double>()[b] < 0) setBit(l, b, true);
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
                if (keptBits[static_cast<size_t>(b)] == kept && (!kept || count > bits->minBits()))
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
    std::vector<torch::Tensor> masks;
    std::vector<double> units, floors;
    std::vector<int64_t> layerOf;
    double total = 0;
    for (size_t i = 0; i < layers.size(); ++i) {
        const auto& bits = layers[i].layer->bits();
        masks.push_back(bits->mask.detach());
        floors.push_back(bits->minBits());
        units.push_back(budgetUnit(layers[i], mode));
        total += units.back();
        layerOf.insert(layerOf.end(), static_cast<size_t>(bits->maxBits()), static_cast<int64_t>(i));
    }
    if (!(total > 0))
        throw std::invalid_argument("budget_mode " + toString(mode) +
                                    ": no layer has a measured cost (MACs per image)");
    for (auto& u : units) u /= total;
    const auto all = torch::cat(masks);
    const auto kept = sumPerLayer(all.ge(0).to(all.scalar_type()), layerOf, static_cast<int64_t>(layers.size()));
    // keptMask's rule: a layer with fewer logits at or above zero than its minimum keeps exactly that many.
    return (torch::maximum(kept, asTensor(floors, all.options())) * asTensor(units, all.options())).sum();
}

}  // namespace csq::quant
