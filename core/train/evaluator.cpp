#include "train/evaluator.h"

namespace csq::train {

namespace {

// Sums `perBatch(logits, labels)` (a 0-d tensor of `dtype`) over the dataset's batches in evaluation
// mode without gradients, on the device: one host sync at the end.
template <typename PerBatch>
torch::Tensor sumOverBatches(models::Network& model, const data::Dataset& dataset, const data::Normalization& norm,
                             const EvalSettings& settings, torch::Dtype dtype, PerBatch perBatch)
{
    const int64_t n = dataset.size();
    EvalScope scope(model);
    torch::NoGradGuard noGrad;
    auto sum = torch::zeros({}, torch::TensorOptions().dtype(dtype).device(settings.device));
    for (int64_t start = 0; start < n; start += settings.batchSize) {
        const auto batch = evaluationBatch(dataset, norm, settings, start);
        sum += perBatch(model.forward(batch.input), batch.labels).to(dtype);
    }
    return sum;
}

}  // namespace

EvalScope::EvalScope(models::Network& model) : model_(model), wasTraining_(model.is_training())
{
    model_.eval();
    try {
        for (const auto& module : model_.modules())
            if (auto* layer = dynamic_cast<quant::BitLayer*>(module.get())) {
                held_.push_back(layer);
                layer->holdWeight();
            }
    } catch (...) {  // no destructor runs: release here, or later passes would read stale weights
        for (auto* layer : held_) layer->releaseWeight();
        model_.train(wasTraining_);
        throw;
    }
}

EvalScope::~EvalScope()
{
    for (auto* layer : held_) layer->releaseWeight();
    model_.train(wasTraining_);
}

EvalBatch evaluationBatch(const data::Dataset& dataset, const data::Normalization& norm, const EvalSettings& settings,
                          int64_t start)
{
    const int64_t end = std::min(dataset.size(), start + settings.batchSize);
    return {data::toFloatBatch(dataset.images.slice(0, start, end), norm).to(settings.device),
            dataset.labels.slice(0, start, end).to(settings.device)};
}

double accuracy(models::Network& model, const data::Dataset& dataset, const data::Normalization& norm,
                const EvalSettings& settings)
{
    const int64_t n = dataset.size();
    if (n == 0) return 0.0;
    return 100.0 * static_cast<double>(correctCount(model, dataset, norm, settings)) / static_cast<double>(n);
}

int64_t correctCount(models::Network& model, const data::Dataset& dataset, const data::Normalization& norm,
                     const EvalSettings& settings)
{
    auto correct = [](const torch::Tensor& logits, const torch::Tensor& y) { return logits.argmax(1).eq(y).sum(); };
    return sumOverBatches(model, dataset, norm, settings, torch::kInt64, correct).item<int64_t>();
}

torch::Tensor batchCrossEntropy(const torch::Tensor& logits, const torch::Tensor& labels)
{
    namespace F = torch::nn::functional;
    return F::cross_entropy(logits, labels, F::CrossEntropyFuncOptions().reduction(torch::kSum)).to(torch::kDouble);
}

double crossEntropySum(models::Network& model, const data::Dataset& dataset, const data::Normalization& norm,
                       const EvalSettings& settings)
{
    return sumOverBatches(model, dataset, norm, settings, torch::kDouble, batchCrossEntropy).item<double>();
}

int64_t exactCorrectCount(models::Network& model, const std::vector<quant::NamedBitLayer>& layers,
                          const data::Dataset& dataset, const data::Normalization& norm, const EvalSettings& settings)
{
    for (const auto& l : layers) l.layer->bits()->setExact(true);
    try {
        const int64_t correct = correctCount(model, dataset, norm, settings);
        for (const auto& l : layers) l.layer->bits()->setExact(false);
        return correct;
    } catch (...) {
        for (const auto& l : layers) l.layer->bits()->setExact(false);
        throw;
    }
}

torch::Tensor logits(models::Network& model, const data::Dataset& dataset, const data::Normalization& norm,
                     int64_t count, const EvalSettings& settings)
{
    EvalScope scope(model);
    torch::NoGradGuard noGrad;
    count = std::min(count, dataset.size());
    auto x = data::toFloatBatch(dataset.images.slice(0, 0, count), norm).to(settings.device);
    return model.forward(x).to(torch::kCPU);
}

}  // namespace csq::train
