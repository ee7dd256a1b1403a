#include "csq/planned_start.h"

#include "csq/schedule.h"
#include "data/dataset_loader.h"
#include "train/run_model.h"

namespace csq {

Snapshot plannedStart(const TrainingConfig& config)
{
    requireValid(config);
    const auto shape = data::peekShape(config.data, data::loadOptions(config));
    torch::NoGradGuard noGrad;
    const auto run = train::buildRunModel(config, {shape.channels, shape.height, shape.width, shape.classes});
    Snapshot s;
    s.phase = phaseAt(config, 0);
    s.totalEpochs = config.totalEpochs();
    s.beta = betaAt(config, 0);
    for (const auto& l : run.layers) l.layer->bits()->setBeta(s.beta);
    s.lambda = config.lambda;
    s.targetBits = config.floatEpochs > 0 ? config.targetBits : budgetTargetAt(config, 0);
    s.budgetMode = config.budgetMode;
    s.lr = config.lr * lrFactorAt(config, 0);
    train::readSchemeInto(run.layers, s);
    return s;
}

}  // namespace csq
