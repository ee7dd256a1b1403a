#pragma once
// Training-step variants of one network for csq-bench: plain float, CSQ search (bits and masks
// soft, budget term on), CSQ finetune (lattice, the default; and bit logits with beta rewound), and
// inference of the exact integer model. Random input of the dataset's shape: only speed is measured.
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace csq::bench {

struct BenchModel {
    std::string name;  // zoo name, or the model file's stem
    int64_t channels, height, width, batch;
    std::string definition{};  // a spec's JSON or a TorchScript archive; "" = the zoo model `name`
    std::string source{};      // the model file, for messages
    int64_t classes = 10;
};

struct Variant {
    std::string name;            // float | csq_search | csq_finetune | csq_finetune_bits | quantized_infer
    std::function<void()> step;  // one training step (or one inference batch)
};

// Builds every variant of `model` at `maxBits` (each owns its network and optimizers).
std::vector<Variant> buildVariants(const BenchModel& model, int maxBits, uint64_t seed);
// One variant alone (for the memory probe of a child process).
Variant buildVariant(const BenchModel& model, const std::string& variant, int maxBits, uint64_t seed);
std::vector<std::string> variantNames();

// Parameters of the float network the "float" variant trains.
int64_t floatParameterCount(const BenchModel& model, int maxBits);

// Peak resident set of this process so far, MiB.
double peakRssMiB();

}  // namespace csq::bench
