#include "train/loss_ticket.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "quant/bit_allocation.h"

namespace csq::train {

namespace {

// Every layer computes with `weight` set to its trained value (float mode) for the scope: the network
// as trained, each layer's weight replaceable. Restores modes and weights after.
class TrainedWeights {
public:
    explicit TrainedWeights(const LossTicketInput& in) : layers_(in.layers)
    {
        torch::NoGradGuard noGrad;
        for (size_t i = 0; i < layers_.size(); ++i) {
            auto& layer = *layers_[i].layer;
            saved_.push_back(layer.weight.detach().clone());
            wasFloat_.push_back(layer.floatMode());
            layer.setFloatMode(true);
            layer.weight.copy_(in.trained[i]);
        }
    }
    ~TrainedWeights()
    {
        torch::NoGradGuard noGrad;
        for (size_t i = 0; i < layers_.size(); ++i) {
            auto& layer = *layers_[i].layer;
            layer.weight.copy_(saved_[i]);
            layer.setFloatMode(wasFloat_[i]);
        }
    }
    TrainedWeights(const TrainedWeights&) = delete;
    TrainedWeights& operator=(const TrainedWeights&) = delete;

private:
    const std::vector<quant::NamedBitLayer>& layers_;
    std::vector<torch::Tensor> saved_;
    std::vector<bool> wasFloat_;
};

}  // namespace

BitCosts measureBitCosts(const LossTicketInput& in, int maxCount)
{
    BitCosts costs;
    TrainedWeights scope(in);
    // Every loss of every rank in one tensor, summed over the ranks in one exchange.
    std::vector<double> losses{crossEntropySum(in.model, in.images, in.norm, in.eval)};
    for (size_t i = 0; i < in.layers.size(); ++i) {
        auto& layer = *in.layers[i].layer;
        if (!layer.bits()->searchable()) continue;
        costs.layer.push_back(i);
        const int count = std::min(maxCount, layer.bits()->maxBits());
        for (int k = 1; k <= count; ++k) {
            {
                torch::NoGradGuard noGrad;
                layer.weight.copy_(quant::latticeWeight(in.trained[i], layer.bits()->maxBits(), k));
            }
            losses.push_back(crossEntropySum(in.model, in.images, in.norm, in.eval));
        }
        torch::NoGradGuard noGrad;
        layer.weight.copy_(in.trained[i]);
    }
    losses.push_back(static_cast<double>(in.images.size()));
    std::vector<torch::Tensor> summed{torch::tensor(losses, torch::kDouble)};
    in.ranks.sum(summed, "the ticket's loss measurement");
    const auto total = summed[0].contiguous();
    const double* v = total.data_ptr<double>();
    const double images = std::max(1.0, v[losses.size() - 1]);
    costs.reference = v[0] / images;
    size_t next = 1;
    for (size_t row : costs.layer) {
        const int count = std::min(maxCount, in.layers[row].layer->bits()->maxBits());
        std::vector<double> increase;
        for (int k = 1; k <= count; ++k) increase.push_back(v[next++] / images - costs.reference);
        for (size_t k = increase.size() - 1; k-- > 0;) increase[k] = std::max(increase[k], increase[k + 1]);
        costs.increase.push_back(std::move(increase));
    }
    return costs;
}

std::string drawTicketByLoss(const LossTicketInput& in, BudgetMode mode, double target)
{
    // Bits cost in the budget's own measure: a layer's weights (size mode) or 1 (layer mode) per bit.
    auto sizeOf = [&](const quant::NamedBitLayer& l) {
        return mode == BudgetMode::Size ? static_cast<double>(l.layer->bits()->numel()) : 1.0;
    };
    double total = 0, held = 0;
    for (const auto& l : in.layers) {
        total += sizeOf(l);
        if (!l.layer->bits()->searchable()) held += sizeOf(l) * static_cast<double>(quant::readLayerScheme(l).bits());
    }
    // Two more bits than the target rounds up to: a layer there adds almost no loss, so the allocation
    // rarely wants more, and every further count costs a pass over the calibration images per layer.
    const int maxCount = static_cast<int>(std::ceil(target)) + 2;
    const auto costs = measureBitCosts(in, maxCount);
    std::vector<quant::BitChoice> choices;
    for (size_t r = 0; r < costs.layer.size(); ++r) choices.push_back({costs.increase[r], sizeOf(in.layers[costs.layer[r]])});
    const auto counts = quant::allocateBits(choices, target * total - held);

    std::string line = "ticket by measured loss (" + std::to_string(in.images.size()) + " images a rank): bits";
    double added = 0;
    for (size_t r = 0; r < costs.layer.size(); ++r) {
        auto& bits = in.layers[costs.layer[r]].layer->bits();
        std::vector<bool> kept(static_cast<size_t>(bits->maxBits()), false);
        for (int b = bits->maxBits() - counts[r]; b < bits->maxBits(); ++b) kept[static_cast<size_t>(b)] = true;
        bits->setKeptBits(kept, std::max(1.0, bits->mask.detach().abs().max().item<double>()));
        added += costs.increase[r][static_cast<size_t>(counts[r] - 1)];
        line += (r == 0 ? " " : ", ") + in.layers[costs.layer[r]].name + " " + std::to_string(counts[r]);
    }
    char tail[96];
    std::snprintf(tail, sizeof tail, "; loss %.4f as trained, +%.4f summed over the layers", costs.reference, added);
    return line + tail;
}

}  // namespace csq::train
