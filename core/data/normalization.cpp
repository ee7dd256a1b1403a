#include "data/normalization.h"

#include <cmath>
#include <string>

#include "csq/errors.h"
#include "csq/input_normalization.h"

namespace csq::data {

namespace {

constexpr int64_t kChunkImages = 2048;  // int32 staging of a chunk stays below ~25 MB even for CIFAR
// A constant channel has std 0; dividing by it would turn every input into inf/nan.
constexpr double kMinStd = 1e-6;

void requireUint8Images(const torch::Tensor& images, const char* where)
{
    if (!images.defined() || images.dim() != 4 || images.scalar_type() != torch::kUInt8)
        throw Error(where, "expected uint8 images [N, C, H, W]", "pass the dataset's images tensor");
}

}  // namespace

Normalization computeNormalization(const torch::Tensor& uint8Images)
{
    requireUint8Images(uint8Images, "computeNormalization");
    const int64_t n = uint8Images.size(0), channels = uint8Images.size(1);
    if (n == 0) throw Error("computeNormalization", "the training set is empty", "check the dataset and train_limit");
    // Integer sums are exact: 255² · 60000 · 3072 is far below 2^63.
    auto sum = torch::zeros({channels}, torch::kLong), sumSquares = torch::zeros({channels}, torch::kLong);
    for (int64_t first = 0; first < n; first += kChunkImages) {
        auto chunk = uint8Images.narrow(0, first, std::min(kChunkImages, n - first)).to(torch::kInt);
        sum += chunk.sum({0, 2, 3}, false, torch::kLong);
        sumSquares += chunk.mul_(chunk).sum({0, 2, 3}, false, torch::kLong);
    }
    const double count = static_cast<double>(n * uint8Images.size(2) * uint8Images.size(3));
    Normalization result;
    for (int64_t c = 0; c < channels; ++c) {
        const double mean = static_cast<double>(sum[c].item<int64_t>()) / count / 255.0;
        const double meanSquare = static_cast<double>(sumSquares[c].item<int64_t>()) / count / (255.0 * 255.0);
        result.mean.push_back(static_cast<float>(mean));
        result.std.push_back(static_cast<float>(std::max(std::sqrt(std::max(meanSquare - mean * mean, 0.0)), kMinStd)));
    }
    return result;
}

torch::Tensor toFloatBatch(const torch::Tensor& uint8Images, const Normalization& normalization)
{
    requireUint8Images(uint8Images, "toFloatBatch");
    auto x = uint8Images.to(torch::kFloat);
    if (normalization.mean.empty()) return x.div_(255.0f);
    const auto channels = static_cast<size_t>(uint8Images.size(1));
    if (normalization.mean.size() != channels || normalization.std.size() != channels)
        throw Error("toFloatBatch",
                    "normalization has " + std::to_string(normalization.mean.size()) + " channels, the images " +
                        std::to_string(channels),
                    "compute the normalization on the same dataset");
    // One multiply-add per pixel: x · 1/(255·std) − mean/std.
    auto mean = torch::tensor(normalization.mean), deviation = torch::tensor(normalization.std);
    auto scale = (1.0f / (255.0f * deviation)).view({1, -1, 1, 1});
    auto shift = (-mean / deviation).view({1, -1, 1, 1});
    return x.mul_(scale).add_(shift);
}

}  // namespace csq::data

namespace csq::data {

Normalization normalizationFor(const std::string& setting, const torch::Tensor& trainImages)
{
    const auto parsed = parseInputNormalization(setting);
    switch (parsed.kind) {
        case InputNormalization::Kind::Dataset:
            return computeNormalization(trainImages);
        case InputNormalization::Kind::None:
            return {};
        case InputNormalization::Kind::Given:
            break;
    }
    const auto channels = static_cast<size_t>(trainImages.size(1));
    if (parsed.mean.size() == 1)
        return {std::vector<float>(channels, parsed.mean[0]), std::vector<float>(channels, parsed.std[0])};
    if (parsed.mean.size() != channels)
        throw Error(
            "input_normalization",
            "gives " + std::to_string(parsed.mean.size()) + " channels, the images have " + std::to_string(channels),
            "give one mean/std pair per channel, or one for all");
    return {parsed.mean, parsed.std};
}

}  // namespace csq::data
