#include "data/dataset_loader.h"

#include <algorithm>
#include <filesystem>
#include <vector>

#include "csq/errors.h"
#include "data/cifar_reader.h"
#include "data/idx_reader.h"
#include "data/image_folder.h"
#include "data/split.h"

namespace csq::data {

namespace fs = std::filesystem;

namespace {

// train images, train labels, test images, test labels; each may also end in .gz.
const char* const kIdxFiles[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                  "t10k-labels-idx1-ubyte"};
constexpr int kCifar10TrainBatches = 5;
const char* const kRecognizedLayouts =
    "recognized layouts: IDX (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
    "t10k-labels-idx1-ubyte, each optionally .gz); CIFAR-10 binary (data_batch_1.bin … data_batch_5.bin and "
    "test_batch.bin, optionally inside cifar-10-batches-bin/); CIFAR-100 binary (train.bin and test.bin, "
    "optionally inside cifar-100-binary/); image folders (<root>/<class>/*.png|jpg|jpeg with 1 in 5 images of "
    "each class held out for testing, or <root>/train/<class>/… and <root>/test/<class>/…)";

struct Layout {
    std::string format;  // empty: none recognized
    fs::path dir;        // the directory that holds the files
};

bool isFile(const fs::path& path)
{
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

// "/a/b/" -> "/a/b", so a trailing slash changes neither comparisons nor the dataset's name.
fs::path withoutTrailingSlash(const fs::path& path)
{
    auto normal = path.lexically_normal();
    return normal.has_filename() || !normal.has_parent_path() ? normal : normal.parent_path();
}

fs::path findIdx(const fs::path& dir, const std::string& stem)
{
    if (isFile(dir / stem)) return dir / stem;
    if (isFile(dir / (stem + ".gz"))) return dir / (stem + ".gz");
    return {};
}

std::string formatIn(const fs::path& dir)
{
    if (std::all_of(std::begin(kIdxFiles), std::end(kIdxFiles), [&](auto f) { return !findIdx(dir, f).empty(); }))
        return "idx";
    if (isFile(dir / "data_batch_1.bin") && isFile(dir / "test_batch.bin")) return "cifar10";
    if (isFile(dir / "train.bin") && isFile(dir / "test.bin")) return "cifar100";
    return {};
}

Layout findLayout(const fs::path& path)
{
    std::error_code ec;
    fs::path dir = fs::is_directory(path, ec) ? path : path.parent_path();
    if (dir.empty()) dir = ".";
    for (const auto& candidate : {dir, dir / "cifar-10-batches-bin", dir / "cifar-100-binary"})
        if (auto format = formatIn(candidate); !format.empty()) return {format, candidate};
    // Last: a folder of class folders only counts when it holds no IDX or CIFAR files.
    if (isImageFolder(dir.string())) return {"folder", dir};
    return {};
}

DataSplits loadIdx(const fs::path& dir)
{
    auto file = [&](int i) { return findIdx(dir, kIdxFiles[i]).string(); };
    DataSplits splits;
    splits.train = readIdxPair(file(0), file(1));
    splits.test = readIdxPair(file(2), file(3), splits.train.classes);
    splits.train.name = splits.test.name = withoutTrailingSlash(dir).filename().string();
    return splits;
}

DataSplits loadCifar(const Layout& layout)
{
    if (layout.format == "cifar100")
        return {readCifar({(layout.dir / "train.bin").string()}, CifarVariant::Cifar100),
                {},
                readCifar({(layout.dir / "test.bin").string()}, CifarVariant::Cifar100),
                {}};
    std::vector<std::string> batches;
    std::string missing;
    for (int i = 1; i <= kCifar10TrainBatches; ++i) {
        const auto batch = layout.dir / ("data_batch_" + std::to_string(i) + ".bin");
        if (isFile(batch))
            batches.push_back(batch.string());
        else
            missing += (missing.empty() ? "" : ", ") + batch.filename().string();
    }
    if (!missing.empty())
        throw Error(layout.dir.string(), "incomplete CIFAR-10: " + missing + " missing",
                    "re-extract cifar-10-binary.tar.gz");
    return {readCifar(batches, CifarVariant::Cifar10),
            {},
            readCifar({(layout.dir / "test_batch.bin").string()}, CifarVariant::Cifar10),
            {}};
}

}  // namespace

LoadOptions loadOptions(const TrainingConfig& c)
{
    return {c.trainLimit, c.validationFraction, c.seed, c.imageSize, c.imageChannels};
}

std::string detectFormat(const std::string& path)
{
    std::error_code ec;
    if (path.empty() || !fs::exists(path, ec)) return {};
    return findLayout(path).format;
}

void requireDatasetPath(const std::string& path, const std::string& defaultPath)
{
    if (path.empty()) throw Error("dataset", "no dataset path given", "choose a dataset directory");
    std::error_code ec;
    if (fs::exists(path, ec)) return;
    if (withoutTrailingSlash(path) == withoutTrailingSlash(defaultPath))
        throw Error(path, "the default dataset (Fashion-MNIST) is not installed",
                    "install it with: sudo apt-get install dataset-fashion-mnist");
    throw Error(path, "no such file or directory", "check the dataset path");
}

DataSplits loadDataset(const std::string& path, const LoadOptions& options)
{
    requireDatasetPath(path);
    const auto layout = findLayout(path);
    if (layout.format.empty()) throw Error(path, "no recognized dataset in this directory", kRecognizedLayouts);
    auto splits = layout.format == "idx"      ? loadIdx(layout.dir)
                  : layout.format == "folder" ? readImageFolder(layout.dir.string(), options)
                                              : loadCifar(layout);
    splits.format = layout.format;
    const auto& train = splits.train.images;
    const auto& test = splits.test.images;
    if (train.sizes().slice(1) != test.sizes().slice(1))
        throw Error(layout.dir.string(), "training and test images differ in shape (C x H x W)",
                    "use the training and test files of the same dataset");
    auto parts = splitValidation(limit(splits.train, options.trainLimit, options.seed), options.validationFraction,
                                 options.seed);
    splits.train = std::move(parts.train);
    splits.validation = std::move(parts.validation);
    return splits;
}

DataShape peekShape(const std::string& path, const LoadOptions& options)
{
    requireDatasetPath(path);
    const auto layout = findLayout(path);
    if (layout.format.empty()) throw Error(path, "no recognized dataset in this directory", kRecognizedLayouts);
    DataShape shape;
    if (layout.format == "idx") {
        const auto images = findIdx(layout.dir, kIdxFiles[0]).string();
        const auto dims = readIdxDims(images);
        if (dims.size() != 3)
            throw Error(images, "expected images [N x H x W]", "pass an images file (…-images-idx3-ubyte)");
        const auto labels = readIdx(findIdx(layout.dir, kIdxFiles[1]).string());  // N bytes: cheap
        shape = {1, dims[1], dims[2], labels.numel() > 0 ? labels.max().item<int64_t>() + 1 : 0};
    } else if (layout.format == "folder") {
        const int64_t channels = options.imageChannels > 0 ? options.imageChannels : 3;
        shape = {channels, options.imageSize, options.imageSize, imageFolderClasses(layout.dir.string())};
    } else {
        shape = {3, 32, 32, layout.format == "cifar100" ? 100 : 10};
    }
    shape.classes = std::max<int64_t>(shape.classes, 2);
    return shape;
}

}  // namespace csq::data
