#include "models/spec_network.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

#include "csq/errors.h"
#include "quant/bit_layer.h"

namespace csq::models {

namespace nn = torch::nn;

namespace {

// What flows between layers: an image [C, H, W] or, after a flatten, a vector of `c` features.
struct Shape {
    int64_t c = 0, h = 0, w = 0;
    bool flat = false;
    bool nonNegative = false;  // every value >= 0 (after a ReLU): the next layer's activations are unsigned
    std::string str() const
    {
        return flat ? std::to_string(c) + " features"
                    : std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
    }
    bool operator==(const Shape& o) const { return c == o.c && h == o.h && w == o.w && flat == o.flat; }
};

// One step of the forward pass; a residual step holds its two branches.
struct Step {
    LayerKind kind = LayerKind::Relu;
    nn::AnyModule module;  // conv, linear, batch norm
    int64_t kernel = 1, stride = 1, padding = 0, outputSize = 1;
    double dropout = 0;
    double eps = 1e-5, momentum = 0.1;  // batch norm
    std::vector<Step> body, shortcut;
    bool activationAfterAdd = true;
    at::MemoryFormat layout = at::MemoryFormat::Contiguous;  // conv: the layout its input is given in
    bool foldsNorm = false;  // conv: the next step is a batch norm that evaluation folds into it
};

// A convolution runs channels-last (NHWC) on the CPU when both its widths fill AVX-512's 16 floats:
// oneDNN's NHWC kernels then skip the reorders NCHW needs around each call (resnet20's training step
// about 15 % faster, csq-bench), while on narrow layers they run slower (lenet5's 1->6->16 step twice
// as long). Batch norm, ReLU, pooling and residual adds keep whatever layout reaches them, so the
// activations change layout only where a conv asks for the other one.
at::MemoryFormat convLayout(int64_t in, int64_t out)
{
    return in >= 16 && out >= 16 ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous;
}

// `x` in `layout`, with that layout's strides even where both are valid (one channel, 1x1 images),
// since layers after a conv take their layout from its output's strides.
torch::Tensor inLayout(const torch::Tensor& x, at::MemoryFormat layout)
{
    if (x.dim() != 4 || !x.device().is_cpu() || x.suggest_memory_format() == layout) return x;
    return torch::empty_like(x, layout).copy_(x);
}

// Whether convWithNorm can run `conv` then `norm` as one conv: a conv with zero padding given in
// pixels, then a 2-D batch norm with running statistics.
bool foldable(const Step& conv, const Step& norm)
{
    if (conv.kind != LayerKind::Conv || norm.kind != LayerKind::BatchNorm) return false;
    const auto* bn = dynamic_cast<const nn::BatchNorm2dImpl*>(norm.module.ptr().get());
    if (!bn || !bn->running_mean.defined() || !bn->running_var.defined()) return false;
    if (dynamic_cast<const quant::BitLayer*>(conv.module.ptr().get())) return true;
    const auto* c = dynamic_cast<const nn::Conv2dImpl*>(conv.module.ptr().get());
    return c && c10::holds_alternative<torch::ExpandingArray<2>>(c->options.padding()) &&
           c10::holds_alternative<torch::enumtype::kZeros>(c->options.padding_mode());
}

// A conv and the batch norm after it, in evaluation mode, as one conv: the norm's per-channel map
// y * a + (beta - mean * a), a = gamma / sqrt(var + eps), folded into the conv's weight and bias, so
// the activations are written once instead of twice (evaluation and the measured ticket run about
// 15 % faster on resnet20). The same model; its sums round differently in the last bits.
torch::Tensor convWithNorm(const Step& conv, const Step& norm, const torch::Tensor& x)
{
    const auto& bn = dynamic_cast<const nn::BatchNorm2dImpl&>(*norm.module.ptr());
    auto a = torch::rsqrt(bn.running_var + bn.options.eps());
    if (bn.weight.defined()) a = a * bn.weight;
    auto b = -bn.running_mean * a;
    if (bn.bias.defined()) b = b + bn.bias;
    if (auto* bits = dynamic_cast<quant::BitLayer*>(conv.module.ptr().get())) return bits->forwardScaled(x, a, b);
    const auto& c = dynamic_cast<const nn::Conv2dImpl&>(*conv.module.ptr());
    if (c.bias.defined()) b = b + c.bias * a;
    const auto& o = c.options;
    return torch::conv2d(x, c.weight * a.view({-1, 1, 1, 1}), b, o.stride(),
                         c10::get<torch::ExpandingArray<2>>(o.padding()), o.dilation(), o.groups());
}

// Modules without parameters of their own that give dotted names their levels (features -> 0).
class Container : public nn::Module {};

class SpecNetwork : public Network {
public:
    torch::Tensor forward(torch::Tensor x) override { return run(steps, x); }

    size_t stageCount() const override { return steps.size(); }
    torch::Tensor forwardStages(torch::Tensor input, size_t from, size_t to) override
    {
        return run(steps, input, from, std::min(to, steps.size()));
    }
    size_t stageOf(const nn::Module& layer) const override
    {
        for (size_t i = 0; i < steps.size(); ++i)
            if (holds(steps[i], layer)) return i;
        return 0;
    }

    // Steps [from, to) of `sequence`; without autograd in evaluation mode a conv takes its batch norm
    // along (convWithNorm) when both lie in the range.
    torch::Tensor run(std::vector<Step>& sequence, const torch::Tensor& input, size_t from = 0, size_t to = SIZE_MAX)
    {
        to = std::min(to, sequence.size());
        const bool fold = !is_training() && !torch::GradMode::is_enabled();
        torch::Tensor x = input;
        for (size_t i = from; i < to; ++i) {
            auto& s = sequence[i];
            if (fold && s.foldsNorm && i + 1 < to) {
                x = convWithNorm(s, sequence[++i], inLayout(x, s.layout));
                continue;
            }
            x = apply(s, x, !x.is_alias_of(input));
        }
        return x;
    }

    // `own`: `x` is a temporary of this pass, which nothing else reads. Without autograd, ReLU and the
    // residual add then overwrite it instead of writing a new tensor: the same values, one memory stream
    // less (evaluation and the measured ticket). Never the tensor a pass was given: a cached stage input,
    // a residual block's input that its shortcut still reads.
    torch::Tensor apply(Step& s, torch::Tensor x, bool own = false)
    {
        const bool inPlace = own && !torch::GradMode::is_enabled();
        switch (s.kind) {
            case LayerKind::Conv:
                return s.module.forward(inLayout(x, s.layout));
            case LayerKind::Linear:
                return s.module.forward(x);
            case LayerKind::BatchNorm:
                return ranks_ && is_training() ? syncedBatchNorm(x, *s.module.ptr(), s.eps, s.momentum, ranks_)
                                               : s.module.forward(x);
            case LayerKind::Relu:
                return inPlace ? x.relu_() : x.relu();
            case LayerKind::Relu6:
                return inPlace ? torch::hardtanh_(x, 0.0, 6.0) : torch::hardtanh(x, 0.0, 6.0);
            case LayerKind::MaxPool:
                return torch::max_pool2d(x, s.kernel, s.stride, s.padding);
            case LayerKind::AvgPool:
                return torch::avg_pool2d(x, s.kernel, s.stride, s.padding);
            case LayerKind::AdaptiveAvgPool:
                return torch::adaptive_avg_pool2d(x, {s.outputSize, s.outputSize});
            case LayerKind::Flatten:
                return x.flatten(1);
            case LayerKind::Dropout:
                return torch::dropout(x, s.dropout, is_training());
            case LayerKind::Residual: {
                const bool noGrad = !torch::GradMode::is_enabled();
                auto body = run(s.body, x);
                const auto shortcut = s.shortcut.empty() ? x : run(s.shortcut, x);
                auto y = noGrad && !body.is_alias_of(x) && !body.is_alias_of(shortcut) ? body.add_(shortcut)
                                                                                       : body + shortcut;
                if (!s.activationAfterAdd) return y;
                return noGrad ? y.relu_() : y.relu();
            }
        }
        return x;
    }

    // Registers `module` under a dotted path, creating the parent levels once.
    void place(const std::string& path, const std::shared_ptr<nn::Module>& module, const std::string& jsonPath,
               const std::string& source)
    {
        if (!registered_.insert(path).second)
            throw Error(source + ": " + jsonPath + ".name", "'" + path + "' names two layers",
                        "give each layer its own name");
        nn::Module* parent = this;
        std::string prefix;
        size_t start = 0;
        for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', start)) {
            const auto level = path.substr(start, dot - start);
            prefix += (prefix.empty() ? "" : ".") + level;
            auto& container = containers_[prefix];
            if (!container) {
                if (registered_.count(prefix))
                    throw Error(source + ": " + jsonPath + ".name",
                                "'" + path + "' lies inside the layer '" + prefix + "'");
                container = std::make_shared<Container>();
                parent->register_module(level, container);
            }
            parent = container.get();
            start = dot + 1;
        }
        if (containers_.count(path))
            throw Error(source + ": " + jsonPath + ".name",
                        "'" + path + "' is already a prefix of other layers' names");
        parent->register_module(path.substr(start), module);
    }

    std::vector<Step> steps;

private:
    static bool holds(const Step& s, const nn::Module& layer)
    {
        if (!s.module.is_empty() && s.module.ptr().get() == &layer) return true;
        auto inside = [&](const std::vector<Step>& branch) {
            return std::any_of(branch.begin(), branch.end(), [&](const Step& t) { return holds(t, layer); });
        };
        return inside(s.body) || inside(s.shortcut);
    }

    std::map<std::string, std::shared_ptr<Container>> containers_;
    std::set<std::string> registered_;
};

class Builder {
public:
    Builder(SpecNetwork& net, LayerFactory& make, const InputShape& input, std::string source)
        : net_(net), make_(make), classes_(input.classes), source_(std::move(source))
    {
    }

    std::vector<Step> sequence(const std::vector<LayerSpec>& layers, Shape& shape, const std::string& prefix)
    {
        std::vector<Step> steps;
        for (size_t i = 0; i < layers.size(); ++i) steps.push_back(layer(layers[i], shape, prefix, i));
        for (size_t i = 0; i + 1 < steps.size(); ++i) steps[i].foldsNorm = foldable(steps[i], steps[i + 1]);
        return steps;
    }

private:
    [[noreturn]] void fail(const LayerSpec& l, const std::string& what, const std::string& hint = {}) const
    {
        throw Error(source_ + ": " + l.jsonPath, what, hint);
    }

    // A parametric layer's full name; unnamed ones take their index, as in torch's nn.Sequential.
    static std::string fullName(const LayerSpec& l, const std::string& prefix, size_t index)
    {
        const auto own = l.name.empty() ? std::to_string(index) : l.name;
        return prefix.empty() ? own : prefix + "." + own;
    }

    void requireImage(const LayerSpec& l, const Shape& in, const char* what) const
    {
        if (in.flat)
            fail(l, std::string(what) + " needs an image input, got " + in.str(), "move it before the flatten");
    }

    void shrink(const LayerSpec& l, Shape& s, int64_t kernel, int64_t stride, int64_t padding) const
    {
        const int64_t h = (s.h + 2 * padding - kernel) / stride + 1, w = (s.w + 2 * padding - kernel) / stride + 1;
        if (s.h + 2 * padding < kernel || s.w + 2 * padding < kernel || h <= 0 || w <= 0)
            fail(l, "input " + s.str() + " is smaller than the kernel " + std::to_string(kernel),
                 "use larger images (image_size) or remove a pooling layer");
        s.h = h;
        s.w = w;
    }

    Step layer(const LayerSpec& l, Shape& shape, const std::string& prefix, size_t index)
    {
        Step step;
        step.kind = l.kind;
        const auto quant = make_.quantFor(fullName(l, prefix, index),
                                          {l.quantize.value_or(true), l.maxBits.value_or(0), !shape.nonNegative});
        const int64_t out = l.outIsClasses ? classes_ : l.out;
        switch (l.kind) {
            case LayerKind::Conv:
                requireImage(l, shape, "a conv layer");
                step.module = make_.conv(shape.c, out, l.kernel, l.stride, l.padding, l.bias, quant);
                step.layout = convLayout(shape.c, out);
                shrink(l, shape, l.kernel, l.stride, l.padding);
                shape.c = out;
                shape.nonNegative = false;
                net_.place(fullName(l, prefix, index), step.module.ptr(), l.jsonPath, source_);
                break;
            case LayerKind::Linear:
                if (!shape.flat)
                    fail(l, "a linear layer needs flat input, got " + shape.str(),
                         "add {\"type\": \"flatten\"} before it");
                step.module = make_.linear(shape.c, out, l.bias, quant);
                shape.c = out;
                shape.nonNegative = false;
                net_.place(fullName(l, prefix, index), step.module.ptr(), l.jsonPath, source_);
                break;
            case LayerKind::BatchNorm:
                shape.nonNegative = false;
                step.eps = l.eps;
                step.momentum = l.momentum;
                if (shape.flat)
                    step.module =
                        nn::AnyModule(nn::BatchNorm1d(nn::BatchNormOptions(shape.c).eps(l.eps).momentum(l.momentum)));
                else
                    step.module =
                        nn::AnyModule(nn::BatchNorm2d(nn::BatchNormOptions(shape.c).eps(l.eps).momentum(l.momentum)));
                net_.place(fullName(l, prefix, index), step.module.ptr(), l.jsonPath, source_);
                break;
            case LayerKind::MaxPool:
            case LayerKind::AvgPool:
                requireImage(l, shape, "pooling");
                step.kernel = l.kernel;
                step.stride = l.stride;
                step.padding = l.padding;
                shrink(l, shape, l.kernel, l.stride, l.padding);
                break;
            case LayerKind::AdaptiveAvgPool:
                requireImage(l, shape, "adaptive pooling");
                step.outputSize = l.outputSize;
                shape.h = shape.w = l.outputSize;
                break;
            case LayerKind::Flatten:
                if (!shape.flat) shape = {shape.c * shape.h * shape.w, 1, 1, true, shape.nonNegative};
                break;
            case LayerKind::Dropout:
                step.dropout = l.dropout;
                break;
            case LayerKind::Relu:
            case LayerKind::Relu6:
                shape.nonNegative = true;
                break;
            case LayerKind::Residual:
                residual(l, shape, prefix, index, step);
                break;
        }
        return step;
    }

    void residual(const LayerSpec& l, Shape& shape, const std::string& prefix, size_t index, Step& step)
    {
        const auto name = fullName(l, prefix, index);
        Shape body = shape, shortcut = shape;
        step.body = sequence(l.body, body, name);
        step.shortcut = sequence(l.shortcut, shortcut, name);
        step.activationAfterAdd = l.activationAfterAdd;
        if (!(body == shortcut))
            fail(l, "the body gives " + body.str() + " but the shortcut " + shortcut.str() + "; they are added",
                 l.shortcut.empty() ? "add a \"shortcut\" projection (a 1x1 conv with the body's stride)"
                                    : "make both branches end in the same shape");
        shape = body;
        shape.nonNegative = l.activationAfterAdd || (body.nonNegative && shortcut.nonNegative);
    }

    SpecNetwork& net_;
    LayerFactory& make_;
    int64_t classes_;
    std::string source_;
};

}  // namespace

std::shared_ptr<Network> buildFromSpec(const ModelSpec& spec, LayerFactory& make, const InputShape& input,
                                       const std::string& source)
{
    auto net = std::make_shared<SpecNetwork>();
    Shape shape{input.channels, input.height, input.width, false};
    net->steps = Builder(*net, make, input, source).sequence(spec.layers, shape, "");
    if (!shape.flat || shape.c != input.classes)
        throw Error(source + ": layers",
                    "the network ends in " + shape.str() + ", not " + std::to_string(input.classes) + " class scores",
                    "end with a flatten and a linear layer with \"out\": \"classes\"");
    return net;
}

}  // namespace csq::models
