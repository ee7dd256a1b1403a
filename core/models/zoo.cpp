#include "models/zoo.h"

#include "csq/errors.h"

namespace csq::models {

namespace nn = torch::nn;

namespace {

// Sequential stacks, for the plain feed-forward models.
class SequentialNetwork : public Network {
public:
    SequentialNetwork(nn::Sequential features, nn::Sequential classifier)
        : features_(register_module("features", features)), classifier_(register_module("classifier", classifier))
    {
    }
    torch::Tensor forward(torch::Tensor x) override { return classifier_->forward(features_->forward(x)); }

private:
    nn::Sequential features_, classifier_;
};

std::shared_ptr<Network> buildMlp(LayerFactory& make, const InputShape& in)
{
    nn::Sequential features{nn::Flatten()};
    nn::Sequential classifier;
    classifier->push_back(make.linear(in.channels * in.height * in.width, 300));
    classifier->push_back(nn::ReLU());
    classifier->push_back(make.linear(300, 100));
    classifier->push_back(nn::ReLU());
    classifier->push_back(make.linear(100, in.classes));
    return std::make_shared<SequentialNetwork>(features, classifier);
}

// LeNet-5 with batch norm after each convolution (trains stably at 2 bits, unlike the 1998 original).
std::shared_ptr<Network> buildLenet5(LayerFactory& make, const InputShape& in)
{
    nn::Sequential features;
    features->push_back(make.conv(in.channels, 6, 5, 1, 2, false));
    features->push_back(nn::BatchNorm2d(6));
    features->push_back(nn::ReLU());
    features->push_back(nn::MaxPool2d(2));
    features->push_back(make.conv(6, 16, 5, 1, 0, false));
    features->push_back(nn::BatchNorm2d(16));
    features->push_back(nn::ReLU());
    features->push_back(nn::MaxPool2d(2));
    const int64_t h = (in.height / 2 - 4) / 2, w = (in.width / 2 - 4) / 2;
    if (h <= 0 || w <= 0)
        throw Error("model lenet5", "input " + std::to_string(in.height) + "x" + std::to_string(in.width) +
                                        " is too small", "use images of at least 12x12 or another model");
    nn::Sequential classifier{nn::Flatten()};
    classifier->push_back(make.linear(16 * h * w, 120));
    classifier->push_back(nn::ReLU());
    classifier->push_back(make.linear(120, 84));
    classifier->push_back(nn::ReLU());
    classifier->push_back(make.linear(84, in.classes));
    return std::make_shared<SequentialNetwork>(features, classifier);
}

// CIFAR-style basic block with a projection shortcut (1x1 conv + BN) where the shape changes.
class BasicBlock : public nn::Module {
public:
    BasicBlock(LayerFactory& make, int64_t in, int64_t out, int64_t stride)
    {
        conv1Any_ = make.conv(in, out, 3, stride, 1, false);
        register_module("conv1", conv1Any_.ptr());
        bn1_ = register_module("bn1", nn::BatchNorm2d(out));
        conv2Any_ = make.conv(out, out, 3, 1, 1, false);
        register_module("conv2", conv2Any_.ptr());
        bn2_ = register_module("bn2", nn::BatchNorm2d(out));
        if (stride != 1 || in != out) {
            shortcut_ = nn::Sequential();
            shortcut_->push_back(make.conv(in, out, 1, stride, 0, false));
            shortcut_->push_back(nn::BatchNorm2d(out));
            register_module("shortcut", shortcut_);
        }
    }
    torch::Tensor forward(const torch::Tensor& x)
    {
        auto y = torch::relu(bn1_->forward(conv1Any_.forward(x)));
        y = bn2_->forward(conv2Any_.forward(y));
        return torch::relu(y + (shortcut_ ? shortcut_->forward(x) : x));
    }

private:
    nn::AnyModule conv1Any_, conv2Any_;
    nn::BatchNorm2d bn1_{nullptr}, bn2_{nullptr};
    nn::Sequential shortcut_{nullptr};
};

class ResNet20 : public Network {
public:
    ResNet20(LayerFactory& make, const InputShape& in)
    {
        stemConv_ = make.conv(in.channels, 16, 3, 1, 1, false);
        register_module("conv1", stemConv_.ptr());
        bn_ = register_module("bn1", nn::BatchNorm2d(16));
        int64_t channels = 16;
        for (int stage = 0; stage < 3; ++stage) {
            const int64_t width = 16 << stage;
            // A list per stage: parameter names read layer1.0.conv1.weight, as in PyTorch's ResNets.
            nn::ModuleList list;
            for (int b = 0; b < 3; ++b) {
                auto block = std::make_shared<BasicBlock>(make, channels, width, (stage > 0 && b == 0) ? 2 : 1);
                list->push_back(block);
                blocks_.push_back(block);
                channels = width;
            }
            register_module("layer" + std::to_string(stage + 1), list);
        }
        fc_ = make.linear(64, in.classes);
        register_module("fc", fc_.ptr());
    }
    torch::Tensor forward(torch::Tensor x) override
    {
        x = torch::relu(bn_->forward(stemConv_.forward(x)));
        for (auto& block : blocks_) x = block->forward(x);
        x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
        return fc_.forward(x);
    }

private:
    nn::AnyModule stemConv_, fc_;
    nn::BatchNorm2d bn_{nullptr};
    std::vector<std::shared_ptr<BasicBlock>> blocks_;
};

}  // namespace

std::vector<std::string> zooNames() { return {"mlp", "lenet5", "resnet20"}; }

std::shared_ptr<Network> buildModel(const ModelOptions& options, const InputShape& input)
{
    LayerFactory make(options.floatModel, options.maxBits, options.actBits);
    if (options.name == "mlp") return buildMlp(make, input);
    if (options.name == "lenet5") return buildLenet5(make, input);
    if (options.name == "resnet20") return std::make_shared<ResNet20>(make, input);
    throw Error("model", "unknown model '" + options.name + "'", "choose one of: mlp, lenet5, resnet20");
}

}  // namespace csq::models
