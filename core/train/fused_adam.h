#pragma once
// Adam with the update of each parameter in one parallel pass over its elements (torch's Adam makes
// about seven: decay, two moment updates, sqrt, division, add, with temporaries). CSQ's bit logits
// are 2N times the weights, so this pass matters. Same state layout as torch::optim::Adam, so
// checkpoints read and write the same; float32 contiguous CPU parameters take the fused path, any
// other case (CUDA, double, AMSGrad) torch's own step.
#include <torch/torch.h>

namespace csq::train {

class FusedAdam : public torch::optim::Adam {
public:
    using torch::optim::Adam::Adam;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace csq::train
