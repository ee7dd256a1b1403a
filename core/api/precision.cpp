#include "csq/scheme.h"

#include <algorithm>

namespace csq {

int LayerScheme::bits() const
{
    return static_cast<int>(std::count(kept.begin(), kept.end(), true));
}

double budgetUnit(BudgetMode mode, int64_t params, int64_t macs)
{
    switch (mode) {
        case BudgetMode::Layer:
            return 1.0;
        case BudgetMode::Size:
            return static_cast<double>(params);
        case BudgetMode::BitOps:
            return static_cast<double>(macs);
    }
    return 1.0;
}

double ModelPrecision::measure(BudgetMode mode) const
{
    switch (mode) {
        case BudgetMode::Layer:
            return avgBits;
        case BudgetMode::Size:
            return weightedAvgBits;
        case BudgetMode::BitOps:
            return macWeightedAvgBits;
    }
    return avgBits;
}

namespace {

double meanBits(const std::vector<LayerScheme>& layers, BudgetMode mode)
{
    double weighted = 0, units = 0;
    for (const auto& layer : layers) {
        const double unit = budgetUnit(mode, layer.params, layer.macs);
        weighted += unit * layer.bits();
        units += unit;
    }
    return units > 0 ? weighted / units : 0.0;
}

}  // namespace

ModelPrecision precisionOf(const std::vector<LayerScheme>& layers)
{
    return {meanBits(layers, BudgetMode::Layer), meanBits(layers, BudgetMode::Size),
            meanBits(layers, BudgetMode::BitOps)};
}

ModelCost costOf(const std::vector<LayerScheme>& layers, int actBits)
{
    ModelCost c;
    const double activationBits = actBits > 0 ? actBits : 32;
    for (const auto& layer : layers) {
        c.macs += layer.macs;
        c.bitOps += static_cast<double>(layer.macs) * layer.bits() * activationBits;
    }
    return c;
}

double weightKiB(const std::vector<LayerScheme>& layers, int64_t totalParams)
{
    double quantizedParams = 0, bits = 0;
    for (const auto& layer : layers) {
        quantizedParams += static_cast<double>(layer.params);
        bits += static_cast<double>(layer.params) * layer.bits();
    }
    const double floatParams = std::max(0.0, static_cast<double>(totalParams) - quantizedParams);
    return (bits + 32.0 * floatParams) / 8.0 / 1024.0;
}

}  // namespace csq
