#pragma once
// What a dataset holds, as plain values for the GUI's dataset inspector: format, sizes, image shape,
// classes with their counts, and a few samples of each class. Torch-free.
#include <cstdint>
#include <string>
#include <vector>

namespace csq {

struct DatasetPreview {
    struct Sample {
        int label = 0;
        std::vector<uint8_t> pixels;  // [C, H, W], row-major
    };

    std::string format;  // "idx", "cifar10", "cifar100" or "folder"
    std::string name;
    int64_t trainImages = 0;
    int64_t testImages = 0;
    int channels = 0;
    int height = 0;
    int width = 0;
    std::vector<std::string> classNames;    // "0", "1", … where the dataset names none
    std::vector<int64_t> trainClassCounts;  // one per class
    std::vector<int64_t> testClassCounts;   // one per class
    std::vector<Sample> samples;            // the first samplesPerClass training images of each class, by class
};

// "idx", "cifar10", "cifar100", "folder", or "" when `path` holds no dataset csq can read; cheap (looks
// at file names only), so the GUI can call it as the user types.
std::string detectDatasetFormat(const std::string& path);

// Reads the dataset at `path` as a run would (image folders resized to imageSize, imageChannels 0/1/3)
// and summarizes it. Throws csq::Error with a readable message when the path holds no dataset.
DatasetPreview previewDataset(const std::string& path, int imageSize, int imageChannels, int samplesPerClass);

}  // namespace csq
