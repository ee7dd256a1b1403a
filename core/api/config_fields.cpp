// The one table of TrainingConfig's fields (csq/config_fields.h).
#include "csq/config_fields.h"

#include "csq/enum_names.h"
#include "csq/errors.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <type_traits>

namespace csq {

namespace {

using C = TrainingConfig;
using S = FieldSection;
constexpr auto General = S::General;
constexpr auto Model = S::ModelAndData;
constexpr auto Quant = S::QuantizationAndBudget;
constexpr auto Optim = S::OptimizationAndRun;

const std::vector<ConfigField> fields{
    {"model", &C::model, "model", Model, {}, "zoo model: mlp | lenet5 | resnet20"},
    {"model_spec",
     &C::modelSpec,
     "model-spec",
     Model,
     {},
     "a JSON model spec (layers, residual blocks) or a TorchScript archive (torch.jit.save of any PyTorch model) "
     "instead of --model"},
    {"weights",
     &C::weights,
     "weights",
     Model,
     {},
     "pretrained float weights: torch.save(dict(model.state_dict())) or torch.jit.save file; the CSQ bits start "
     "from them"},
    {"name_map",
     &C::nameMap,
     "name-map",
     Model,
     {},
     "JSON {\"their.name\": \"our.name\"} renaming the weights' tensors"},
    {"float", &C::floatModel, "float", Model, {}, "train the same network without quantization (the baseline)"},
    {"edge_layers", &C::edgeLayers, "edge-layers", Model, {}, "first/last layer: quantize | max-bits"},
    {"layer_rules",
     &C::layerRules,
     "layer-rules",
     Model,
     {},
     "layers by name or glob kept float (=float), given their own max bits (=8), at least some bits (=4..) or "
     "both (=4..8), e.g. \"features.0.0=float, classifier.*=8, *.conv.1.0=4..\"; a later rule wins"},
    {"data",
     &C::data,
     "data",
     Model,
     {},
     "dataset folder: IDX (MNIST-style), CIFAR-10/100 binary, or an image folder root/<class>/*.png|jpg"},
    {"train_limit", &C::trainLimit, "train-limit", Model, atLeast(0), "use this many training images, 0 = all"},
    {"validation_fraction", &C::validationFraction, "validation", Model, fromUpTo(0, 0.9),
     "fraction of training images held out for validation"},
    {"crop_padding", &C::cropPadding, "crop-padding", Model, between(0, 16),
     "augment: random crop with this zero padding, 0 = off"},
    {"horizontal_flip", &C::horizontalFlip, "flip", Model, {}, "augment: random horizontal flip"},
    {"image_size", &C::imageSize, "image-size", Model, between(4, 1024),
     "image folders: resize every image to this square size"},
    {"image_channels", &C::imageChannels, "image-channels", Model, between(0, 3),
     "image folders: 1 gray, 3 RGB, 0 = gray only if every image is"},
    {"input_normalization",
     &C::inputNormalization,
     "input-normalization",
     Model,
     {},
     "the model's input: dataset (each channel's mean and std of the training images) | none (pixels / 255) | "
     "m1,m2,m3/s1,s2,s3 (per channel, in pixel / 255)"},
    {"max_bits", &C::maxBits, "max-bits", Quant, between(1, 16), "max bits per weight N, 1..16"},
    {"target_bits", &C::targetBits, "target-bits", Quant, above(0), "target average bits", "", true},
    {"budget_mode",
     &C::budgetMode,
     "budget-mode",
     Quant,
     {},
     "layer (mean of layer bits) | size (weighted by weights: model size) | bitops (weighted by MACs: compute)"},
    {"lambda", &C::lambda, "lambda", Quant, atLeast(0), "budget term strength", "", true},
    {"budget_ramp", &C::budgetRamp, "budget-ramp", Quant, between(0, 1),
     "share of the search (0..1) over which the budget's target falls from max bits to --target-bits, 0 = at "
     "once as in the paper"},
    {"budget_power", &C::budgetPower, "budget-power", Quant, between(1, 4),
     "price of a layer's bits: 1 = all alike (the paper), p > 1 = by (its bits / target)^(p-1), pruning bit-rich "
     "layers first"},
    {"size_price", &C::sizePrice, "size-price", Quant, between(0, 1),
     "size mode: a layer's bits cost size^this in the budget term, 1 = in proportion to size (the paper's "
     "form), 0 = every layer alike, 0.5 = by its square root; the target stays size-weighted"},
    {"beta0", &C::beta0, "beta0", Quant, above(0), "gate temperature at the start"},
    {"beta_final", &C::betaFinal, "beta-final", Quant, above(0), "gate temperature at the ticket", "", true},
    {"ticket_epoch", &C::ticketEpoch, "ticket", Quant, above(0), "epoch at which the scheme freezes", "", true},
    {"epochs", &C::epochs, "epochs", Quant, between(1, 100000),
     "float warm-up + search + post-ticket epochs; over a schedule in the defaults' proportions (nobody set it) it "
     "scales that schedule to this length, and --ticket, --float-epochs, --finetune-epochs beside it set their part"},
    {"float_epochs", &C::floatEpochs, "float-epochs", Quant, atLeast(0),
     "plain float epochs before the bits start from the float weights"},
    {"finetune_epochs", &C::finetuneEpochs, "finetune-epochs", Quant, atLeast(0),
     "extra epochs after the search epochs"},
    {"finetune_mode",
     &C::finetuneMode,
     "finetune-mode",
     Quant,
     {},
     "after the ticket: lattice (float latent rounded onto the kept bits) | bits (P, Q with beta rewound)"},
    {"ticket_meets_budget",
     &C::ticketMeetsBudget,
     "",
     Quant,
     {},
     "at the ticket, set the marginal bits so the scheme meets the target"},
    {"ticket_by_loss",
     &C::ticketByLoss,
     "ticket-by-loss",
     Quant,
     {},
     "at the ticket, give each layer the bits whose measured loss is least within the budget, not the bits of "
     "highest mask logit (lattice finetune only)"},
    {"sensitivity_every", &C::sensitivityEvery, "sensitivity-every", Quant, atLeast(0),
     "measure each layer's sensitivity (loss and accuracy on 1..N bits) after every N epochs into sensitivity.csv; "
     "0 = off"},
    {"contiguous_bits",
     &C::contiguousBits,
     "contiguous-bits",
     Quant,
     {},
     "at the ticket, make each layer's kept bits one contiguous run (an even grid), as many bits"},
    {"uniform_bits", &C::uniformBits, "uniform-bits", Quant, between(0, 16),
     "hold every layer at this many bits, no search: the uniform baseline; 0 = search"},
    {"scheme",
     &C::scheme,
     "scheme",
     Quant,
     {},
     "hold every layer at the kept bits of this scheme.json (or run folder), no search: retrain a found scheme "
     "as the uniform baseline trains"},
    {"act_bits", &C::actBits, "act-bits", Quant, between(0, 16), "activation bits, 0 = float"},
    {"bit_logit_init", &C::bitLogitInit, "", Quant, above(0),
     "|logit| written for set and clear bits at initialization"},
    {"mask_logit_init", &C::maskLogitInit, "", Quant, above(0), "initial mask logits (> 0: every bit kept)"},
    {"optimizer", &C::optimizer, "optimizer", Optim, {}, "sgd | adam"},
    {"lr", &C::lr, "lr", Optim, above(0), "learning rate of float parameters (the schedule scales it)", "", true},
    {"bit_optimizer", &C::bitOptimizer, "bit-optimizer", Optim, {}, "optimizer of bit and mask logits: adam | sgd"},
    {"bit_lr", &C::bitLr, "bit-lr", Optim, above(0), "learning rate of bit logits (scales train at --lr)"},
    {"bit_lr_follows_beta",
     &C::bitLrFollowsBeta,
     "",
     Optim,
     {},
     "divide the bit and mask learning rates by beta/beta0"},
    {"momentum", &C::momentum, "", Optim, fromUpTo(0, 1), "SGD momentum, in [0, 1)"},
    {"nesterov", &C::nesterov, "", Optim, {}, "Nesterov momentum"},
    {"weight_decay", &C::weightDecay, "", Optim, atLeast(0),
     "weight decay of float parameters (biases, batch norm, float weights)"},
    {"bit_weight_decay", &C::bitWeightDecay, "", Optim, atLeast(0), "weight decay of bit logits P, Q"},
    {"mask_lr", &C::maskLr, "mask-lr", Optim, atLeast(0), "learning rate of mask logits, 0 = bit-lr"},
    {"mask_weight_decay", &C::maskWeightDecay, "", Optim, atLeast(0), "weight decay of mask logits"},
    {"warmup_epochs", &C::warmupEpochs, "", Optim, atLeast(0),
     "linear learning-rate warm-up before the cosine decay, in epochs"},
    {"batch_size", &C::batchSize, "batch-size", Optim, between(1, 65536), "batch size"},
    {"threads", &C::threads, "threads", Optim, between(0, 1024),
     "intra-op threads, 0 = physical cores, at most OMP_THREAD_LIMIT"},
    {"seed", &C::seed, "seed", Optim, atLeast(0), "random seed"},
    {"device", &C::device, "device", Optim, {}, "auto | cpu | cuda"},
    {"on_divergence",
     &C::onDivergence,
     "on-divergence",
     Optim,
     {},
     "when the loss turns NaN/Inf: stop | rollback (to the last checkpoint with half the learning rates, at most 3 "
     "times)"},
    {"log_every", &C::logEvery, "log-every", Optim, atLeast(1), "batches between snapshots"},
    {"prefetch_batches", &C::prefetchBatches, "prefetch", Optim, between(0, 64),
     "batches prepared ahead on a worker thread, 0 = none"},
    {"out_dir", &C::outDir, "out", General, {}, "run directory", "runs/<model>-<date>-<time>"},
};

template <class T>
std::string text(const T& value)
{
    if constexpr (std::is_same_v<T, std::string>) {
        return value;
    } else if constexpr (std::is_same_v<T, bool>) {
        return value ? "true" : "false";
    } else if constexpr (std::is_enum_v<T>) {
        return toString(value);
    } else {
        std::ostringstream s;
        s << value;
        return s.str();
    }
}

}  // namespace

namespace {

// Where another field bounds a number: validate()'s cross-field checks, one row each.
struct CrossBound {
    const char* key;
    const char* by;
    bool upper;  // an upper bound (else a lower one)
    bool open;
    double (*value)(const TrainingConfig&);
};
const CrossBound kCrossBounds[] = {
    {"target_bits", "max_bits", true, false, [](const TrainingConfig& c) { return double(c.maxBits); }},
    {"uniform_bits", "max_bits", true, false, [](const TrainingConfig& c) { return double(c.maxBits); }},
    {"ticket_epoch", "epochs", true, false, [](const TrainingConfig& c) { return double(c.epochs); }},
    {"float_epochs", "ticket_epoch", true, true, [](const TrainingConfig& c) { return c.ticketEpoch; }},
    {"warmup_epochs", "epochs + finetune_epochs", true, true,
     [](const TrainingConfig& c) { return double(c.totalEpochs()); }},
    {"beta_final", "beta0", false, true, [](const TrainingConfig& c) { return c.beta0; }},
};

}  // namespace

EffectiveRange effectiveRange(const ConfigField& field, const TrainingConfig& config)
{
    EffectiveRange out{field.range, "", false};
    auto& r = out.range;
    for (const auto& b : kCrossBounds) {
        if (std::string_view(b.key) != field.key) continue;
        const double v = b.value(config);
        if (b.upper && v <= r.high) {
            r.highOpen = v < r.high ? b.open : (b.open || r.highOpen);
            r.high = v;
        } else if (!b.upper && v >= r.low) {
            r.lowOpen = v > r.low ? b.open : (b.open || r.lowOpen);
            r.low = v;
        } else {
            continue;
        }
        out.boundBy = std::string(b.by) + " = " + text(v);
        out.boundAbove = b.upper;
    }
    return out;
}

bool ValueRange::contains(double v) const
{
    return std::isfinite(v) && (lowOpen ? v > low : v >= low) && (highOpen ? v < high : v <= high);
}

std::string ValueRange::text() const
{
    if (high == none) return (lowOpen ? "> " : ">= ") + csq::text(low);
    if (low == -none) return (highOpen ? "< " : "<= ") + csq::text(high);
    return std::string("in ") + (lowOpen ? "(" : "[") + csq::text(low) + ", " + csq::text(high) +
           (highOpen ? ")" : "]");
}

FlagKind ConfigField::kind() const
{
    return std::visit(
        [](auto m) {
            using T = std::remove_cvref_t<decltype(TrainingConfig{}.*m)>;
            if constexpr (std::is_same_v<T, bool>)
                return FlagKind::Switch;
            else if constexpr (std::is_same_v<T, double>)
                return FlagKind::Real;
            else if constexpr (std::is_integral_v<T>)
                return FlagKind::Whole;
            else
                return FlagKind::Text;
        },
        member);
}

const std::vector<ConfigField>& configFields()
{
    return fields;
}

const ConfigField* findConfigField(std::string_view key)
{
    const auto it = std::find_if(fields.begin(), fields.end(), [&](const ConfigField& f) { return key == f.key; });
    return it == fields.end() ? nullptr : &*it;
}

std::string fieldValueText(const ConfigField& field, const TrainingConfig& config)
{
    return std::visit([&](auto m) { return text(config.*m); }, field.member);
}

std::optional<double> numericValue(const ConfigField& field, const TrainingConfig& config)
{
    return std::visit(
        [&](auto m) -> std::optional<double> {
            using T = std::remove_cvref_t<decltype(config.*m)>;
            if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
                return static_cast<double>(config.*m);
            else
                return std::nullopt;
        },
        field.member);
}

void setNumericValue(const ConfigField& field, TrainingConfig& config, double value)
{
    std::visit(
        [&](auto m) {
            using T = std::remove_cvref_t<decltype(config.*m)>;
            if constexpr (std::is_same_v<T, double>)
                config.*m = value;
            else
                throw Error(field.key, "not a real-valued setting");
        },
        field.member);
}

std::string configReferenceMarkdown()
{
    const TrainingConfig defaults;
    const std::pair<FieldSection, const char*> sections[] = {
        {FieldSection::ModelAndData, "Model and data"},
        {FieldSection::QuantizationAndBudget, "Quantization and budget"},
        {FieldSection::OptimizationAndRun, "Optimization and run"},
        {FieldSection::General, "General"}};
    auto cell = [](std::string text) {
        for (size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2))
            text.replace(at, 1, "\\|");
        return text;
    };
    std::ostringstream out;
    for (const auto& [section, title] : sections) {
        out << "### " << title << "\n\n| key | default | what | flag |\n| --- | --- | --- | --- |\n";
        for (const auto& f : fields) {
            if (f.section != section) continue;
            const auto value = fieldValueText(f, defaults);
            const auto shown = *f.defaultText               ? std::string(f.defaultText)
                               : f.kind() == FlagKind::Text ? "\"" + value + "\""
                                                            : value;
            std::string what = f.help;
            if (f.range.bounded()) what += "; " + f.range.text();
            if (f.live) what += "; live: changes a running run at its next batch";
            out << "| `" << f.key << "` | `" << shown << "` | " << cell(what) << " | "
                << (*f.flag ? "`--" + std::string(f.flag) + "`" : std::string("—")) << " |\n";
        }
        out << '\n';
    }
    return out.str();
}

}  // namespace csq
