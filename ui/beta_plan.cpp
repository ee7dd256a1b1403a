#include "beta_plan.h"

#include <algorithm>
#include <cmath>

namespace csq::ui {

BetaPlan BetaPlan::of(const csq::TrainingConfig& c)
{
    return {c.beta0, c.betaFinal, c.ticketEpoch, c.epochs, c.finetuneEpochs, c.floatEpochs,
            c.finetuneMode == csq::FinetuneMode::Bits};
}

double BetaPlan::at(double t) const
{
    const double ratio = betaFinal / beta0;
    if (t < ticketEpoch) return beta0 * std::pow(ratio, std::max(0.0, t - floatEpochs) / (ticketEpoch - floatEpochs));
    if (t < epochs || finetuneEpochs <= 0 || !rewinds) return betaFinal;
    const double u = std::min(1.0, (t - epochs) / finetuneEpochs);
    return beta0 * std::pow(ratio, u);
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
