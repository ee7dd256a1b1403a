#include "data/image_folder.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <filesystem>
#include <map>
#include <numeric>
#include <random>
#include <vector>

#include "csq/errors.h"
#include "data/image_decode.h"
#include "data/seeding.h"

namespace csq::data {

namespace fs = std::filesystem;

namespace {

const char* const kLayoutHint =
    "put the images in one sub-folder per class, <root>/<class>/<image>.png|jpg|jpeg, or give the splits as "
    "<root>/train/<class>/… and <root>/test/<class>/…";

struct Sample {
    fs::path file;
    int64_t label;
};

struct ClassFolder {
    std::string name;
    fs::path dir;
    std::vector<fs::path> images;  // sorted by name, so nothing depends on the file system's order
};

struct SplitFiles {
    std::vector<std::string> classNames;
    std::vector<Sample> train, test;
};

// Hidden entries (.DS_Store, macOS's "._name.jpg" metadata twins, .ipynb_checkpoints) are never data.
bool isHidden(const fs::path& path)
{
    return path.filename().string().starts_with('.');
}

bool isFolder(const fs::path& path)
{
    std::error_code ec;
    return fs::is_directory(path, ec);
}

bool isImageFile(const fs::directory_entry& entry)
{
    std::error_code ec;
    if (isHidden(entry.path()) || !entry.is_regular_file(ec)) return false;
    auto ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

// The visible entries of `dir`, unsorted; `ec` is set when it cannot be listed.
std::vector<fs::directory_entry> entriesOf(const fs::path& dir, std::error_code& ec)
{
    std::vector<fs::directory_entry> entries;
    for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
         it.increment(ec))
        if (!isHidden(it->path())) entries.push_back(*it);
    return entries;
}

std::vector<fs::directory_entry> sortedEntries(const fs::path& dir)
{
    std::error_code ec;
    auto entries = entriesOf(dir, ec);
    if (ec) throw Error(dir.string(), "cannot list folder: " + ec.message(), "check that it is readable");
    std::sort(entries.begin(), entries.end());
    return entries;
}

bool hasGivenSplits(const fs::path& root)
{
    return isFolder(root / "train") && isFolder(root / "test");
}

// The class folders of `dir` (visible sub-folders, sorted by name), each with at least one image.
std::vector<ClassFolder> scanClasses(const fs::path& dir)
{
    std::vector<ClassFolder> classes;
    for (const auto& entry : sortedEntries(dir)) {
        if (!isFolder(entry.path())) continue;
        ClassFolder folder{entry.path().filename().string(), entry.path(), {}};
        for (const auto& file : sortedEntries(folder.dir))
            if (isImageFile(file)) folder.images.push_back(file.path());
        if (folder.images.empty()) {
            std::string hint = "add images to it or remove it";
            if (folder.name == "train" || folder.name == "test") hint += "; given splits need both train/ and test/";
            throw Error(folder.dir.string(), "no .png, .jpg or .jpeg image in this class folder", hint);
        }
        classes.push_back(std::move(folder));
    }
    if (classes.empty()) throw Error(dir.string(), "no class sub-folders", kLayoutHint);
    return classes;
}

// root/train/<class> and root/test/<class>: the test classes are looked up in the training list.
SplitFiles givenSplits(const fs::path& root)
{
    SplitFiles split;
    std::map<std::string, int64_t> labels;
    for (const auto& folder : scanClasses(root / "train")) {
        const auto label = labels[folder.name] = static_cast<int64_t>(split.classNames.size());
        split.classNames.push_back(folder.name);
        for (const auto& file : folder.images) split.train.push_back({file, label});
    }
    for (const auto& folder : scanClasses(root / "test")) {
        const auto known = labels.find(folder.name);
        if (known == labels.end())
            throw Error(folder.dir.string(), "test class '" + folder.name + "' has no training folder",
                        "add " + (root / "train" / folder.name).string() + " with its training images, or remove it");
        for (const auto& file : folder.images) split.test.push_back({file, known->second});
    }
    return split;
}

// root/<class>: of each class's n sorted images, round(n / kImageFolderTestOneIn) (at least 1 when n >= 2)
// are drawn for testing by a stream seeded with (seed, class): stratified and reproducible.
SplitFiles heldOutSplits(const fs::path& root, uint64_t seed)
{
    SplitFiles split;
    const auto classes = scanClasses(root);
    for (size_t c = 0; c < classes.size(); ++c) {
        const auto& images = classes[c].images;
        const auto n = static_cast<int64_t>(images.size());
        const int64_t held = n < 2 ? 0 : std::max<int64_t>(1, (n + kImageFolderTestOneIn / 2) / kImageFolderTestOneIn);
        std::vector<int64_t> order(images.size());
        std::iota(order.begin(), order.end(), int64_t{0});
        std::mt19937_64 rng(mixSeed(seed, Stream::TestHoldOut, c));
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<char> test(images.size(), 0);
        for (int64_t k = 0; k < held; ++k) test[static_cast<size_t>(order[static_cast<size_t>(k)])] = 1;
        for (size_t i = 0; i < images.size(); ++i)
            (test[i] ? split.test : split.train).push_back({images[i], static_cast<int64_t>(c)});
        split.classNames.push_back(classes[c].name);
    }
    if (split.test.empty())
        throw Error(root.string(), "too few images to hold out a test split: every class has a single image",
                    "add images (1 in " + std::to_string(kImageFolderTestOneIn) +
                        " of each class is held out for testing), or give train/ and test/ folders");
    return split;
}

// Decodes every sample into one uint8 [N, channels, size, size] tensor on the intra-op threads. The files
// before the first failing one are all decoded, so which error is reported never depends on timing.
torch::Tensor decodeAll(const std::vector<Sample>& samples, int channels, int size, std::vector<char>& gray)
{
    const auto n = static_cast<int64_t>(samples.size());
    auto images = torch::empty({n, channels, size, size}, torch::kUInt8);
    uint8_t* base = images.data_ptr<uint8_t>();
    const int64_t imageBytes = int64_t{channels} * size * size;
    gray.assign(samples.size(), 0);
    std::vector<std::exception_ptr> errors(samples.size());
    std::atomic<int64_t> firstError{n};
    at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end && i < firstError.load(); ++i) {
            const auto k = static_cast<size_t>(i);
            try {
                gray[k] = decodeImage(samples[k].file.string(), channels, size, base + i * imageBytes).gray;
            } catch (...) {
                errors[k] = std::current_exception();
                for (auto seen = firstError.load(); i < seen && !firstError.compare_exchange_weak(seen, i);) {
                }
            }
        }
    });
    if (firstError.load() < n) std::rethrow_exception(errors[static_cast<size_t>(firstError.load())]);
    return images;
}

// "/a/b/" and "b/." name the folder "b"; "." names the working directory.
std::string folderName(const fs::path& root)
{
    std::error_code ec;
    auto normal = fs::absolute(root, ec).lexically_normal();
    if (!normal.has_filename() && normal.has_parent_path()) normal = normal.parent_path();
    return normal.filename().string();
}

}  // namespace

bool isImageFolder(const std::string& dir)
{
    const fs::path root(dir);
    if (hasGivenSplits(root)) return true;
    std::error_code ec;
    for (const auto& entry : entriesOf(root, ec)) {
        if (!isFolder(entry.path())) continue;
        std::error_code inner;  // stops at the first image: detection runs while the user picks a folder
        for (fs::directory_iterator it(entry.path(), fs::directory_options::skip_permission_denied, inner), end;
             !inner && it != end; it.increment(inner))
            if (isImageFile(*it)) return true;
    }
    return false;
}

DataSplits readImageFolder(const std::string& root, const LoadOptions& options)
{
    if (options.imageSize < 1 || options.imageSize > kMaxImageSide)
        throw Error("image_size",
                    "must be in 1.." + std::to_string(kMaxImageSide) + ", got " + std::to_string(options.imageSize));
    if (options.imageChannels != 0 && options.imageChannels != 1 && options.imageChannels != 3)
        throw Error("image_channels",
                    "must be 0 (automatic), 1 (gray) or 3 (RGB), got " + std::to_string(options.imageChannels));
    const fs::path dir(root);
    auto split = hasGivenSplits(dir) ? givenSplits(dir) : heldOutSplits(dir, options.seed);
    std::vector<Sample> samples = split.train;
    samples.insert(samples.end(), split.test.begin(), split.test.end());

    std::vector<char> gray;
    auto images = decodeAll(samples, options.imageChannels == 0 ? 3 : options.imageChannels, options.imageSize, gray);
    // A gray file decodes to three equal channels, so the first one is exactly its gray image.
    if (options.imageChannels == 0 && std::all_of(gray.begin(), gray.end(), [](char g) { return g != 0; }))
        images = images.narrow(1, 0, 1).contiguous();
    std::vector<int64_t> labelList;
    for (const auto& s : samples) labelList.push_back(s.label);
    const auto labels = torch::tensor(labelList, torch::kLong);

    const auto classes = static_cast<int64_t>(split.classNames.size());
    const auto name = folderName(dir);
    auto part = [&](int64_t first, size_t count) {
        const auto k = static_cast<int64_t>(count);
        return Dataset{images.narrow(0, first, k), labels.narrow(0, first, k), classes, name, split.classNames};
    };
    const auto trainCount = static_cast<int64_t>(split.train.size());
    return {part(0, split.train.size()), {}, part(trainCount, split.test.size()), "folder"};
}

int64_t imageFolderClasses(const std::string& root)
{
    const fs::path dir(root);
    return static_cast<int64_t>(scanClasses(hasGivenSplits(dir) ? dir / "train" : dir).size());
}

}  // namespace csq::data
