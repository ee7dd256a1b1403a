#pragma once
// Reader of IDX files (MNIST, Fashion-MNIST, KMNIST ...), plain or gzipped, that rejects corrupt,
// truncated or absurd files with a message instead of crashing or allocating what a header claims.
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "data/dataset.h"

namespace csq::data {

// The array of an unsigned-byte IDX file as a uint8 tensor with the file's dims. Gzip is recognized
// by its magic bytes (1f 8b), not by the file name.
torch::Tensor readIdx(const std::string& path);

// The dims of an IDX file from its header alone (no data is read): cheap, for a shape before a run.
std::vector<int64_t> readIdxDims(const std::string& path);

// An images file [N, H, W] and its labels file [N] as a dataset with images [N, 1, H, W];
// classes = max label + 1. When expectedClasses > 0 every label must be below it (a test set whose
// labels the training set never had is an error).
Dataset readIdxPair(const std::string& imagesPath, const std::string& labelsPath, int64_t expectedClasses = 0);

}  // namespace csq::data
