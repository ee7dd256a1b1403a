#include "train/ranks.h"

#include "data/batcher.h"
#include "dist/cluster.h"

namespace csq::train {

Ranks::Ranks(std::shared_ptr<dist::Cluster> cluster) : cluster_(std::move(cluster)) {}

int Ranks::rank() const
{
    return cluster_ ? cluster_->rank() : 0;
}

int Ranks::count() const
{
    return cluster_ ? cluster_->worldSize() : 1;
}

void Ranks::sum(std::vector<torch::Tensor>& tensors, const char* during) const
{
    if (cluster_) cluster_->sum(tensors, during);
}

std::pair<int64_t, int64_t> Ranks::share(int64_t n) const
{
    return data::rankShare(n, rank(), count());
}

}  // namespace csq::train
