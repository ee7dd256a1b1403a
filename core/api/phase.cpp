#include "csq/snapshot.h"

#include <cmath>

namespace csq {

bool collapsedToChance(const EpochResult& e, int64_t classes)
{
    if (classes < 2) return false;
    const double chance = 100.0 / static_cast<double>(classes);
    return e.trainAccuracy <= 1.15 * chance && e.testAccuracy <= 1.15 * chance &&
           std::abs(e.trainLoss - std::log(static_cast<double>(classes))) < 0.05;
}

}  // namespace csq
