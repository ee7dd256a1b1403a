// DistributedSettings from the environment (the variables torchrun and friends set) and their checks.
#include <cstdlib>

#include "csq/distributed.h"
#include "csq/errors.h"

namespace csq {

namespace {

int intFromEnvironment(const char* name, int fallback)
{
    const char* text = std::getenv(name);
    if (!text || !*text) return fallback;
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (*end != '\0' || value < -1000000 || value > 1000000)
        throw Error(std::string("environment: ") + name, std::string("is not a whole number: '") + text + "'",
                    "unset it or give a number");
    return static_cast<int>(value);
}

}  // namespace

DistributedSettings distributedFromEnvironment()
{
    DistributedSettings s;
    s.worldSize = intFromEnvironment("WORLD_SIZE", s.worldSize);
    s.rank = intFromEnvironment("RANK", s.rank);
    if (const char* addr = std::getenv("MASTER_ADDR"); addr && *addr) s.masterAddr = addr;
    s.masterPort = intFromEnvironment("MASTER_PORT", s.masterPort);
    return s;
}

void requireValid(const DistributedSettings& s)
{
    if (s.worldSize < 1) throw Error("world size", "must be >= 1, got " + std::to_string(s.worldSize));
    if (s.rank < 0 || s.rank >= s.worldSize)
        throw Error("rank",
                    "must be in 0.." + std::to_string(s.worldSize - 1) + " for a world of " +
                        std::to_string(s.worldSize) + ", got " + std::to_string(s.rank),
                    "give each process its own rank, rank 0 on the master");
    if (s.masterAddr.empty()) throw Error("master", "no address given", "use --master HOST:PORT");
    if (s.masterPort < 1 || s.masterPort > 65535)
        throw Error("master", "port must be in 1..65535, got " + std::to_string(s.masterPort));
    if (!(s.timeoutSeconds > 0)) throw Error("timeout", "must be > 0 seconds");
}

}  // namespace csq
