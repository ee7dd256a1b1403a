#pragma once
// Process-wide runtime set-up of the engine: threads and the versions of the libraries it uses.
#include <string>

namespace csq {

// Physical cores of this machine (hyper-threads not counted); at least 1.
int physicalCores();
// Sets LibTorch's intra-op threads once at start-up; n <= 0 means physicalCores(), and no more than
// OpenMP's thread limit (OMP_THREAD_LIMIT). Returns the count.
int configureThreads(int n = 0);
// Keeps freed memory in the process instead of handing it back to the kernel after every step: a
// training step frees megabytes of temporaries (gates, bit-logit gradients) that the next step asks
// for again, and each fresh page costs a fault and a clearing (5 % of lenet5's CSQ step). Call once at
// start-up, before threads start; without glibc it does nothing.
void configureAllocator();
// "1.13.1" and friends, for --version and the About dialog.
std::string torchVersion();
std::string boostVersion();
// True when LibTorch was built with CUDA and a device is present.
bool cudaAvailable();

}  // namespace csq
