#include "run/beta_plan.h"

#include <algorithm>
#include <cmath>

#include "csq/schedule.h"

namespace csq::ui {

BetaPlan BetaPlan::of(const csq::TrainingConfig& c)
{
    return {c.beta0,
            c.betaFinal,
            c.ticketEpoch,
            c.epochs,
            c.finetuneEpochs,
            c.floatEpochs,
            c.finetuneMode == csq::FinetuneMode::Bits};
}

csq::TrainingConfig BetaPlan::schedule() const
{
    csq::TrainingConfig c;
    c.beta0 = beta0;
    c.betaFinal = betaFinal;
    c.ticketEpoch = ticketEpoch;
    c.epochs = epochs;
    c.finetuneEpochs = finetuneEpochs;
    c.floatEpochs = floatEpochs;
    c.finetuneMode = rewinds ? csq::FinetuneMode::Bits : csq::FinetuneMode::Lattice;
    return c;
}

double BetaPlan::at(double t) const
{
    return csq::betaAt(schedule(), t);
}

QVector<QPointF> BetaPlan::sample(int pointsPerEpoch) const
{
    const double end = totalEpochs();
    const int n = std::max(2, static_cast<int>(std::ceil(end * std::max(pointsPerEpoch, 1))));
    QVector<QPointF> points;
    points.reserve(n + 4);
    for (int i = 0; i <= n; ++i) {
        const double t = end * i / n;
        // Corners land exactly: the value just before the ticket / rewind, then the jump.
        if (!points.isEmpty()) {
            const double prev = points.constLast().x();
            for (double corner : {floatEpochs, ticketEpoch, static_cast<double>(epochs)})
                if (corner > prev && corner <= t && corner < end) {
                    points.append({corner, at(corner - 1e-9)});
                    points.append({corner, at(corner)});
                }
        }
        points.append({t, at(t)});
    }
    return points;
}

}  // namespace csq::ui
