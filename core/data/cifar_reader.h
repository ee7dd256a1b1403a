#pragma once
// Reader of the CIFAR-10 / CIFAR-100 binary versions: fixed-size records of label byte(s) followed
// by a 32x32 RGB image stored channel-major (all R, then G, then B), which is already [C, H, W].
#include <string>
#include <vector>

#include "data/dataset.h"

namespace csq::data {

enum class CifarVariant {
    Cifar10,   // record: 1 label byte + 3072 pixel bytes; 10 classes
    Cifar100,  // record: coarse label, fine label + 3072 pixel bytes; the 100 fine classes are used
};

int64_t cifarRecordBytes(CifarVariant variant);

// The records of all `paths`, concatenated in order: images uint8 [N, 3, 32, 32], labels int64 [N].
Dataset readCifar(const std::vector<std::string>& paths, CifarVariant variant);

}  // namespace csq::data
