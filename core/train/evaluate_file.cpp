#include "csq/evaluate.h"

#include "csq/runtime.h"
#include "data/dataset_loader.h"
#include "io/quantized_model.h"
#include "train/evaluator.h"

namespace csq {

Evaluation evaluateQuantizedModel(const std::string& quantizedPath, const std::string& dataPath, int logitRows,
                                  int threads)
{
    configureThreads(threads);
    auto model = io::readQuantizedModel(quantizedPath);
    const auto& config = model.config;
    const auto data = data::loadDataset(dataPath.empty() ? config.data : dataPath, data::loadOptions(config));
    Evaluation result;
    result.model = model.modelName;
    result.dataset = data.test.name;
    result.images = data.test.size();
    const train::EvalSettings settings{torch::kCPU};
    result.accuracy = train::accuracy(*model.network, data.test, model.norm, settings);
    if (logitRows > 0) {
        auto logits = train::logits(*model.network, data.test, model.norm, logitRows, settings).contiguous();
        for (int64_t r = 0; r < logits.size(0); ++r) {
            auto row = logits[r];
            result.logits.emplace_back(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
        }
    }
    return result;
}

}  // namespace csq
