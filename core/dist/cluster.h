#pragma once
// One rank's handle on a data-parallel run: rendezvous at rank 0's TCPStore, a Gloo process group,
// and the few collectives the trainer needs. c10d stays inside cluster.cpp (it needs USE_C10D_GLOO).
// Every failure of the group (a rank that cannot reach the master, a rank that died, a timeout)
// becomes a csq::Error that says which rank saw it and what to do.
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "csq/distributed.h"

namespace csq::dist {

class Cluster {
public:
    // Joins the group; blocks until every rank has arrived or the timeout has passed.
    static std::unique_ptr<Cluster> join(const DistributedSettings& settings);
    ~Cluster();

    int rank() const { return settings_.rank; }
    int worldSize() const { return settings_.worldSize; }
    bool isRoot() const { return settings_.rank == 0; }

    // Every rank gives its JSON object; throws when one differs from rank 0's, naming the first key
    // that differs and both values.
    void requireSameAsRoot(const std::string& what, const std::string& jsonObject);
    // Element-wise sum over the ranks: each entry is replaced by a new tensor holding the sum (the
    // inputs are not written). The tensors travel packed, one message per dtype.
    void sum(std::vector<torch::Tensor>& tensors, const char* during);
    // Each entry replaced by a new tensor holding rank 0's values.
    void broadcastFromRoot(std::vector<torch::Tensor>& tensors, const char* during);

private:
    struct Impl;
    Cluster(DistributedSettings settings, std::unique_ptr<Impl> impl);

    DistributedSettings settings_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace csq::dist
