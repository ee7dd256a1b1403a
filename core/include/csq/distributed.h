#pragma once
// Where this process stands in a data-parallel run of several csq-train processes (torch's c10d: Gloo
// over a TCPStore). Torch-free: csq-train fills it from flags or the usual environment variables.
#include <string>

namespace csq {

struct DistributedSettings {
    int worldSize = 1;                     // processes in the run; 1: a plain one-process run
    int rank = 0;                          // this process, 0..worldSize-1; rank 0 writes the run files
    std::string masterAddr = "127.0.0.1";  // where rank 0 listens (its TCPStore)
    int masterPort = 29500;
    double timeoutSeconds = 120;  // joining, and each collective: a lost rank ends the run after this

    bool enabled() const { return worldSize > 1; }
};

// WORLD_SIZE, RANK, MASTER_ADDR and MASTER_PORT from the environment, where set, over the defaults.
// Throws csq::Error naming the variable when one is not a number.
DistributedSettings distributedFromEnvironment();
// Throws csq::Error naming the setting when the settings are inconsistent (rank outside the world...).
void requireValid(const DistributedSettings& settings);

}  // namespace csq
