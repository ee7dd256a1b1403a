#pragma once
// The in-memory form every reader produces: uint8 images [N, C, H, W] (a quarter of float's memory;
// batches are converted to float on the way to the model) with int64 labels, and the split bundle.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace csq::data {

struct Dataset {
    torch::Tensor images;  // uint8 [N, C, H, W]
    torch::Tensor labels;  // int64 [N]
    int64_t classes = 0;   // labels lie in [0, classes)
    std::string name;
    std::vector<std::string> classNames;  // one per class where the format names them (image folders)

    int64_t size() const { return images.defined() ? images.size(0) : 0; }
    int64_t channels() const { return images.defined() ? images.size(1) : 0; }
    int64_t height() const { return images.defined() ? images.size(2) : 0; }
    int64_t width() const { return images.defined() ? images.size(3) : 0; }

    // The samples at `indices` (int64 [K], any order), copied; classes and name are kept.
    Dataset subset(const torch::Tensor& indices) const;
};

struct DataSplits {
    Dataset train, validation, test;  // validation is empty (size 0) when none was asked for
    std::string format;               // "idx", "cifar10", "cifar100" or "folder"
};

}  // namespace csq::data
