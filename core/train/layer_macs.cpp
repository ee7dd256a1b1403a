#include "train/layer_macs.h"

#include <deque>
#include <map>
#include <set>

#include <torch/csrc/autograd/functions/accumulate_grad.h>

namespace csq::train {

namespace {

using torch::autograd::Node;

// The leaf a weight edge comes from, through the ops that only reshape or copy it on its way (a
// transpose for linear, a layout copy for channels-last convs); null when the edge reads something else.
const torch::autograd::Variable* leafOf(const std::shared_ptr<Node>& start)
{
    static const std::set<std::string> passThrough{"TBackward0", "CopyBackwards", "ToCopyBackward0", "CloneBackward0",
                                                   "PermuteBackward0"};
    for (auto node = start; node;) {
        if (auto* acc = dynamic_cast<torch::autograd::AccumulateGrad*>(node.get())) return &acc->variable;
        if (!passThrough.count(node->name()) || node->next_edges().size() != 1) return nullptr;
        node = node->next_edges()[0].function;
    }
    return nullptr;
}

}  // namespace

void measureLayerMacs(models::Network& network, const std::vector<quant::NamedBitLayer>& layers,
                      const models::InputShape& input)
{
    if (layers.empty()) return;
    // A float pass (each layer on its float weight, a leaf) in evaluation mode, with autograd on so the
    // graph is recorded; the batch norms' statistics stay untouched.
    std::vector<bool> wasFloat;
    for (const auto& l : layers) {
        wasFloat.push_back(l.layer->floatMode());
        l.layer->setFloatMode(true);
    }
    const bool wasTraining = network.is_training();
    network.eval();
    std::map<const c10::TensorImpl*, size_t> byWeight;
    for (size_t i = 0; i < layers.size(); ++i) byWeight[layers[i].layer->weight.unsafeGetTensorImpl()] = i;
    try {
        torch::AutoGradMode grad(true);
        const auto device = layers.front().layer->weight.device();
        const auto out = network.forward(torch::zeros({1, input.channels, input.height, input.width}, device));
        std::deque<std::shared_ptr<Node>> todo{out.grad_fn()};
        std::set<const Node*> seen;
        while (!todo.empty()) {
            auto node = todo.front();
            todo.pop_front();
            if (!node || !seen.insert(node.get()).second) continue;
            for (const auto& edge : node->next_edges()) {
                if (const auto* leaf = leafOf(edge.function)) {
                    const auto it = byWeight.find(leaf->unsafeGetTensorImpl());
                    if (it != byWeight.end() && node->num_inputs() > 0 && layers[it->second].layer->macs() == 0) {
                        const auto& w = layers[it->second].layer->weight;
                        const int64_t outputs = node->input_metadata(0).zeros_like().numel();
                        layers[it->second].layer->setMacs(outputs * (w.numel() / w.size(0)));
                    }
                }
                todo.push_back(edge.function);
            }
        }
    } catch (...) {
        for (size_t i = 0; i < layers.size(); ++i) layers[i].layer->setFloatMode(wasFloat[i]);
        network.train(wasTraining);
        throw;
    }
    for (size_t i = 0; i < layers.size(); ++i) layers[i].layer->setFloatMode(wasFloat[i]);
    network.train(wasTraining);
}

}  // namespace csq::train
