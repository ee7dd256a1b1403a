#pragma once
// Reader of users' own images laid out like torchvision's ImageFolder: root/<class>/*.png|jpg|jpeg, with a
// seeded, stratified test split held out, or root/train/<class>/… and root/test/<class>/… as given.
// Classes are the sub-folder names sorted (labels are their indices); every image is decoded, converted
// to gray or RGB and resized to a square, so the whole set is one uint8 [N, C, S, S] tensor.
#include <cstdint>
#include <string>

#include "data/dataset.h"
#include "data/dataset_loader.h"

namespace csq::data {

// Without explicit train/ and test/ folders, 1 in kImageFolderTestOneIn images of each class is held out
// for testing (at least one of a class with two or more images).
inline constexpr int64_t kImageFolderTestOneIn = 5;

// Whether `dir` looks like an image folder: it has both train/ and test/ sub-folders, or a visible
// sub-folder directly holding a .png, .jpg or .jpeg file. Cheap: stops at the first image found.
bool isImageFolder(const std::string& dir);

// Reads the image folder at `root` with options.imageSize, imageChannels and seed (the held-out split);
// validation is left empty (loadDataset takes it). Throws csq::Error naming the folder or file at fault.
DataSplits readImageFolder(const std::string& root, const LoadOptions& options);

// The number of classes of the image folder at `root` (its training class folders), without decoding.
int64_t imageFolderClasses(const std::string& root);

}  // namespace csq::data
