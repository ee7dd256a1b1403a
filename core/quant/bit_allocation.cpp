#include "quant/bit_allocation.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "quant/bit_weight.h"

namespace csq::quant {

torch::Tensor latticeWeight(const torch::Tensor& w, int maxBits, int bits)
{
    const auto kept = topBitsKept(maxBits, bits);  // throws on a count the layer cannot hold
    torch::NoGradGuard noGrad;
    // A throw-away layer of the same shape: the finetune's own rounding and scale fit, not a copy of them.
    BitWeight probe(w.sizes().vec(), maxBits);
    probe->to(w.device());
    probe->setKeptBits(kept, 1.0);
    const auto latent = w.detach().clone();
    probe->trainOnLattice(latent);
    probe->fitScaleToLattice(latent);
    return probe->forward().detach();
}

namespace {

constexpr int64_t kMaxSteps = int64_t{1} << 18;

// Sizes and budget in whole steps: exact steps of the sizes' common divisor where they are integers and
// few enough, else 2^18 steps over the budget with sizes rounded up (never over the budget).
struct Steps {
    std::vector<int64_t> size;
    int64_t budget = 0;
};

Steps toSteps(const std::vector<BitChoice>& layers, double budget)
{
    Steps s;
    bool integral = true;
    int64_t divisor = 0;
    for (const auto& l : layers) {
        if (!(l.size > 0) || !std::isfinite(l.size))
            throw std::invalid_argument("allocateBits: a layer's size must be positive, got " + std::to_string(l.size));
        integral = integral && l.size == std::round(l.size) && l.size < 1e15;
        if (integral) divisor = std::gcd(divisor, static_cast<int64_t>(l.size));
    }
    double step = integral ? static_cast<double>(divisor) : 0.0;
    if (!integral || budget / step > static_cast<double>(kMaxSteps)) step = budget / static_cast<double>(kMaxSteps);
    for (const auto& l : layers) s.size.push_back(static_cast<int64_t>(std::ceil(l.size / step - 1e-9)));
    s.budget = static_cast<int64_t>(std::floor(budget / step + 1e-9));
    return s;
}

}  // namespace

std::vector<int> allocateBits(const std::vector<BitChoice>& layers, double budget)
{
    std::vector<int> bits(layers.size(), 1);
    for (const auto& l : layers)
        if (l.cost.empty()) throw std::invalid_argument("allocateBits: a layer needs the cost of at least 1 bit");
    if (layers.empty() || !(budget > 0)) return bits;
    const auto steps = toSteps(layers, budget);
    int64_t floor = 0;
    for (auto s : steps.size) floor += s;
    if (floor >= steps.budget) return bits;

    // best[c]: least summed cost of the layers so far within c steps; choice[i][c]: layer i's bits there.
    const auto width = static_cast<size_t>(steps.budget + 1);
    constexpr double kNone = std::numeric_limits<double>::infinity();
    std::vector<double> best(width, 0.0), next(width);
    std::vector<std::vector<uint8_t>> choice(layers.size(), std::vector<uint8_t>(width, 0));
    for (size_t i = 0; i < layers.size(); ++i) {
        const auto& cost = layers[i].cost;
        for (size_t c = 0; c < width; ++c) {
            next[c] = kNone;
            for (size_t k = 1; k <= cost.size(); ++k) {
                const auto used = static_cast<size_t>(steps.size[i]) * k;
                if (used > c) break;
                const double total = best[c - used] + cost[k - 1];
                if (total < next[c]) next[c] = total, choice[i][c] = static_cast<uint8_t>(k);
            }
        }
        best.swap(next);
    }
    auto c = static_cast<size_t>(steps.budget);
    for (size_t i = layers.size(); i-- > 0;) {
        bits[i] = choice[i][c];
        c -= static_cast<size_t>(steps.size[i]) * static_cast<size_t>(bits[i]);
    }
    return bits;
}

}  // namespace csq::quant
