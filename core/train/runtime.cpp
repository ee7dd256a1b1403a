#include "csq/runtime.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <thread>
#include <utility>

#include <boost/version.hpp>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <omp.h>
#include <torch/torch.h>

namespace csq {

int physicalCores()
{
    // Count distinct (physical id, core id) pairs; fall back to logical CPUs where /proc lacks them.
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::set<std::pair<int, int>> cores;
    std::string line;
    int physical = 0;
    while (std::getline(cpuinfo, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        auto key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
        auto value = line.substr(colon + 1);
        if (key == "physical id") physical = std::stoi(value);
        if (key == "core id") cores.insert({physical, std::stoi(value)});
    }
    if (!cores.empty()) return static_cast<int>(cores.size());
    return std::max(1u, std::thread::hardware_concurrency());
}

int configureThreads(int n)
{
    // More intra-op threads than OpenMP may start (OMP_THREAD_LIMIT) hang oneDNN: its convolution
    // kernels wait at a barrier for threads that never come. Ask for no more than the limit.
    const int threads = std::min(n > 0 ? n : physicalCores(), std::max(1, omp_get_thread_limit()));
    at::set_num_threads(threads);
    return threads;
}

void configureAllocator()
{
#if defined(__GLIBC__)
    // Blocks up to 32 MiB (glibc's ceiling) come from the heap, not from mmap; the heap gives memory
    // back only when 512 MiB lie free at its top. Setting either ends glibc's own adjustment.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
    // oneDNN keeps 1024 compiled convolution kernels; a model of 50+ convolutions, each with forward and
    // two backward kernels and reorders, at the training and the evaluation batch, needs more, and a
    // kernel evicted is compiled again: MobileNetV2's step ran 2x slower in csq-bench until this was
    // raised. Read once, at oneDNN's first use; the user's own setting stands.
    setenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "8192", /*overwrite=*/0);
}

std::string torchVersion()
{
    return TORCH_VERSION;
}

std::string boostVersion()
{
    return std::to_string(BOOST_VERSION / 100000) + "." + std::to_string(BOOST_VERSION / 100 % 1000) + "." +
           std::to_string(BOOST_VERSION % 100);
}

bool cudaAvailable()
{
    return torch::cuda::is_available();
}

}  // namespace csq
