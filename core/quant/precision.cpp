#include "csq/scheme.h"

#include <algorithm>

namespace csq {

std::string toString(BudgetMode mode) { return mode == BudgetMode::Layer ? "layer" : "size"; }

std::optional<BudgetMode> budgetModeFromString(std::string_view text)
{
    if (text == "layer") return BudgetMode::Layer;
    if (text == "size") return BudgetMode::Size;
    return std::nullopt;
}

int LayerScheme::bits() const { return static_cast<int>(std::count(kept.begin(), kept.end(), true)); }

ModelPrecision precisionOf(const std::vector<LayerScheme>& layers)
{
    ModelPrecision p;
    if (layers.empty()) return p;
    double bitSum = 0, weightedSum = 0, paramSum = 0;
    for (const auto& layer : layers) {
        bitSum += layer.bits();
        weightedSum += static_cast<double>(layer.params) * layer.bits();
        paramSum += static_cast<double>(layer.params);
    }
    p.avgBits = bitSum / static_cast<double>(layers.size());
    p.weightedAvgBits = paramSum > 0 ? weightedSum / paramSum : 0.0;
    return p;
}

}  // namespace csq
