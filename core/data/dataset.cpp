#include "data/dataset.h"

namespace csq::data {

Dataset Dataset::subset(const torch::Tensor& indices) const
{
    auto index = indices.to(torch::kLong);
    return Dataset{images.index_select(0, index), labels.index_select(0, index), classes, name, classNames};
}

}  // namespace csq::data
