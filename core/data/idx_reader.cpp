#include "data/idx_reader.h"

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

#include <boost/iostreams/device/file.hpp>
#include <boost/iostreams/filter/gzip.hpp>
#include <boost/iostreams/filtering_stream.hpp>

#include "csq/errors.h"

namespace csq::data {

namespace {

constexpr unsigned char kUnsignedByte = 0x08;
constexpr std::streamsize kChunkBytes = 1 << 20;
const char* const kRedownload = "re-download or re-extract the dataset";

struct IdxHeader {
    std::vector<int64_t> dims;
    int64_t headerBytes = 0;
    int64_t dataBytes = 0;  // product of dims: one byte per element
};

std::string hexByte(unsigned char b)
{
    const char* digits = "0123456789abcdef";
    return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

std::string dimsText(c10::IntArrayRef dims)
{
    std::string text;
    for (auto d : dims) text += (text.empty() ? "" : " x ") + std::to_string(d);
    return text;
}

bool hasGzipMagic(const std::string& path)
{
    std::ifstream file(path, std::ios::binary);
    unsigned char magic[2] = {0, 0};
    file.read(reinterpret_cast<char*>(magic), 2);
    return file.gcount() == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

std::streamsize readUpTo(std::istream& in, void* dst, std::streamsize n)
{
    in.read(static_cast<char*>(dst), n);
    return in.gcount();
}

// Checks everything the 4 + 4·ndims header bytes can tell; the data size is checked by the caller.
IdxHeader readHeader(std::istream& in, const std::string& path)
{
    unsigned char magic[4];
    if (readUpTo(in, magic, 4) != 4) throw Error(path, "too short for an IDX header", kRedownload);
    if (magic[0] != 0 || magic[1] != 0)
        throw Error(
            path,
            "not an IDX file: it starts with " + hexByte(magic[0]) + " " + hexByte(magic[1]) + ", expected 0x00 0x00",
            "pass an IDX file such as train-images-idx3-ubyte.gz");
    if (magic[2] != kUnsignedByte)
        throw Error(path, "IDX element type " + hexByte(magic[2]) + " is not supported (only unsigned bytes, 0x08)",
                    "use an unsigned-byte IDX file, as MNIST-style datasets are");
    if (magic[3] == 0) throw Error(path, "IDX header declares 0 dimensions", kRedownload);
    IdxHeader header;
    header.headerBytes = 4 + 4 * int64_t{magic[3]};
    header.dataBytes = 1;
    for (int i = 0; i < magic[3]; ++i) {
        unsigned char b[4];
        if (readUpTo(in, b, 4) != 4) throw Error(path, "truncated IDX header", kRedownload);
        const int64_t dim = (int64_t{b[0]} << 24) | (int64_t{b[1]} << 16) | (int64_t{b[2]} << 8) | b[3];
        if (dim == 0) throw Error(path, "IDX dimension " + std::to_string(i) + " is 0", kRedownload);
        // Each dim < 2^32, so this bound keeps the product far from int64 overflow.
        if (header.dataBytes > (int64_t{1} << 62) / dim)
            throw Error(path, "IDX header claims an impossibly large array", kRedownload);
        header.dataBytes *= dim;
        header.dims.push_back(dim);
    }
    return header;
}

Error truncatedError(const std::string& path, const IdxHeader& header, int64_t present)
{
    return Error(path,
                 "truncated: the header claims " + dimsText(header.dims) + " = " + std::to_string(header.dataBytes) +
                     " bytes of data but only " + std::to_string(present) + " are present",
                 kRedownload);
}

Error trailingError(const std::string& path, const IdxHeader& header)
{
    return Error(path, "has bytes after the " + std::to_string(header.dataBytes) + " bytes of data its header claims",
                 "the file is damaged or not the one expected; " + std::string(kRedownload));
}

// Plain file: its size is known, so a lying header is caught before anything is allocated.
torch::Tensor readPlain(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path, "cannot open file", "check that it exists and is readable");
    const auto header = readHeader(in, path);
    const auto present = static_cast<int64_t>(std::filesystem::file_size(path)) - header.headerBytes;
    if (present < header.dataBytes) throw truncatedError(path, header, present);
    if (present > header.dataBytes) throw trailingError(path, header);
    auto array = torch::empty(header.dims, torch::kUInt8);
    if (readUpTo(in, array.data_ptr<uint8_t>(), header.dataBytes) != header.dataBytes)
        throw Error(path, "read failed", "check that the file is readable");
    return array;
}

// Gzip: the decompressed size is unknown until the end, so the buffer grows only as bytes arrive.
torch::Tensor readGzip(const std::string& path)
{
    boost::iostreams::filtering_istream in;
    in.push(boost::iostreams::gzip_decompressor());
    in.push(boost::iostreams::file_source(path, std::ios::binary));
    in.exceptions(std::ios::badbit);  // decompression errors surface as exceptions, not as a short read
    const auto header = readHeader(in, path);
    std::vector<uint8_t> data;
    while (static_cast<int64_t>(data.size()) < header.dataBytes) {
        const auto old = data.size();
        const auto want = std::min<int64_t>(kChunkBytes, header.dataBytes - static_cast<int64_t>(old));
        data.resize(old + static_cast<size_t>(want));
        const auto got = readUpTo(in, data.data() + old, want);
        data.resize(old + static_cast<size_t>(got));
        if (got < want) break;
    }
    if (static_cast<int64_t>(data.size()) < header.dataBytes)
        throw truncatedError(path, header, static_cast<int64_t>(data.size()));
    // Reading on to the end also makes the decompressor check the CRC footer of what was read.
    char extra;
    if (readUpTo(in, &extra, 1) != 0) throw trailingError(path, header);
    auto array = torch::empty(header.dims, torch::kUInt8);
    std::memcpy(array.data_ptr<uint8_t>(), data.data(), data.size());
    return array;
}

// boost's gzip_error says only "gzip error"; its code says what was wrong.
std::string gzipProblem(const std::exception& e)
{
    namespace gzip = boost::iostreams::gzip;
    const auto* error = dynamic_cast<const boost::iostreams::gzip_error*>(&e);
    if (!error) return e.what();
    switch (error->error()) {
        case gzip::zlib_error:
            return "invalid compressed data";
        case gzip::bad_crc:
            return "CRC mismatch";
        case gzip::bad_length:
            return "length mismatch";
        case gzip::bad_header:
            return "malformed gzip header";
        case gzip::bad_footer:
            return "missing or malformed gzip footer (is the file cut short?)";
        case gzip::bad_method:
            return "unsupported compression method";
        default:
            return e.what();
    }
}

}  // namespace

torch::Tensor readIdx(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw Error(path, "no such file", "check the dataset path");
    if (!hasGzipMagic(path)) return readPlain(path);
    try {
        return readGzip(path);
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(path, "corrupt gzip stream: " + gzipProblem(e), kRedownload);
    }
}

std::vector<int64_t> readIdxDims(const std::string& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw Error(path, "no such file", "check the dataset path");
    try {
        if (!hasGzipMagic(path)) {
            std::ifstream in(path, std::ios::binary);
            return readHeader(in, path).dims;
        }
        boost::iostreams::filtering_istream in;
        in.push(boost::iostreams::gzip_decompressor());
        in.push(boost::iostreams::file_source(path, std::ios::binary));
        in.exceptions(std::ios::badbit);
        return readHeader(in, path).dims;
    } catch (const Error&) {
        throw;
    } catch (const std::exception& e) {
        throw Error(path, "corrupt gzip stream: " + gzipProblem(e), kRedownload);
    }
}

Dataset readIdxPair(const std::string& imagesPath, const std::string& labelsPath, int64_t expectedClasses)
{
    auto images = readIdx(imagesPath);
    if (images.dim() != 3)
        throw Error(imagesPath, "expected images [N x H x W], the file holds " + dimsText(images.sizes()),
                    "pass an images file (…-images-idx3-ubyte)");
    auto labels = readIdx(labelsPath);
    if (labels.dim() != 1)
        throw Error(labelsPath, "expected labels [N], the file holds " + dimsText(labels.sizes()),
                    "pass a labels file (…-labels-idx1-ubyte)");
    if (images.size(0) != labels.size(0))
        throw Error(imagesPath + " + " + labelsPath,
                    "image/label count mismatch: " + std::to_string(images.size(0)) + " images in " + imagesPath +
                        " but " + std::to_string(labels.size(0)) + " labels in " + labelsPath,
                    "use the images and labels files of the same split");
    labels = labels.to(torch::kLong);
    const int64_t maxLabel = labels.max().item<int64_t>();
    if (expectedClasses > 0 && maxLabel >= expectedClasses) {
        const int64_t at = labels.argmax().item<int64_t>();
        throw Error(labelsPath,
                    "label " + std::to_string(maxLabel) + " of sample " + std::to_string(at) + " is out of range [0, " +
                        std::to_string(expectedClasses) + ")",
                    "the training set has only " + std::to_string(expectedClasses) +
                        " classes; use the labels file of the same dataset");
    }
    return Dataset{images.unsqueeze(1), labels, maxLabel + 1, {}, {}};
}

}  // namespace csq::data
