#include "quant/bit_layer.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace csq::quant {

BitLayer::BitLayer(std::vector<int64_t> weightShape, int maxBits, bool withBias)
    : bits_(register_module("bits", BitWeight(weightShape, maxBits)))
{
    if (withBias) bias = register_parameter("bias", torch::zeros({weightShape.front()}));
    weight = register_parameter("weight", torch::zeros(weightShape), /*requires_grad=*/false);
}

void BitLayer::setFloatMode(bool on)
{
    floatMode_ = on;
    weight.set_requires_grad(on);
}

void BitLayer::commitFloatWeights(const BitInit& init)
{
    bits_->initFromFloat(weight.detach(), init);
    setFloatMode(false);
    weight.mutable_grad().reset();
}

void BitLayer::trainOnLattice(const torch::Tensor& start)
{
    {
        torch::NoGradGuard noGrad;
        weight.copy_(start);
    }
    floatMode_ = false;
    weight.set_requires_grad(true);
    for (auto* t : {&bits_->P, &bits_->Q}) {
        t->set_requires_grad(false);
        t->mutable_grad().reset();
    }
    bits_->trainOnLattice(weight);
    bits_->fitScaleToLattice(weight.detach());
}

void BitLayer::reattachLattice()
{
    bits_->trainOnLattice(weight);
}

void BitLayer::holdWeight()
{
    torch::NoGradGuard noGrad;
    held_.reset();
    held_ = currentWeight();
}

void BitLayer::initFromFloat(const torch::Tensor& floatWeight, const torch::Tensor& floatBias, const BitInit& init)
{
    bits_->initFromFloat(floatWeight, init);
    {
        torch::NoGradGuard noGrad;
        weight.copy_(floatWeight);
    }
    if (floatBias.defined() && bias.defined()) {
        if (floatBias.sizes() != bias.sizes())
            throw std::invalid_argument("initFromFloat: bias has " + std::to_string(floatBias.numel()) +
                                        " entries, the layer expects " + std::to_string(bias.numel()));
        torch::NoGradGuard noGrad;
        bias.copy_(floatBias);
    }
}

void BitLayer::setInputBits(int bits, bool isSigned)
{
    if (bits <= 0) return;
    input_ = register_module("input_quantizer", ActQuantizer(ActQuantizerOptions{bits, isSigned}));
}

void BitLayer::initFresh(const BitInit& init)
{
    {
        // Torch's Conv2d/Linear default (kaiming-uniform with a = sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        torch::NoGradGuard noGrad;
        const double bound = 1.0 / std::sqrt(static_cast<double>(fanIn()));
        weight.uniform_(-bound, bound);
    }
    bits_->initFromFloat(weight.detach(), init);
    if (bias.defined()) {
        torch::NoGradGuard noGrad;
        const double bound = 1.0 / std::sqrt(static_cast<double>(fanIn()));
        bias.uniform_(-bound, bound);
    }
}

torch::Tensor BitLayer::forwardScaled(const torch::Tensor& input, const torch::Tensor& scale,
                                      const torch::Tensor& shift)
{
    const auto w = currentWeight();
    std::vector<int64_t> perChannel(static_cast<size_t>(w.dim()), 1);
    perChannel[0] = -1;
    return apply(quantizeInput(input), w * scale.view(perChannel), bias.defined() ? bias * scale + shift : shift);
}

BitLinearImpl::BitLinearImpl(const BitLinearOptions& opts)
    : BitLayer({opts.out, opts.in}, opts.maxBits, opts.bias), options(opts)
{
    initFresh();
}

torch::Tensor BitLinearImpl::forward(const torch::Tensor& input)
{
    return apply(quantizeInput(input), currentWeight(), bias);
}

torch::Tensor BitLinearImpl::apply(const torch::Tensor& input, const torch::Tensor& withWeight,
                                   const torch::Tensor& withBias) const
{
    return torch::linear(input, withWeight, withBias);
}

namespace {

std::vector<int64_t> convWeightShape(const BitConv2dOptions& o)
{
    if (o.groups <= 0 || o.in % o.groups != 0 || o.out % o.groups != 0)
        throw std::invalid_argument("conv: groups (" + std::to_string(o.groups) + ") must divide in (" +
                                    std::to_string(o.in) + ") and out (" + std::to_string(o.out) + ") channels");
    return {o.out, o.in / o.groups, o.kernel[0], o.kernel[1]};
}

}  // namespace

BitConv2dImpl::BitConv2dImpl(const BitConv2dOptions& opts)
    : BitLayer(convWeightShape(opts), opts.maxBits, opts.bias), options(opts)
{
    initFresh();
}

int64_t BitConv2dImpl::fanIn() const
{
    return options.in / options.groups * options.kernel[0] * options.kernel[1];
}

torch::Tensor BitConv2dImpl::forward(const torch::Tensor& input)
{
    return apply(quantizeInput(input), currentWeight(), bias);
}

torch::Tensor BitConv2dImpl::apply(const torch::Tensor& input, const torch::Tensor& withWeight,
                                   const torch::Tensor& withBias) const
{
    return torch::conv2d(input, withWeight, withBias, options.stride, options.padding, options.dilation,
                         options.groups);
}

}  // namespace csq::quant
