#include "models/network.h"

#include "quant/bit_layer.h"

namespace csq::models {

quant::RankMax rankMaxFrom(RankSum sum, int rank, int world)
{
    return [sum = std::move(sum), rank, world](const torch::Tensor& x) {
        auto slots = torch::zeros({world}, x.options()).unsqueeze(1).repeat({1, x.numel()});
        slots[rank].copy_(x.reshape({-1}));
        std::vector<torch::Tensor> tensors{slots};
        sum(tensors);
        return std::get<0>(tensors[0].max(0)).reshape(x.sizes());
    };
}

void Network::shareActivationRanges(const quant::RankMax& rankMax)
{
    for (auto& m : modules(/*include_self=*/false))
        if (auto* q = dynamic_cast<quant::ActQuantizerImpl*>(m.get())) q->shareRanges(rankMax);
}

LayerQuant LayerFactory::quantFor(const std::string& name, LayerQuant fromSpec) const
{
    if (const auto rule = ruleFor(rules_, name)) {
        fromSpec.quantize = rule->quantize;
        if (rule->maxBits > 0) fromSpec.maxBits = rule->maxBits;
    }
    return fromSpec;
}

int LayerFactory::nextInputBits()
{
    const int bits = first_ ? 0 : actBits_;
    first_ = false;
    return bits;
}

torch::nn::AnyModule LayerFactory::conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding,
                                        bool bias, LayerQuant quant)
{
    const int inputBits = nextInputBits();
    if (!quantizes(quant))
        return torch::nn::AnyModule(
            torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(bias)));
    quant::BitConv2dOptions o;
    o.in = in;
    o.out = out;
    o.kernel = {kernel, kernel};
    o.stride = {stride, stride};
    o.padding = {padding, padding};
    o.bias = bias;
    o.maxBits = maxBitsOf(quant);
    quant::BitConv2d layer(o);
    layer->setInputBits(inputBits, quant.signedInput);
    return torch::nn::AnyModule(layer);
}

torch::nn::AnyModule LayerFactory::linear(int64_t in, int64_t out, bool bias, LayerQuant quant)
{
    const int inputBits = nextInputBits();
    if (!quantizes(quant)) return torch::nn::AnyModule(torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(bias)));
    quant::BitLinear layer(quant::BitLinearOptions{in, out, bias, maxBitsOf(quant)});
    layer->setInputBits(inputBits, quant.signedInput);
    return torch::nn::AnyModule(layer);
}

}  // namespace csq::models
