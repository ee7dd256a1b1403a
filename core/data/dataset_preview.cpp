#include "csq/dataset_preview.h"

#include <algorithm>
#include <filesystem>

#include "data/dataset_loader.h"

namespace csq {

namespace {

std::vector<int64_t> classCounts(const data::Dataset& dataset, int64_t classes)
{
    std::vector<int64_t> counts(static_cast<size_t>(classes), 0);
    if (dataset.size() == 0) return counts;
    const auto bins = torch::bincount(dataset.labels.to(torch::kLong), {}, classes).contiguous();
    const auto* values = bins.data_ptr<int64_t>();
    for (int64_t c = 0; c < std::min<int64_t>(classes, bins.size(0)); ++c) counts[static_cast<size_t>(c)] = values[c];
    return counts;
}

// "/a/cifar10/" -> "cifar10": the name of a dataset whose files carry none (CIFAR).
std::string folderName(const std::string& path)
{
    auto normal = std::filesystem::path(path).lexically_normal();
    if (!normal.has_filename()) normal = normal.parent_path();
    return normal.filename().string();
}

}  // namespace

std::string detectDatasetFormat(const std::string& path)
{
    return data::detectFormat(path);
}

DatasetPreview previewDataset(const std::string& path, int imageSize, int imageChannels, int samplesPerClass)
{
    data::LoadOptions options;
    options.imageSize = imageSize;
    options.imageChannels = imageChannels;
    const auto splits = data::loadDataset(path, options);  // throws csq::Error on a bad path
    const auto& train = splits.train;
    const auto& test = splits.test;

    DatasetPreview preview;
    preview.format = splits.format;
    preview.name = !train.name.empty() ? train.name : folderName(path);
    preview.trainImages = train.size();
    preview.testImages = test.size();
    const auto& shaped = train.size() > 0 ? train : test;
    preview.channels = static_cast<int>(shaped.channels());
    preview.height = static_cast<int>(shaped.height());
    preview.width = static_cast<int>(shaped.width());

    const int64_t classes = std::max(train.classes, test.classes);
    for (int64_t c = 0; c < classes; ++c) {
        const auto index = static_cast<size_t>(c);
        preview.classNames.push_back(index < train.classNames.size() && !train.classNames[index].empty()
                                         ? train.classNames[index]
                                         : std::to_string(c));
    }
    preview.trainClassCounts = classCounts(train, classes);
    preview.testClassCounts = classCounts(test, classes);

    // The first k of each class in file order: the same files always show the same samples.
    if (samplesPerClass > 0 && train.size() > 0) {
        const auto labels = train.labels.to(torch::kLong).contiguous();
        const auto* label = labels.data_ptr<int64_t>();
        std::vector<std::vector<int64_t>> picked(static_cast<size_t>(classes));
        int64_t complete = 0;
        for (int64_t i = 0; i < train.size() && complete < classes; ++i) {
            if (label[i] < 0 || label[i] >= classes) continue;
            auto& chosen = picked[static_cast<size_t>(label[i])];
            if (static_cast<int>(chosen.size()) >= samplesPerClass) continue;
            chosen.push_back(i);
            if (static_cast<int>(chosen.size()) == samplesPerClass) ++complete;
        }
        const int64_t pixels = shaped.channels() * shaped.height() * shaped.width();
        for (int64_t c = 0; c < classes; ++c)
            for (int64_t i : picked[static_cast<size_t>(c)]) {
                const auto image = train.images[i].to(torch::kUInt8).contiguous();
                const auto* bytes = image.data_ptr<uint8_t>();
                preview.samples.push_back({static_cast<int>(c), std::vector<uint8_t>(bytes, bytes + pixels)});
            }
    }
    return preview;
}

}  // namespace csq
