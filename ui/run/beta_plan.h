#pragma once
// The planned gate temperature β(t) of a run for the β plot: the schedule knobs it draws, with β(t)
// from the engine's own torch-free rule (csq/schedule.h), so the plan is what the run will do.
#include <QVector>
#include <QPointF>

#include "csq/config.h"

namespace csq::ui {

struct BetaPlan {
    double beta0 = 1, betaFinal = 200, ticketEpoch = 8;
    int epochs = 10, finetuneEpochs = 0;
    double floatEpochs = 0;  // F: plain float training first; β stays β0 until the search starts
    bool rewinds = false;    // a bits-mode finetune rewinds β; the lattice finetune keeps β_final

    static BetaPlan of(const csq::TrainingConfig& config);

    // β at fractional epoch t, by csq::betaAt.
    double at(double t) const;
    // These knobs as a config (the rest default), the input of the engine's schedule functions.
    csq::TrainingConfig schedule() const;
    double totalEpochs() const { return epochs + finetuneEpochs; }
    // The curve sampled for drawing, with the corners (ticket, finetune rewind) as exact points.
    QVector<QPointF> sample(int pointsPerEpoch = 64) const;

    bool operator==(const BetaPlan&) const = default;
};

}  // namespace csq::ui
