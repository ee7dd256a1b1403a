#pragma once
// The run's clock: phase, gate temperature beta, budget target and learning-rate factor as pure
// functions of the fractional epoch t. Torch-free and the only copy, so the trainer, a resumed run
// and the GUI's planned curves all agree.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "csq/config.h"
#include "csq/snapshot.h"

namespace csq {

inline Phase phaseAt(const TrainingConfig& c, double t)
{
    if (t < c.floatEpochs) return Phase::Float;
    if (t < c.ticketEpoch) return Phase::Search;
    if (t < c.epochs) return Phase::Ticket;
    if (t < c.totalEpochs()) return Phase::Finetune;
    return Phase::Done;
}

// beta(t) = beta0 (beta_final / beta0)^((t - F) / (T_ticket - F)) with F the float warm-up epochs (beta0
// during them), held at beta_final after the ticket; a bits-mode finetune rewinds to beta0 and grows
// again over its own epochs. The lattice finetune trains no gate, so beta stays at beta_final.
inline double betaAt(const TrainingConfig& c, double t)
{
    const double ratio = c.betaFinal / c.beta0;
    if (t < c.ticketEpoch)
        return c.beta0 * std::pow(ratio, std::max(0.0, t - c.floatEpochs) / (c.ticketEpoch - c.floatEpochs));
    if (t < c.epochs || c.finetuneEpochs <= 0 || c.finetuneMode == FinetuneMode::Lattice) return c.betaFinal;
    const double u = std::min(1.0, (t - c.epochs) / c.finetuneEpochs);
    return c.beta0 * std::pow(ratio, u);
}

// The target the budget term aims at: target_bits, or with budget_ramp > 0 a line from max_bits at the
// start of the search down to target_bits after budget_ramp of the search's epochs.
inline double budgetTargetAt(const TrainingConfig& c, double t)
{
    const double rampEpochs = c.budgetRamp * (c.ticketEpoch - c.floatEpochs);
    if (rampEpochs <= 0) return c.targetBits;
    const double u = std::clamp((t - c.floatEpochs) / rampEpochs, 0.0, 1.0);
    return c.targetBits + (1.0 - u) * std::max(0.0, c.maxBits - c.targetBits);
}

// Linear warm-up to 1, then cosine decay to 0 over the whole run.
inline double lrFactorAt(const TrainingConfig& c, double t)
{
    const double total = c.totalEpochs();
    if (c.warmupEpochs > 0 && t < c.warmupEpochs) return std::max(t, 1e-3) / c.warmupEpochs;
    const double u = std::clamp((t - c.warmupEpochs) / std::max(1e-9, total - c.warmupEpochs), 0.0, 1.0);
    return 0.5 * (1.0 + std::cos(std::numbers::pi * u));
}

// How far Adam can move one mask logit over the search (a step moves it by about its learning rate at
// most): the sum over the search's batches of mask_lr (bit_lr when 0) times the learning-rate factor,
// times beta0/beta when bit_lr_follows_beta. A bit is pruned when its logit crosses zero from
// mask_logit_init; with less travel than that the search cannot prune, and the ticket's budget step
// chooses the scheme.
inline double maskTravel(const TrainingConfig& c, int64_t batchesPerEpoch)
{
    const double lr = c.maskLr > 0 ? c.maskLr : c.bitLr;
    const auto b = static_cast<double>(std::max<int64_t>(batchesPerEpoch, 1));
    double travel = 0;
    for (auto k = static_cast<int64_t>(std::ceil(c.floatEpochs * b)); k < c.ticketEpoch * b; ++k) {
        const double t = static_cast<double>(k) / b;
        travel += lr * lrFactorAt(c, t) * (c.bitLrFollowsBeta ? c.beta0 / betaAt(c, t) : 1.0);
    }
    return travel;
}

}  // namespace csq
