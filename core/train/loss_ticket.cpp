#include "train/loss_ticket.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

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

// The calibration images' activations at the input of one stage of the network, batch by batch (the
// evaluation's own batches, evaluationBatch). A layer's counts rerun only the stages from its own:
// the same batches through the same operations as a whole forward pass, so the same sums to the last
// bit, and on resnet20 about half the work of starting from the images each time.
class StageInputs {
public:
    StageInputs(models::Network& model, const data::Dataset& images, const data::Normalization& norm,
                const EvalSettings& eval)
        : model_(model), images_(images), norm_(norm), eval_(eval)
    {
        restart();
    }

    // Moves the activations to the input of `stage`, from the images when it lies before them.
    void advanceTo(size_t stage)
    {
        if (stage < stage_) restart();
        if (stage == stage_) return;
        EvalScope evaluation(model_);
        torch::NoGradGuard noGrad;
        for (auto& b : batches_) b.input = model_.forwardStages(b.input, stage_, stage);
        stage_ = stage;
    }

    // Summed cross-entropy of the remaining stages' outputs (crossEntropySum's sum), and the images
    // they classify correctly.
    std::pair<double, double> crossEntropyAndCorrect()
    {
        EvalScope evaluation(model_);
        torch::NoGradGuard noGrad;
        auto sum = torch::zeros({}, torch::TensorOptions().dtype(torch::kDouble).device(eval_.device));
        auto correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(eval_.device));
        for (const auto& b : batches_) {
            const auto logits = model_.forwardStages(b.input, stage_, model_.stageCount());
            sum += batchCrossEntropy(logits, b.labels);
            correct += logits.argmax(1).eq(b.labels).sum();
        }
        return {sum.item<double>(), static_cast<double>(correct.item<int64_t>())};
    }

private:
    void restart()
    {
        batches_.clear();
        for (int64_t start = 0; start < images_.size(); start += eval_.batchSize)
            batches_.push_back(evaluationBatch(images_, norm_, eval_, start));
        stage_ = 0;
    }

    models::Network& model_;
    const data::Dataset& images_;
    const data::Normalization& norm_;
    const EvalSettings& eval_;
    std::vector<EvalBatch> batches_;  // each batch's input at stage_
    size_t stage_ = 0;
};

}  // namespace

BitCosts measureBitCosts(const LossTicketInput& in, int maxCount)
{
    BitCosts costs;
    TrainedWeights scope(in);
    StageInputs batches(in.model, in.images, in.norm, in.eval);
    // Every loss and correct count of every rank in one tensor, summed over the ranks in one exchange.
    std::vector<double> losses;
    auto measure = [&] {
        const auto [loss, correct] = batches.crossEntropyAndCorrect();
        losses.push_back(loss);
        losses.push_back(correct);
    };
    measure();
    for (size_t i = 0; i < in.layers.size(); ++i) {
        auto& layer = *in.layers[i].layer;
        if (!layer.bits()->searchable()) continue;
        batches.advanceTo(in.model.stageOf(layer));  // the layers before it as trained
        costs.layer.push_back(i);
        const int count = std::min(maxCount, layer.bits()->maxBits());
        costs.lossAdded.emplace_back(static_cast<size_t>(count));  // filled once the ranks have summed
        for (int k = 1; k <= count; ++k) {
            {
                torch::NoGradGuard noGrad;
                layer.weight.copy_(quant::latticeWeight(in.trained[i], layer.bits()->maxBits(), k));
            }
            measure();
        }
        torch::NoGradGuard noGrad;
        layer.weight.copy_(in.trained[i]);
    }
    losses.push_back(static_cast<double>(in.images.size()));
    std::vector<torch::Tensor> summed{torch::tensor(losses, torch::kDouble)};
    in.ranks.sum(summed, "the ticket's loss measurement");
    const auto total = summed[0].contiguous();
    const double* v = total.data_ptr<double>();
    costs.images = static_cast<int64_t>(v[losses.size() - 1]);
    const double images = std::max(1.0, v[losses.size() - 1]);
    costs.reference = v[0] / images;
    costs.referenceAccuracy = 100.0 * v[1] / images;
    size_t next = 2;
    for (auto& lossAdded : costs.lossAdded) {
        auto& drop = costs.accuracyDrop.emplace_back(lossAdded.size());
        for (size_t k = 0; k < lossAdded.size(); ++k, next += 2) {
            lossAdded[k] = v[next] / images - costs.reference;
            drop[k] = costs.referenceAccuracy - 100.0 * v[next + 1] / images;
        }
        auto& increase = costs.increase.emplace_back(lossAdded);
        for (size_t k = increase.size() - 1; k-- > 0;) increase[k] = std::max(increase[k], increase[k + 1]);
    }
    return costs;
}

data::Dataset calibrationImages(const data::Dataset& train, const Ranks& ranks)
{
    constexpr int64_t kImages = 1024;
    const int64_t n = train.size();
    const int64_t count = std::min(n, kImages);
    const auto [begin, end] = ranks.share(count);
    auto indices = (torch::arange(begin, end, torch::kInt64) * n).div(std::max<int64_t>(count, 1), "floor");
    return train.subset(indices);
}

LossTicket drawTicketByLoss(const LossTicketInput& in, BudgetMode mode, double target)
{
    // Bits cost in the budget's own measure: 1, the layer's weights or its MACs per bit.
    auto sizeOf = [&](const quant::NamedBitLayer& l) { return quant::budgetUnit(l, mode); };
    double total = 0, held = 0;
    for (const auto& l : in.layers) {
        total += sizeOf(l);
        if (!l.layer->bits()->searchable()) held += sizeOf(l) * static_cast<double>(quant::readLayerScheme(l).bits());
    }
    // Two more bits than the target rounds up to: a layer there adds almost no loss, so the allocation
    // rarely wants more, and every further count costs a pass over the calibration images per layer.
    int maxCount = static_cast<int>(std::ceil(target)) + 2;
    for (const auto& l : in.layers) maxCount = std::max(maxCount, l.layer->bits()->minBits());  // a floor is bought
    LossTicket ticket;
    ticket.costs = measureBitCosts(in, maxCount);
    const auto& costs = ticket.costs;
    std::vector<quant::BitChoice> choices;
    for (size_t r = 0; r < costs.layer.size(); ++r) {
        // Counts below a layer's minimum (a MIN.. rule) are not for sale.
        auto cost = costs.increase[r];
        const int floor = in.layers[costs.layer[r]].layer->bits()->minBits();
        for (int k = 1; k < floor && k <= static_cast<int>(cost.size()); ++k)
            cost[static_cast<size_t>(k - 1)] = std::numeric_limits<double>::infinity();
        choices.push_back({cost, sizeOf(in.layers[costs.layer[r]])});
    }
    ticket.bits = quant::allocateBits(choices, target * total - held);
    for (size_t r = 0; r < costs.layer.size(); ++r)  // a budget too small for every floor still keeps them
        ticket.bits[r] = std::max(ticket.bits[r], in.layers[costs.layer[r]].layer->bits()->minBits());

    ticket.logLine = "ticket by measured loss (" + std::to_string(in.images.size()) + " images a rank): bits";
    ticket.csv = "layer,params,bits,loss_added,kept,accuracy_drop\n";
    double added = 0;
    char number[64];
    for (size_t r = 0; r < costs.layer.size(); ++r) {
        const auto& named = in.layers[costs.layer[r]];
        auto& bits = named.layer->bits();
        const int count = ticket.bits[r];
        bits->setKeptBits(quant::topBitsKept(bits->maxBits(), count),
                          std::max(1.0, bits->mask.detach().abs().max().item<double>()));
        added += costs.increase[r][static_cast<size_t>(count - 1)];
        ticket.logLine += (r == 0 ? " " : ", ") + named.name + " " + std::to_string(count);
        for (size_t k = 1; k <= costs.increase[r].size(); ++k) {
            std::snprintf(number, sizeof number, "%.9g", costs.increase[r][k - 1]);
            ticket.csv += named.name + "," + std::to_string(bits->numel()) + "," + std::to_string(k) + "," + number +
                          "," + (static_cast<int>(k) == count ? "1" : "0");
            std::snprintf(number, sizeof number, ",%.9g\n", costs.accuracyDrop[r][k - 1]);
            ticket.csv += number;
        }
    }
    std::snprintf(number, sizeof number, "; loss %.4f as trained, +%.4f summed over the layers", costs.reference,
                  added);
    ticket.logLine += number;
    return ticket;
}

}  // namespace csq::train
