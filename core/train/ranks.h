#pragma once
// The ranks a run's figures add up over: one process, where every sum is its own value, or the ranks
// of a data-parallel run (dist::Cluster). The trainer writes each reduction once, for any number of
// ranks.
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace csq::dist {
class Cluster;
}

namespace csq::train {

class Ranks {
public:
    Ranks() = default;  // one process
    explicit Ranks(std::shared_ptr<dist::Cluster> cluster);

    int rank() const;
    int count() const;
    bool many() const { return cluster_ != nullptr; }
    bool isRoot() const { return rank() == 0; }  // writes the run files
    dist::Cluster* cluster() const { return cluster_.get(); }

    // Each entry replaced by its sum over the ranks; one process leaves them as they are.
    void sum(std::vector<torch::Tensor>& tensors, const char* during) const;
    // This rank's contiguous part [begin, end) of n items.
    std::pair<int64_t, int64_t> share(int64_t n) const;

private:
    std::shared_ptr<dist::Cluster> cluster_;
};

}  // namespace csq::train
