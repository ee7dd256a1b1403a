#include "data/augmentation.h"

#include <random>
#include <string>
#include <vector>

#include "csq/errors.h"

namespace csq::data {

namespace {

// Per-image source coordinates: output row i reads padded row rows[b][i], column j reads cols[b][j].
struct CropPlan {
    torch::Tensor rows;  // int64 [B, H]
    torch::Tensor cols;  // int64 [B, W]
};

// `rng() % n` rather than std::uniform_int_distribution: the latter's output differs between standard
// libraries, and the modulo bias for n <= 2p + 1 is ~1e-18.
CropPlan drawCrops(int64_t batch, int64_t height, int64_t width, const AugmentOptions& options, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    const auto offsets = static_cast<uint64_t>(2 * options.cropPadding + 1);
    std::vector<int64_t> rowStart(static_cast<size_t>(batch)), colStart(rowStart.size());
    std::vector<uint8_t> flip(rowStart.size());
    for (size_t i = 0; i < rowStart.size(); ++i) {
        rowStart[i] = static_cast<int64_t>(rng() % offsets);
        colStart[i] = static_cast<int64_t>(rng() % offsets);
        flip[i] = options.horizontalFlip && (rng() & 1) != 0;
    }
    auto rowRamp = torch::arange(height, torch::kLong).unsqueeze(0);
    auto colRamp = torch::arange(width, torch::kLong).unsqueeze(0);
    // A flip is folded into the column gather: read the crop's columns right to left.
    auto flipped = torch::tensor(flip, torch::kUInt8).to(torch::kBool).unsqueeze(1);
    auto cols =
        torch::tensor(colStart, torch::kLong).unsqueeze(1) + torch::where(flipped, (width - 1) - colRamp, colRamp);
    return {torch::tensor(rowStart, torch::kLong).unsqueeze(1) + rowRamp, cols};
}

}  // namespace

torch::Tensor augmentBatch(const torch::Tensor& images, const AugmentOptions& options, uint64_t seed)
{
    if (images.dim() != 4) throw Error("augmentBatch", "expected images [B, C, H, W]", "pass a batch of images");
    if (options.cropPadding < 0)
        throw Error("crop_padding", "must be >= 0, got " + std::to_string(options.cropPadding), "use 0 to disable");
    if (!options.enabled() || images.size(0) == 0) return images;
    const int64_t b = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
    const int64_t p = options.cropPadding;
    const auto plan = drawCrops(b, h, w, options, seed);
    auto padded = p > 0 ? torch::constant_pad_nd(images, {p, p, p, p}, 0) : images;
    // Two gathers (rows, then columns) move each output pixel once; no per-pixel loop.
    auto byRows = p > 0 ? padded.gather(2, plan.rows.view({b, 1, h, 1}).expand({b, c, h, w + 2 * p})) : padded;
    return byRows.gather(3, plan.cols.view({b, 1, 1, w}).expand({b, c, h, w}));
}

}  // namespace csq::data
