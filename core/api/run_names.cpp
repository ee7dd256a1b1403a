#include "csq/run_names.h"

#include <ctime>

namespace csq {

namespace {

std::string stampNow()
{
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
    return stamp;
}

}  // namespace

std::string defaultRunName(const std::string& model)
{
    return model + "-" + stampNow();
}

std::string defaultSweepName(const std::string& model)
{
    return "sweep-" + model + "-" + stampNow();
}

}  // namespace csq
