#include "data/cifar_reader.h"

#include <filesystem>
#include <fstream>

#include "csq/errors.h"

namespace csq::data {

namespace {

constexpr int64_t kChannels = 3, kSide = 32, kImageBytes = kChannels * kSide * kSide;
constexpr int64_t kRecordsPerChunk = 1000;  // bounds the staging buffer to ~3 MB

struct CifarLayout {
    int64_t labelBytes;
    int64_t labelOffset;  // which label byte is used
    int64_t classes;
};

CifarLayout layoutOf(CifarVariant variant)
{
    return variant == CifarVariant::Cifar10 ? CifarLayout{1, 0, 10} : CifarLayout{2, 1, 100};
}

// Size checks before reading, so a wrong or damaged file never reaches the allocation.
int64_t recordCount(const std::string& path, int64_t recordBytes)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw Error(path, "cannot read file: " + ec.message(), "check the dataset path");
    const auto bytes = static_cast<int64_t>(size);
    if (bytes == 0 || bytes % recordBytes != 0)
        throw Error(path,
                    "size " + std::to_string(bytes) + " bytes is not a positive multiple of the record size " +
                        std::to_string(recordBytes),
                    "the file is damaged or belongs to another CIFAR variant; re-download or re-extract it");
    return bytes / recordBytes;
}

// Reads one file's records into images/labels starting at row `first`, a chunk at a time.
void readFile(const std::string& path, const CifarLayout& layout, int64_t count, int64_t first, Dataset& out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "cannot open file", "check that it is readable");
    const int64_t recordBytes = layout.labelBytes + kImageBytes;
    auto buffer = torch::empty({std::min(count, kRecordsPerChunk), recordBytes}, torch::kUInt8);
    for (int64_t done = 0; done < count;) {
        const int64_t k = std::min(count - done, kRecordsPerChunk);
        auto chunk = buffer.narrow(0, 0, k);
        in.read(reinterpret_cast<char*>(chunk.data_ptr<uint8_t>()), k * recordBytes);
        if (in.gcount() != k * recordBytes) throw Error(path, "read failed", "check that the file is readable");
        auto labels = chunk.select(1, layout.labelOffset).to(torch::kLong);
        const int64_t maxLabel = labels.max().item<int64_t>();
        if (maxLabel >= layout.classes)
            throw Error(
                path,
                "label " + std::to_string(maxLabel) + " is out of range [0, " + std::to_string(layout.classes) + ")",
                "the file is damaged or belongs to another CIFAR variant");
        out.labels.narrow(0, first + done, k).copy_(labels);
        out.images.narrow(0, first + done, k)
            .copy_(chunk.narrow(1, layout.labelBytes, kImageBytes).view({k, kChannels, kSide, kSide}));
        done += k;
    }
}

}  // namespace

int64_t cifarRecordBytes(CifarVariant variant)
{
    return layoutOf(variant).labelBytes + kImageBytes;
}

Dataset readCifar(const std::vector<std::string>& paths, CifarVariant variant)
{
    const auto layout = layoutOf(variant);
    std::vector<int64_t> counts;
    int64_t total = 0;
    for (const auto& path : paths) total += counts.emplace_back(recordCount(path, cifarRecordBytes(variant)));
    Dataset out{torch::empty({total, kChannels, kSide, kSide}, torch::kUInt8),
                torch::empty({total}, torch::kLong),
                layout.classes,
                variant == CifarVariant::Cifar10 ? "cifar10" : "cifar100",
                {}};
    int64_t first = 0;
    for (size_t i = 0; i < paths.size(); ++i) {
        readFile(paths[i], layout, counts[i], first, out);
        first += counts[i];
    }
    return out;
}

}  // namespace csq::data
