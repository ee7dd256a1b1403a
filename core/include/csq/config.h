#pragma once
// Every knob of a CSQ training run, with its default and range, validation with readable messages,
// and JSON in/out (config.json of a run directory). Torch-free: the GUI edits it directly.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "csq/scheme.h"

namespace csq {

enum class OptimizerKind { Sgd, Adam };
// First and last quantized layers: searched like the others, or held at max bits outside the budget.
enum class EdgeLayerPolicy { Quantize, MaxBits };
enum class DevicePreference { Auto, Cpu, Cuda };
// After the ticket: train a float latent weight rounded onto the kept bits (straight-through), or keep
// training the bit logits P, Q with beta rewound (docs/method.md, the reference code's way).
enum class FinetuneMode { Lattice, Bits };
// When the loss turns NaN or Inf: stop with the reason, or go back to the last checkpoint with half
// the learning rates (at most kMaxRollbacks times).
enum class DivergencePolicy { Stop, Rollback };
inline constexpr int kMaxRollbacks = 3;

struct TrainingConfig {
    // model
    std::string model = "lenet5";  // zoo: mlp | lenet5 | resnet20 (ignored when model_spec is set)
    std::string modelSpec;         // a JSON model spec or a TorchScript archive; "" uses the zoo model
    std::string weights;           // pretrained float weights: a PyTorch state_dict or TorchScript file
    std::string nameMap;           // JSON {"their.name": "our.name"} applied to the weights' names
    bool floatModel = false;       // the same network without quantization: the baseline
    EdgeLayerPolicy edgeLayers = EdgeLayerPolicy::Quantize;
    // Layers kept float or given their own max bits, by name or glob (csq/layer_rules.h).
    std::string layerRules;

    // data
    std::string data = "/usr/share/datasets/fashion-mnist";
    int64_t trainLimit = 0;           // 0: every training image
    double validationFraction = 0.0;  // held out of the training split, seeded
    int cropPadding = 0;              // augmentation: random crop with this zero padding (0: off)
    bool horizontalFlip = false;
    int imageSize = 32;     // image folders: every image resized to this square size
    int imageChannels = 0;  // image folders: 1 gray, 3 RGB, 0 gray only when every image is
    // dataset | none | means/stds per channel (csq/input_normalization.h): what the model's input is.
    std::string inputNormalization = "dataset";

    // quantization and budget
    int maxBits = 8;          // N, 1..16
    double targetBits = 2.0;  // in (0, maxBits]
    BudgetMode budgetMode = BudgetMode::Layer;
    double lambda = 0.05;  // strength of the budget term
    // In [0, 1]: the budget term aims at a target that falls linearly from max_bits to target_bits over
    // this share of the search (float_epochs .. ticket_epoch), so bits are pruned gradually while the
    // cross-entropy still weighs in; 0: the target applies at once (the paper). Default two thirds: the
    // study in docs/results/accuracy.md measured it against 0.
    double budgetRamp = 2.0 / 3.0;
    // In [1, 4]: how a layer's bits are priced by the budget term. 1: every bit of a layer alike (the
    // paper); p > 1: by (bits / target)^(p-1), so bit-rich layers are pruned first and no layer is
    // pushed to one bit while others hold many (quant/scheme_readout.h budgetLoss).
    double budgetPower = 1.0;
    // In [0, 1], size mode: the budget term prices a layer's bits by n_l^sizePrice (n_l its weights):
    // 1 in proportion to size, the measure's own gradient (the paper's form); below 1 a big layer's
    // bits cost less than their share of the measure. The target and delta_S stay size-weighted.
    double sizePrice = 1.0;
    double beta0 = 4.0;        // gate temperature when the search starts
    double betaFinal = 200.0;  // at the ticket
    double ticketEpoch = 5.0;  // T_ticket, in epochs; the scheme is frozen from here
    int epochs = 6;            // float warm-up + search + post-ticket epochs
    // Epochs of plain float training before the bits are written from the float weights (docs/method.md,
    // initialization): CSQ then refines a trained network instead of a random one.
    double floatEpochs = 2.0;
    int finetuneEpochs = 4;                             // scheme fixed, beta rewound and grown again for P and Q
    FinetuneMode finetuneMode = FinetuneMode::Lattice;  // how weights train from the ticket on
    bool ticketMeetsBudget = true;  // at the ticket, set the marginal bits so the scheme meets the target
    // At the ticket, each layer's bit count is chosen by the loss it measurably adds at k bits, within the
    // budget (train/loss_ticket.h), instead of by the mask logits; needs the lattice finetune.
    bool ticketByLoss = false;
    // At the ticket, each layer's kept bits become one contiguous run (as many bits, ending at its top
    // kept bit): an evenly spaced grid instead of the uneven one a dropped middle bit leaves.
    bool contiguousBits = false;
    // > 0: each layer's sensitivity (csq/sensitivity.h) is measured at the end of every this many
    // epochs, written to sensitivity.csv and shown live.
    int sensitivityEvery = 0;
    // > 0: the uniform baseline: every layer held at this many bits, no search; the weights train from
    // the end of the float warm-up as after a ticket.
    int uniformBits = 0;
    // A scheme.json (or summary.json, or a run folder holding one) whose kept bits every layer is held
    // at, no search: a found scheme retrained from the float warm-up, as the uniform baseline trains.
    std::string scheme;
    int actBits = 0;             // 0: float activations
    double bitLogitInit = 1.0;   // |logit| written for set / clear bits at initialization
    double maskLogitInit = 1.0;  // initial mask logits (> 0: every bit kept)

    // optimization: float parameters with `optimizer`, bit and mask logits with `bitOptimizer`
    OptimizerKind optimizer = OptimizerKind::Sgd;
    double lr = 0.05;
    OptimizerKind bitOptimizer = OptimizerKind::Adam;
    double bitLr = 0.01;  // bit logits P, Q (scales train with the float parameters at lr)
    // Divide the bit and mask learning rates by beta/beta0: Adam moves a logit x by ~lr per step
    // whatever its gradient, so at large beta the gate sigmoid(beta x) would flip every few steps;
    // scaled, each step moves the gate's argument beta*x by a constant amount instead.
    bool bitLrFollowsBeta = true;
    double momentum = 0.9;
    bool nesterov = true;
    double weightDecay = 5e-4;     // float parameters (biases, batch norm, float model weights)
    double bitWeightDecay = 0.0;   // bit logits P, Q: decay pulls logits to 1/2 gates
    double maskLr = 0.0;           // 0: same as bit_lr
    double maskWeightDecay = 0.0;  // mask logits have their own group
    double warmupEpochs = 0.0;     // linear warm-up, then cosine decay
    int batchSize = 128;

    // run
    int threads = 0;  // intra-op threads; 0: physical cores
    uint64_t seed = 1;
    DevicePreference device = DevicePreference::Auto;
    DivergencePolicy onDivergence = DivergencePolicy::Stop;
    int logEvery = 20;        // a snapshot every this many batches
    int prefetchBatches = 2;  // batches prepared ahead on a worker thread; 0: in the step
    std::string outDir;       // run directory ("" for the caller's default)

    int totalEpochs() const { return epochs + finetuneEpochs; }
    // No search: every layer held at uniform_bits or at the kept bits of `scheme`.
    bool holdsScheme() const { return uniformBits > 0 || !scheme.empty(); }
};

struct ConfigIssue {
    std::string field;    // JSON key, e.g. "target_bits"
    std::string message;  // what is wrong and what is allowed
};

// Every problem at once (empty when valid), so the GUI can mark all fields.
std::vector<ConfigIssue> validate(const TrainingConfig& config);
// Throws csq::Error naming the first field when invalid.
void requireValid(const TrainingConfig& config);

// For a user who only says how long to train: the default float warm-up, ticket and finetune scaled
// to `epochs` with the defaults' proportions (to hundredths of an epoch; whole finetune epochs).
void scaleScheduleTo(TrainingConfig& config, int epochs);
// Whether the config's float warm-up, ticket and finetune are the defaults' scaled to its epochs, i.e.
// nobody set them by hand: the GUI then rescales them when the epochs change.
bool followsDefaultSchedule(const TrainingConfig& config);

std::string toJson(const TrainingConfig& config);
// Parses config.json; unknown keys and wrong types are errors naming the key; missing keys keep
// their defaults. `source` names the file in messages.
TrainingConfig configFromJson(const std::string& text, const std::string& source = "config");
TrainingConfig loadConfig(const std::string& path);

// Live changes applied at the next batch boundary of a running session: new values of the fields the
// field table (csq/config_fields.h) marks `live`, by config.json key; a later value of a key wins.
class ConfigPatch {
public:
    // Throws csq::Error naming the key unless the table marks it a live number field.
    ConfigPatch& set(const std::string& key, double value);
    std::optional<double> value(const std::string& key) const;
    void merge(const ConfigPatch& newer);  // newer's values replace this one's
    bool empty() const { return values_.empty(); }
    const std::map<std::string, double>& values() const { return values_; }

private:
    std::map<std::string, double> values_;
};

// Applies a patch to a config (validating the result); throws csq::Error on an invalid value.
TrainingConfig applied(const TrainingConfig& config, const ConfigPatch& patch);

}  // namespace csq
