#include "bench/step_bench.h"

#include <sys/resource.h>

#include <torch/torch.h>

#include "csq/config.h"
#include "csq/errors.h"
#include "models/zoo.h"
#include "quant/scheme_readout.h"
#include "train/optimizers.h"

namespace csq::bench {

namespace {

// Everything one variant needs, kept alive by the step closure.
struct Rig {
    std::shared_ptr<models::Network> net;
    std::vector<quant::NamedBitLayer> layers;
    train::OptimizerSet optim;
    TrainingConfig config;
    torch::Tensor images, labels;
    bool budget = false;
};

std::shared_ptr<Rig> makeRig(const BenchModel& m, bool floatModel, int maxBits, uint64_t seed)
{
    torch::manual_seed(seed);
    auto rig = std::make_shared<Rig>();
    rig->config.model = m.name;
    rig->config.floatModel = floatModel;
    rig->config.maxBits = maxBits;
    rig->net = models::buildModel({m.name, floatModel, maxBits, 0, m.definition, m.source},
                                  {m.channels, m.height, m.width, m.classes});
    rig->layers = quant::findBitLayers(*rig->net);
    const quant::BitInit init{rig->config.bitLogitInit, rig->config.maskLogitInit};
    for (auto& l : rig->layers) {
        if (rig->net->carriesWeights())
            l.layer->initFromFloat(l.layer->weight.detach().clone(), {}, init);
        else
            l.layer->initFresh(init);
        l.layer->setFloatMode(false);
        l.layer->bits()->setBeta(20.0);  // mid-search: gates neither flat nor saturated
    }
    rig->images = torch::randn({m.batch, m.channels, m.height, m.width});
    rig->labels = torch::randint(0, m.classes, {m.batch}, torch::kInt64);
    return rig;
}

std::function<void()> trainingStep(std::shared_ptr<Rig> rig)
{
    rig->optim = train::buildOptimizers(*rig->net, rig->layers, rig->config);
    rig->net->train();
    return [rig] {
        auto loss = torch::cross_entropy_loss(rig->net->forward(rig->images), rig->labels);
        if (rig->budget) {
            const auto& c = rig->config;
            auto deltaS = quant::precisionTensor(rig->layers, c.budgetMode) - c.targetBits;
            loss = loss + quant::budgetLoss(rig->layers, c.budgetMode, c.lambda, deltaS, c.targetBits,
                                            {c.budgetPower, c.sizePrice});
        }
        rig->optim.zeroGrad();
        loss.backward();
        rig->optim.step();
    };
}

}  // namespace

std::vector<std::string> variantNames()
{
    return {"float", "csq_search", "csq_finetune", "csq_finetune_bits", "quantized_infer"};
}

Variant buildVariant(const BenchModel& m, const std::string& name, int maxBits, uint64_t seed)
{
    if (name == "float") return {name, trainingStep(makeRig(m, true, maxBits, seed))};
    auto rig = makeRig(m, false, maxBits, seed);
    if (name == "csq_search") {
        rig->budget = true;
        return {name, trainingStep(rig)};
    }
    if (name == "csq_finetune" || name == "csq_finetune_bits") {
        for (auto& l : rig->layers) {
            auto start = l.layer->bits()->forward().detach();
            l.layer->bits()->drawTicket();
            if (name == "csq_finetune") l.layer->trainOnLattice(start);
        }
        return {name, trainingStep(rig)};
    }
    if (name == "quantized_infer") {
        for (auto& l : rig->layers) {
            l.layer->bits()->drawTicket();
            l.layer->bits()->setExact(true);
        }
        rig->net->eval();
        return {name, [rig] {
                    torch::NoGradGuard noGrad;
                    rig->net->forward(rig->images);
                }};
    }
    throw Error("csq-bench", "unknown variant '" + name + "'",
                "use one of float, csq_search, csq_finetune, "
                "csq_finetune_bits, quantized_infer");
}

std::vector<Variant> buildVariants(const BenchModel& m, int maxBits, uint64_t seed)
{
    std::vector<Variant> out;
    for (const auto& name : variantNames()) out.push_back(buildVariant(m, name, maxBits, seed));
    return out;
}

int64_t floatParameterCount(const BenchModel& m, int maxBits)
{
    const auto net = models::buildModel({m.name, true, maxBits, 0, m.definition, m.source},
                                        {m.channels, m.height, m.width, m.classes});
    int64_t n = 0;
    for (const auto& p : net->parameters()) n += p.numel();
    return n;
}

double peakRssMiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
}

}  // namespace csq::bench
