#pragma once
// The mixed-precision scheme as plain values: which bits each quantized layer keeps and the two
// precision measures of the model. Torch-free: shared by the engine, the run files and the GUI.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace csq {

// Which precision measure the budget controls (docs/method.md).
enum class BudgetMode {
    Layer,   // layer-average bits, mean_l k_l (what the CSQ paper reports)
    Size,    // size-weighted bits, sum n_l k_l / sum n_l (the real model size)
    BitOps,  // MAC-weighted bits, sum macs_l k_l / sum macs_l (the compute: BitOPs at given activation bits)
};

// What one bit of a layer weighs in a measure: 1 (layer), its weights n_l (size) or its multiply-
// accumulates per image (bitops). Each measure is sum_l unit_l k_l / sum_l unit_l.
double budgetUnit(BudgetMode mode, int64_t params, int64_t macs);

struct LayerScheme {
    std::string name;
    int64_t params = 0;            // n_l: weights in the layer
    int maxBits = 0;               // N
    std::vector<bool> kept;        // kept[b], b = 0 (LSB) .. N-1 (MSB); kept bits need not be contiguous
    bool searchable = true;        // false: held at max bits and outside the budget term
    std::string type{};            // the layer's kind: "Conv2d" or "Linear" ("" when unknown)
    std::vector<int64_t> shape{};  // its weight's shape: [out, in / groups, kh, kw] or [out, in]
    int64_t groups = 1;            // a convolution's groups (its input channels when depthwise)
    int64_t macs = 0;              // multiply-accumulates per image; 0 when not measured

    int bits() const;  // k_l = number of kept bits
};

struct ModelPrecision {
    double avgBits = 0;             // mean_l k_l
    double weightedAvgBits = 0;     // sum n_l k_l / sum n_l
    double macWeightedAvgBits = 0;  // sum macs_l k_l / sum macs_l; 0 when no layer's MACs were measured

    double measure(BudgetMode mode) const;
};

// The three measures over every quantized layer (layers held at max bits count too: they are in the model).
ModelPrecision precisionOf(const std::vector<LayerScheme>& layers);

// What the quantized layers cost to run, per image: their multiply-accumulates and the bit operations
// sum macs_l · k_l · a (a: the activation bits, 32 when float), as HAWQ-V3 and AIMET count BitOPs.
// Zero when no layer was measured.
struct ModelCost {
    int64_t macs = 0;
    double bitOps = 0;
};
ModelCost costOf(const std::vector<LayerScheme>& layers, int actBits);

// The model's weight storage in KiB: each quantized layer's n_l weights at its k_l kept bits, every
// other parameter of totalParams (biases, batch norm, layers outside the scheme) as float32. With no
// layers it is the float model's size. The one formula the run files, sweeps and the GUI share.
double weightKiB(const std::vector<LayerScheme>& layers, int64_t totalParams);

// The layers of a scheme.json or summary.json text ({"layers": [{name, params, max_bits, kept,
// searchable, type, shape, groups}]}); max_bits defaults to kept's length, searchable to true, the
// rest to unknown. Throws csq::Error naming
// `source` and the layer at fault. The one reader the GUI and the engine share.
std::vector<LayerScheme> schemeLayersFromJson(const std::string& text, const std::string& source);

}  // namespace csq
