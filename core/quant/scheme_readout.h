#pragma once
// Finds the quantized layers of a model and reads the scheme and the budget term from them.
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "csq/scheme.h"
#include "quant/bit_layer.h"

namespace csq::quant {

struct NamedBitLayer {
    std::string name;
    std::shared_ptr<BitLayer> layer;
};

// Every BitLayer in module order, named by its path in the model ("features.0").
std::vector<NamedBitLayer> findBitLayers(torch::nn::Module& model);

LayerScheme readLayerScheme(const NamedBitLayer& layer);
std::vector<LayerScheme> readScheme(const std::vector<NamedBitLayer>& layers);

// What one bit of this layer weighs in the mode's measure (csq::budgetUnit): 1, its weights or its MACs.
double budgetUnit(const NamedBitLayer& layer, BudgetMode mode);

// Per-layer weights of the budget term over the searchable layers: 1 in Layer mode; in Size and BitOps
// mode L * u_l^a / sum u^a (u_l the layer's weights or MACs, a = sizeExponent), so the mean weight
// stays 1 and lambda means the same in every mode. a = 1 is the measure's own gradient; a < 1 prices
// a big layer's bits below its share of the measure (config size_price). Throws if no searchable
// layer has a cost in the measure (BitOps before the MACs were measured).
std::vector<double> budgetWeights(const std::vector<NamedBitLayer>& layers, BudgetMode mode, double sizeExponent = 1.0);

// How the budget term prices a layer's bits (config budget_power and size_price); the defaults are the
// paper's term.
struct BitPrice {
    double power = 1.0;
    double sizeExponent = 1.0;
};

// sum_l w_l c_l sum_b f(m_b) over searchable layers: multiply by lambda * delta_S for the loss. The
// price c_l is 1 (the paper) unless priceExponent (a 0-d tensor) is given: (S_l / target)^priceExponent,
// S_l = sum_b f(m_b) held constant in the step.
torch::Tensor budgetTerm(const std::vector<NamedBitLayer>& layers, BudgetMode mode,
                         const torch::Tensor& priceExponent = {}, double target = 1.0, double sizeExponent = 1.0);

// The loss's budget term, lambda * delta_S * budgetTerm. With power 1 every kept bit of a layer costs
// its weight w_l (the paper's term). With power p > 1 each layer's bits are priced by how many it
// holds: c_l = (S_l / target)^(p - 1) while the scheme is above the target (delta_S > 0) and its
// inverse below. A layer rich in bits then loses them first and a layer near one bit last (a last bit
// costs far more accuracy than the first-order gate gradient tells), and when bits grow back the
// poorest layer gains first. price.sizeExponent sets the Size-mode weights (budgetWeights). deltaS is a
// 0-d tensor (no host synchronisation).
torch::Tensor budgetLoss(const std::vector<NamedBitLayer>& layers, BudgetMode mode, double lambda,
                         const torch::Tensor& deltaS, double target, const BitPrice& price = {});

// Makes the hard scheme meet the budget before it freezes: drops the kept bits of lowest mask logit
// while the measure exceeds the target, then restores the dropped bits of highest logit while that
// keeps it within the target. Searchable layers only; every layer keeps at least one bit. The mask
// gates hover around zero for the marginal bits, so the scheme at the ticket is otherwise a bit
// above or below the target by chance. Returns the number of bits changed.
int meetBudget(const std::vector<NamedBitLayer>& layers, BudgetMode mode, double target);

// Each searchable layer keeps as many bits as it has, as one contiguous run ending at its highest kept
// bit: an evenly spaced grid of codes instead of the uneven one a gap leaves (bit_lattice.h), over
// the same range. The measure is unchanged. Returns the number of bits changed.
int makeKeptBitsContiguous(const std::vector<NamedBitLayer>& layers);

// The budget's precision measure now, from m_b >= 0, as a 0-d tensor on the model's device: the
// trainer's delta_S without a host synchronisation per batch.
torch::Tensor precisionTensor(const std::vector<NamedBitLayer>& layers, BudgetMode mode);

}  // namespace csq::quant
