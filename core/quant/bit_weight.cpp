#include "quant/bit_weight.h"

#include <cmath>
#include <stdexcept>
#include <string>

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

torch::Tensor BitWeightImpl::maskGateTensor() const
{
    return ticket_ ? keptMask() : softGate(mask, beta_);
}

torch::Tensor BitWeightImpl::forward()
{
    if (exact_) return scale * (integerCodes().to(scale.scalar_type()) / levels());
    auto coeff = powersOfTwo(maxBits_, scale.options()) / levels() * maskGateTensor();
    auto planes = softGate(P, beta_) - softGate(Q, beta_);
    return scale * (planes * coeff.view(planeShape())).sum(0);
}

torch::Tensor BitWeightImpl::integerCodes() const
{
    torch::NoGradGuard noGrad;
    auto kept = keptMask().to(torch::kInt32) * powersOfTwo(maxBits_, torch::kInt32);
    auto planes = P.ge(0).to(torch::kInt32) - Q.ge(0).to(torch::kInt32);
    return (planes * kept.view(planeShape())).sum(0, false, torch::kInt32);
}

// Binary digits of |q| into P (q > 0) or Q (q < 0) as logits +a; every other logit -a, so clear bits
// cancel exactly in the soft weight and read as 0 in the exact one.
void BitWeightImpl::writeCodes(const torch::Tensor& q, double a)
{
    auto magnitude = q.abs();
    auto positive = q.gt(0), negative = q.lt(0);
    for (int b = 0; b < maxBits_; ++b) {
        auto bit = magnitude.bitwise_right_shift(b).bitwise_and(1).to(torch::kBool);
        P[b].copy_(torch::where(bit & positive, a, -a));
        Q[b].copy_(torch::where(bit & negative, a, -a));
    }
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
    auto q = codes.to(torch::kInt64).to(P.device());
    if (q.abs().max().item<int64_t>() > static_cast<int64_t>(levels()))
        throw std::invalid_argument("codes exceed the " + std::to_string(maxBits_) + "-bit range");
    torch::NoGradGuard noGrad;
    writeCodes(q, BitInit{}.bitLogit);
    scale.copy_(scaleValue.reshape({}));
    setKeptBits(kept, BitInit{}.maskLogit);
}

void BitWeightImpl::drawTicket()
{
    ticket_ = true;
    mask.set_requires_grad(false);
}

void BitWeightImpl::holdAtMaxBits(double maskLogit)
{
    torch::NoGradGuard noGrad;
    mask.fill_(std::abs(maskLogit) > 0 ? std::abs(maskLogit) : 1.0);
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

torch::Tensor BitWeightImpl::maskGateSum() const { return maskGateTensor().sum(); }

torch::Tensor BitWeightImpl::keptMask() const
{
    torch::NoGradGuard noGrad;
    auto m = mask.detach();
    auto kept = m.ge(0);
    // No host sync: the fallback is selected with tensor ops.
    auto best = torch::zeros_like(kept).index_fill_(0, m.argmax().unsqueeze(0), true);
    return torch::where(kept.any(), kept, best).to(m.scalar_type());
}

std::vector<bool> BitWeightImpl::keptBits() const
{
    auto k = keptMask().to(torch::kCPU, torch::kDouble).contiguous();
    std::vector<bool> kept(static_cast<size_t>(maxBits_));
    for (int b = 0; b < maxBits_; ++b) kept[static_cast<size_t>(b)] = k.data_ptr<double>()[b] != 0.0;
    return kept;
}

}  // namespace csq::quant
