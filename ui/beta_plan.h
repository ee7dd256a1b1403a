#pragma once
// The planned gate temperature β(t) of a run, computed in the GUI (torch-free) from the schedule
// knobs by the engine's rule: β0 in the float warm-up, geometric growth to the ticket, held, rewound.
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

    // β at fractional epoch t: β0·(β_final/β0)^(max(0, t − F)/(T_ticket − F)) before the ticket,
    // β_final until `epochs`, then (bits-mode finetune) β0·(β_final/β0)^((t − epochs)/finetuneEpochs).
    double at(double t) const;
    double totalEpochs() const { return epochs + finetuneEpochs; }
    // The curve sampled for drawing, with the corners (ticket, finetune rewind) as exact points.
    QVector<QPointF> sample(int pointsPerEpoch = 64) const;

    bool operator==(const BetaPlan&) const = default;
};

}  // namespace csq::ui
