#include "quant/bit_weight.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "quant/bit_compose.h"
#include "quant/gate.h"

namespace csq::quant {

namespace {

std::vector<int64_t> withBitDim(int maxBits, const std::vector<int64_t>& shape)
{
    std::vector<int64_t> out{maxBits};
    out.insert(out.end(), shape.begin(), shape.end());
    return out;
}

// 2^b for b = 0..N-1 in the given dtype.
torch::Tensor powersOfTwo(int maxBits, const torch::TensorOptions& options)
{
    return torch::pow(2.0, torch::arange(maxBits, options));
}

}  // namespace

BitWeightImpl::BitWeightImpl(std::vector<int64_t> weightShape, int maxBits)
    : shape_(std::move(weightShape)), maxBits_(maxBits)
{
    if (maxBits < kMinBits || maxBits > kMaxBits)
        throw std::invalid_argument("max bits must be in " + std::to_string(kMinBits) + ".." +
                                    std::to_string(kMaxBits) + ", got " + std::to_string(maxBits));
    for (int64_t d : shape_)
        if (d <= 0) throw std::invalid_argument("weight dimensions must be positive");
    P = register_parameter("P", torch::zeros(withBitDim(maxBits_, shape_)));
    Q = register_parameter("Q", torch::zeros(withBitDim(maxBits_, shape_)));
    scale = register_parameter("scale", torch::ones({}));
    mask = register_parameter("mask", torch::full({maxBits_}, BitInit{}.maskLogit));
}

int64_t BitWeightImpl::numel() const
{
    int64_t n = 1;
    for (int64_t d : shape_) n *= d;
    return n;
}

std::vector<int64_t> BitWeightImpl::planeShape() const
{
    std::vector<int64_t> s(shape_.size() + 1, 1);
    s[0] = maxBits_;
    return s;
}

const torch::Tensor& BitWeightImpl::planeWeights()
{
    if (!planeWeights_.defined() || planeWeights_.device() != scale.device() ||
        planeWeights_.scalar_type() != scale.scalar_type())
        planeWeights_ = powersOfTwo(maxBits_, scale.options().requires_grad(false)) / levels();
    return planeWeights_;
}

torch::Tensor BitWeightImpl::maskGateTensor() const
{
    return ticket_ ? keptMask() : softGate(mask, beta_);
}

torch::Tensor BitWeightImpl::forward()
{
    // Training on the lattice: the straight-through weight. Without gradients (evaluation) the weight is
    // computed as exact mode computes it, so the soft and the exact model agree bit for bit.
    if (onLattice() && !exact_ && torch::GradMode::is_enabled()) {
        const double bound = static_cast<double>(lattice_.maxCode());
        auto s = scaleWithLsqGradient();
        auto clipped = (latent_ * (levels() / s)).clamp(-bound, bound);
        auto rounded = latticeCodes(clipped).to(clipped.scalar_type());
        return s / levels() * (clipped + (rounded - clipped).detach());
    }
    if (exact_ || onLattice()) return scale * (integerCodes().to(scale.scalar_type()) / levels());
    auto coeff = planeWeights() * maskGateTensor();
    return composeBits(P, Q, coeff, scale, beta_);
}

torch::Tensor BitWeightImpl::integerCodes() const
{
    torch::NoGradGuard noGrad;
    if (onLattice()) return latticeCodes(latent_ * (levels() / scale)).to(torch::kInt32);
    auto kept = keptMask().to(torch::kInt32) * powersOfTwo(maxBits_, torch::kInt32);
    auto planes = P.ge(0).to(torch::kInt32) - Q.ge(0).to(torch::kInt32);
    return (planes * kept.view(planeShape())).sum(0, false, torch::kInt32);
}

// Binary digits of |q| into P (q > 0) or Q (q < 0); right while every bit is kept.
void BitWeightImpl::writeCodes(const torch::Tensor& q, double a)
{
    auto zero = torch::zeros_like(q);
    writeDigits(torch::where(q.gt(0), q, zero), torch::where(q.lt(0), -q, zero), a);
}

// Set digits (bit masks `plus` for P, `minus` for Q) as logits +a, every other logit -a, so clear bits
// cancel exactly in the soft weight and read as 0 in the exact one.
void BitWeightImpl::writeDigits(const torch::Tensor& plus, const torch::Tensor& minus, double a)
{
    for (int b = 0; b < maxBits_; ++b) {
        auto inPlus = plus.bitwise_right_shift(b).bitwise_and(1).to(torch::kBool);
        auto inMinus = minus.bitwise_right_shift(b).bitwise_and(1).to(torch::kBool);
        P[b].copy_(torch::where(inPlus, a, -a));
        Q[b].copy_(torch::where(inMinus, a, -a));
    }
}

torch::Tensor BitWeightImpl::latticeCodes(const torch::Tensor& v) const
{
    torch::NoGradGuard noGrad;
    auto index = lattice_.nearestIndex(v.detach()).flatten();
    return lattice_.values().index_select(0, index).view(v.sizes());
}

void BitWeightImpl::trainOnLattice(const torch::Tensor& latent)
{
    if (latent.sizes().vec() != shape_)
        throw std::invalid_argument("trainOnLattice: latent shape " + c10::str(latent.sizes()) +
                                    " does not match the layer's " + c10::str(c10::IntArrayRef(shape_)));
    lattice_ = BitLattice(keptBits(), P.device());
    latent_ = latent;
}

// The scale's gradient sums over every weight, so it is scaled by 1/sqrt(n * Q_p) (LSQ, Esser et al.
// 2020; Q_p the lattice's positive levels): the scale then moves at the pace of a single weight.
torch::Tensor BitWeightImpl::scaleWithLsqGradient() const
{
    const double positiveLevels = std::max<double>(1.0, static_cast<double>(lattice_.values().numel() - 1) / 2.0);
    const double k = 1.0 / std::sqrt(static_cast<double>(numel()) * positiveLevels);
    return (scale - scale * k).detach() + scale * k;
}

// Only the lattice's shape matters up to scale (kept {0} and kept {7} both make a ternary layer), so
// the scale is searched on a grid: max code at alpha * max|w| for alpha in (0, 1], least rounding error.
void BitWeightImpl::fitScaleToLattice(const torch::Tensor& w)
{
    torch::NoGradGuard noGrad;
    const double top = w.abs().max().item<double>();
    if (!std::isfinite(top) || top == 0.0 || lattice_.maxCode() == 0) return;
    double bestScale = scale.item<double>(), bestError = std::numeric_limits<double>::infinity();
    constexpr int kSteps = 64;
    for (int i = 1; i <= kSteps; ++i) {
        const double s = top * i / kSteps * levels() / static_cast<double>(lattice_.maxCode());
        auto rounded = latticeCodes(w * (levels() / s)).to(w.scalar_type());
        const double error = (rounded * (s / levels()) - w).square().sum().item<double>();
        if (error < bestError) bestError = error, bestScale = s;
    }
    scale.fill_(bestScale);
}

void BitWeightImpl::initFromFloat(const torch::Tensor& w0, const BitInit& init)
{
    if (w0.sizes().vec() != shape_)
        throw std::invalid_argument("initFromFloat: weight shape " + c10::str(w0.sizes()) +
                                    " does not match the layer's " + c10::str(c10::IntArrayRef(shape_)));
    torch::NoGradGuard noGrad;
    auto w = w0.detach().to(P.device(), P.scalar_type());
    double s = w.abs().max().item<double>();
    if (!std::isfinite(s)) throw std::invalid_argument("initFromFloat: weights contain NaN or Inf");
    if (s == 0.0) s = 1.0;  // all-zero weights: every code is 0, any scale reproduces them
    writeCodes(torch::round(w.abs() / s * levels()).to(torch::kInt64) * w.sign().to(torch::kInt64), init.bitLogit);
    scale.fill_(s);
    if (searchable_ && !ticket_) mask.fill_(init.maskLogit);
}

void BitWeightImpl::setFromCodes(const torch::Tensor& codes, const torch::Tensor& scaleValue,
                                 const std::vector<bool>& kept)
{
    if (codes.sizes().vec() != shape_)
        throw std::invalid_argument("codes have shape " + c10::str(codes.sizes()) + ", the layer expects " +
                                    c10::str(c10::IntArrayRef(shape_)));
    if (scaleValue.numel() != 1) throw std::invalid_argument("scale must hold one value");
    if (static_cast<int>(kept.size()) != maxBits_)
        throw std::invalid_argument("kept bits: expected " + std::to_string(maxBits_) + " entries, got " +
                                    std::to_string(kept.size()));
    auto q = codes.to(torch::kInt64).to(P.device());
    // Signed digits on the kept bits only: binary digits of a code such as 96 = 128 - 32 (kept {7, 5})
    // would need bit 6.
    const BitLattice lattice(kept, P.device());
    torch::Tensor index;
    try {
        index = lattice.exactIndex(q).flatten();
    } catch (const std::invalid_argument&) {
        throw std::invalid_argument("codes cannot be written with the kept bits of this " + std::to_string(maxBits_) +
                                    "-bit layer (out of range or using a dropped bit)");
    }
    torch::NoGradGuard noGrad;
    writeDigits(lattice.plusDigits().index_select(0, index).view(q.sizes()),
                lattice.minusDigits().index_select(0, index).view(q.sizes()), BitInit{}.bitLogit);
    scale.copy_(scaleValue.reshape({}));
    setKeptBits(kept, BitInit{}.maskLogit);
}

void BitWeightImpl::drawTicket()
{
    ticket_ = true;
    mask.set_requires_grad(false);
}

std::vector<bool> topBitsKept(int maxBits, int bits)
{
    if (bits < 1 || bits > maxBits)
        throw std::invalid_argument(std::to_string(bits) + " bits in a " + std::to_string(maxBits) + "-bit layer");
    std::vector<bool> kept(static_cast<size_t>(maxBits), false);
    for (int b = maxBits - bits; b < maxBits; ++b) kept[static_cast<size_t>(b)] = true;
    return kept;
}

void BitWeightImpl::holdAtBits(int bits, double maskLogit)
{
    holdAtKept(topBitsKept(maxBits_, bits), maskLogit);
}

void BitWeightImpl::holdAtKept(const std::vector<bool>& kept, double maskLogit)
{
    if (std::find(kept.begin(), kept.end(), true) == kept.end())
        throw std::invalid_argument("holdAtKept: a layer keeps at least one bit");
    setKeptBits(kept, std::abs(maskLogit) > 0 ? std::abs(maskLogit) : 1.0);
    searchable_ = false;
    drawTicket();
}

void BitWeightImpl::setKeptBits(const std::vector<bool>& kept, double magnitude)
{
    if (static_cast<int>(kept.size()) != maxBits_)
        throw std::invalid_argument("setKeptBits: expected " + std::to_string(maxBits_) + " entries, got " +
                                    std::to_string(kept.size()));
    torch::NoGradGuard noGrad;
    for (int b = 0; b < maxBits_; ++b) mask[b].fill_(kept[static_cast<size_t>(b)] ? magnitude : -magnitude);
}

torch::Tensor BitWeightImpl::maskGates() const
{
    torch::NoGradGuard noGrad;
    return maskGateTensor().detach();
}

torch::Tensor BitWeightImpl::maskGateSum() const
{
    return maskGateTensor().sum();
}

torch::Tensor BitWeightImpl::keptMask() const
{
    torch::NoGradGuard noGrad;
    auto m = mask.detach();
    // No host sync: the floor is the minBits largest logits (on ties the lower bit), with tensor ops.
    const auto order = std::get<1>(m.sort(/*stable=*/true, /*dim=*/0, /*descending=*/true));
    auto best = torch::zeros_like(m, torch::kBool).index_fill_(0, order.slice(0, 0, minBits_), true);
    return m.ge(0).logical_or(best).to(m.scalar_type());
}

void BitWeightImpl::setMinBits(int bits)
{
    if (bits < 1 || bits > maxBits_)
        throw std::invalid_argument("min bits must be in 1.." + std::to_string(maxBits_) + ", got " +
                                    std::to_string(bits));
    minBits_ = bits;
}

std::vector<bool> BitWeightImpl::keptBits() const
{
    auto k = keptMask().to(torch::kCPU, torch::kDouble).contiguous();
    std::vector<bool> kept(static_cast<size_t>(maxBits_));
    for (int b = 0; b < maxBits_; ++b) kept[static_cast<size_t>(b)] = k.data_ptr<double>()[b] != 0.0;
    return kept;
}

}  // namespace csq::quant
