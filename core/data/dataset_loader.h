#pragma once
// Finds out which dataset layout a path holds (IDX, CIFAR-10 or CIFAR-100 binary, or a folder of images
// in class sub-folders) and loads it into train / validation / test splits, with errors that tell the
// user what to install or pass.
#include <cstdint>
#include <string>

#include "csq/config.h"
#include "data/dataset.h"

namespace csq::data {

// Where the dataset-fashion-mnist package installs Fashion-MNIST: the app's default dataset.
inline constexpr const char* kDefaultDatasetPath = "/usr/share/datasets/fashion-mnist";

struct LoadOptions {
    int64_t trainLimit = 0;           // use a seeded subset of this many training samples; <= 0: all
    double validationFraction = 0.0;  // held out of the (limited) training set, in [0, 1)
    uint64_t seed = 0;
    int imageSize = 32;     // image folders: resized to imageSize x imageSize
    int imageChannels = 0;  // image folders: 1, 3, or 0 (gray only when every image is)
};

// The loading knobs of a run's config.
LoadOptions loadOptions(const TrainingConfig& config);

// "idx", "cifar10", "cifar100", "folder" (image folder, see image_folder.h; only when no IDX or CIFAR
// files are found), or "" when the path holds none of them (or does not exist). A file is looked at as
// its directory; CIFAR files may also sit in cifar-10-batches-bin/ or cifar-100-binary/.
std::string detectFormat(const std::string& path);

// Throws unless `path` exists; when it is `defaultPath`, the message says which package installs it.
void requireDatasetPath(const std::string& path, const std::string& defaultPath = kDefaultDatasetPath);

// Reads the dataset at `path`: train_limit is applied first, then the validation split is taken from
// what remains, so train_limit bounds the whole training-side work. Image folders are decoded with
// imageSize / imageChannels, and without train/ and test/ folders their test split is drawn with `seed`.
DataSplits loadDataset(const std::string& path, const LoadOptions& options = {});

// What a run's network is built for: image channels, height, width and the number of classes (at least
// 2, as the trainer counts them).
struct DataShape {
    int64_t channels = 0, height = 0, width = 0, classes = 0;
};

// The shape loadDataset's data would have, read cheaply: IDX headers and the training labels, CIFAR's
// fixed layout, an image folder's class folders at the configured size (imageChannels 0 counts as colour
// there until the images are decoded). Throws csq::Error as loadDataset does.
DataShape peekShape(const std::string& path, const LoadOptions& options = {});

}  // namespace csq::data
