#include "csq/scheme.h"

#include <algorithm>

namespace csq {

int LayerScheme::bits() const
{
    return static_cast<int>(std::count(kept.begin(), kept.end(), true));
}

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

ModelCost costOf(const std::vector<LayerScheme>& layers, int actBits)
{
    ModelCost c;
    double weighted = 0;
    const double activationBits = actBits > 0 ? actBits : 32;
    for (const auto& layer : layers) {
        c.macs += layer.macs;
        weighted += static_cast<double>(layer.macs) * layer.bits();
    }
    if (c.macs > 0) c.macWeightedBits = weighted / static_cast<double>(c.macs);
    c.bitOps = weighted * activationBits;
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
