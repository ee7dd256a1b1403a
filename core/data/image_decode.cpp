#include "data/image_decode.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

// PNG gray + alpha images: without this GIL refuses them.
#define BOOST_GIL_IO_ENABLE_GRAY_ALPHA
#include <boost/gil/extension/io/jpeg.hpp>
#include <boost/gil/extension/io/png.hpp>
#include <boost/gil/image.hpp>
#include <boost/gil/typedefs.hpp>
#include <boost/iostreams/device/array.hpp>
#include <boost/iostreams/stream.hpp>
#include <zlib.h>

#include "csq/errors.h"

namespace csq::data {

namespace {

namespace gil = boost::gil;

// GIL 1.81 lets libpng / libjpeg longjmp to a setjmp made in a function that has already returned when
// the data after the last pixel row is bad (a PNG without IEND or with a damaged one crashes the
// process), and it decodes a truncated JPEG silently as gray. So each file is read into memory and its
// chunk / marker structure checked first: GIL then only sees files whose tail libpng / libjpeg accept.
constexpr uint64_t kMaxFileBytes = uint64_t{1} << 30;
constexpr int64_t kMaxImagePixels = int64_t{1} << 27;  // 128 Mpx: ~400 MB as RGB while decoding
const char* const kDamagedHint = "the file is damaged or incomplete; re-export it or remove it from the folder";
constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

uint32_t be32(const unsigned char* p)
{
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}
uint32_t be16(const unsigned char* p)
{
    return uint32_t{p[0]} << 8 | p[1];
}

std::string readBytes(const std::string& path)
{
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw Error(path, "cannot read image: " + ec.message(), "check that the file is readable");
    if (size > kMaxFileBytes)
        throw Error(path, "file of " + std::to_string(size) + " bytes is too large for an image", "remove it");
    std::string bytes(size, '\0');
    std::ifstream in(path, std::ios::binary);
    in.read(bytes.data(), static_cast<std::streamsize>(size));
    if (!in || static_cast<uint64_t>(in.gcount()) != size)
        throw Error(path, "cannot read image", "check that the file is readable");
    return bytes;
}

void checkSize(const std::string& path, const ImageInfo& info)
{
    if (info.width <= 0 || info.height <= 0) throw Error(path, "image has no pixels", kDamagedHint);
    if (info.width > kMaxImageSide || info.height > kMaxImageSide || info.width * info.height > kMaxImagePixels)
        throw Error(path,
                    "image of " + std::to_string(info.width) + " x " + std::to_string(info.height) +
                        " pixels is too large (at most " + std::to_string(kMaxImageSide) + " a side, " +
                        std::to_string(kMaxImagePixels >> 20) + " Mpx)",
                    "shrink it before training");
}

// Chunk lengths, CRCs and order up to IEND; returns the header. Only the four standard critical chunks
// are allowed, so whatever libpng meets after the pixel rows is ancillary (warnings, never errors).
ImageInfo checkPng(const std::string& path, std::string_view bytes)
{
    auto damaged = [&](const std::string& what) { return Error(path, "damaged PNG: " + what, kDamagedHint); };
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    ImageInfo info;
    int colorType = -1;
    bool palette = false, idat = false, afterIdat = false;
    for (size_t pos = sizeof kPngSignature;;) {
        if (bytes.size() - pos < 12) throw damaged("the file ends before its IEND chunk (truncated)");
        const uint32_t length = be32(data + pos);
        const unsigned char* type = data + pos + 4;
        if (length > 0x7fffffffu || length > bytes.size() - pos - 12)
            throw damaged("a chunk runs past the end (truncated)");
        if (!std::all_of(type, type + 4, [](unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }))
            throw damaged("invalid chunk type at byte " + std::to_string(pos));
        const std::string name(reinterpret_cast<const char*>(type), 4);
        if (crc32(crc32(0, nullptr, 0), type, length + 4) != be32(type + 4 + length))
            throw damaged("CRC error in " + name);
        if ((pos == sizeof kPngSignature) != (name == "IHDR")) throw damaged("IHDR is not the first chunk");
        const unsigned char* body = type + 4;
        if (name == "IHDR") {
            if (length != 13) throw damaged("IHDR of wrong length");
            info = {be32(body), be32(body + 4), body[9] == 0 || body[9] == 4};
            colorType = body[9];
        } else if (name == "IDAT") {
            if (afterIdat) throw damaged("IDAT chunks are not consecutive");
            idat = true;
        } else if (name == "IEND") {
            break;
        } else {
            afterIdat = idat;
            if (name == "PLTE" && !idat)
                palette = true;
            else if ((type[0] & 0x20) == 0)  // critical: a decoder must understand it
                throw damaged("unexpected critical chunk " + name);
        }
        pos += 12 + length;
    }
    if (!idat) throw damaged("no image data (IDAT)");
    if (colorType == 3 && !palette) throw damaged("palette image without a palette (PLTE)");
    return info;
}

bool isSof(int marker)
{
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}
bool isStandalone(int marker)
{
    return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7);
}
bool isAppOrComment(int marker)
{
    return (marker >= 0xE0 && marker <= 0xEF) || marker == 0xFE;
}

// Position of the marker that ends the entropy-coded data starting at `pos` (0xFF00 is a stuffed byte
// and 0xFFD0..D7 restart markers belong to the data).
size_t scanEnd(const unsigned char* data, size_t size, size_t pos)
{
    for (; pos + 1 < size; ++pos)
        if (data[pos] == 0xFF && data[pos + 1] != 0 && !(data[pos + 1] >= 0xD0 && data[pos + 1] <= 0xD7)) return pos;
    return size;
}

// Markers and segment lengths up to EOI; returns the frame header. A single-scan file may have only
// APPn / COM between its scan and EOI: libjpeg reads those after the last row, where errors would crash.
ImageInfo checkJpeg(const std::string& path, std::string_view bytes)
{
    auto damaged = [&](const std::string& what) { return Error(path, "damaged JPEG: " + what, kDamagedHint); };
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    const size_t size = bytes.size();
    ImageInfo info;
    bool frame = false;
    int scans = 0, markersAfterScan = 0;
    for (size_t pos = 2;;) {
        if (pos >= size) throw damaged("the file ends before its end-of-image marker (truncated)");
        if (data[pos] != 0xFF) throw damaged("expected a marker at byte " + std::to_string(pos));
        while (pos < size && data[pos] == 0xFF) ++pos;  // fill bytes
        if (pos >= size) continue;
        const int marker = data[pos++];
        if (marker == 0xD9) break;  // EOI
        if (isStandalone(marker)) continue;
        if (scans > 0 && !isAppOrComment(marker)) ++markersAfterScan;
        if (size - pos < 2 || be16(data + pos) < 2 || be16(data + pos) > size - pos)
            throw damaged("a segment runs past the end (truncated)");
        const size_t length = be16(data + pos);
        if (isSof(marker)) {
            if (length < 8) throw damaged("frame header too short");
            info = {be16(data + pos + 5), be16(data + pos + 3), data[pos + 7] == 1};
            frame = true;
        }
        pos += length;
        if (marker == 0xDA) {  // start of scan: the entropy-coded data follows the header
            ++scans;
            markersAfterScan = 0;
            pos = scanEnd(data, size, pos);
        }
    }
    if (!frame || scans == 0) throw damaged("no image frame or scan");
    if (scans == 1 && markersAfterScan > 0) throw damaged("unexpected markers after the image data");
    return info;
}

template <typename Image, typename Tag>
Image decodeWithGil(std::string_view bytes, const Tag& tag)
{
    boost::iostreams::stream<boost::iostreams::array_source> in(bytes.data(), bytes.size());
    Image image;
    gil::read_and_convert_image(in, image, tag);
    return image;
}

template <typename Image>
void resizeImage(const Image& image, int channels, int size, uint8_t* out)
{
    const auto v = gil::const_view(image);
    const auto* pixels = reinterpret_cast<const uint8_t*>(gil::interleaved_view_get_raw_data(v));
    resizeBilinear(pixels, v.width(), v.height(), static_cast<int64_t>(v.pixels().row_size()), channels, size, size,
                   out);
}

template <typename Tag>
void decodeInto(std::string_view bytes, const Tag& tag, int channels, int size, uint8_t* out)
{
    if (channels == 1)
        resizeImage(decodeWithGil<gil::gray8_image_t>(bytes, tag), 1, size, out);
    else
        resizeImage(decodeWithGil<gil::rgb8_image_t>(bytes, tag), 3, size, out);
}

// For each output coordinate: the first input coordinate it reads and the normalized filter weights.
struct Taps {
    int64_t first = 0;
    std::vector<float> weights;
};

std::vector<Taps> filterTaps(int64_t in, int64_t out)
{
    const double scale = static_cast<double>(in) / static_cast<double>(out);
    const double support = std::max(scale, 1.0);  // the triangle's half width, in input pixels
    std::vector<Taps> taps(static_cast<size_t>(out));
    for (int64_t i = 0; i < out; ++i) {
        const double center = (static_cast<double>(i) + 0.5) * scale;
        const auto lo = std::max<int64_t>(0, static_cast<int64_t>(std::floor(center - support + 0.5)));
        const auto hi = std::min<int64_t>(in, static_cast<int64_t>(std::floor(center + support + 0.5)));
        auto& t = taps[static_cast<size_t>(i)];
        t.first = lo;
        double sum = 0;
        std::vector<double> w;
        for (int64_t j = lo; j < hi; ++j)
            sum += w.emplace_back(std::max(0.0, 1.0 - std::abs((static_cast<double>(j) + 0.5 - center) / support)));
        for (double x : w) t.weights.push_back(static_cast<float>(x / sum));  // 1 and 0 at the same size
    }
    return taps;
}

}  // namespace

void resizeBilinear(const uint8_t* src, int64_t width, int64_t height, int64_t stride, int channels, int64_t outWidth,
                    int64_t outHeight, uint8_t* out)
{
    const auto columns = filterTaps(width, outWidth), rows = filterTaps(height, outHeight);
    // Rows first filtered horizontally into floats ([height, outWidth, channels]), then vertically.
    std::vector<float> wide(static_cast<size_t>(height * outWidth * channels));
    for (int64_t y = 0; y < height; ++y)
        for (int64_t x = 0; x < outWidth; ++x) {
            const auto& t = columns[static_cast<size_t>(x)];
            for (int c = 0; c < channels; ++c) {
                float sum = 0;
                for (size_t k = 0; k < t.weights.size(); ++k)
                    sum += t.weights[k] * src[y * stride + (t.first + static_cast<int64_t>(k)) * channels + c];
                wide[static_cast<size_t>((y * outWidth + x) * channels + c)] = sum;
            }
        }
    for (int c = 0; c < channels; ++c)
        for (int64_t y = 0; y < outHeight; ++y) {
            const auto& t = rows[static_cast<size_t>(y)];
            for (int64_t x = 0; x < outWidth; ++x) {
                float sum = 0;
                for (size_t k = 0; k < t.weights.size(); ++k)
                    sum +=
                        t.weights[k] *
                        wide[static_cast<size_t>(((t.first + static_cast<int64_t>(k)) * outWidth + x) * channels + c)];
                out[(c * outHeight + y) * outWidth + x] = static_cast<uint8_t>(std::clamp(sum, 0.f, 255.f) + 0.5f);
            }
        }
}

ImageInfo decodeImage(const std::string& path, int channels, int size, uint8_t* out)
{
    const auto bytes = readBytes(path);
    const bool png =
        bytes.compare(0, sizeof kPngSignature, reinterpret_cast<const char*>(kPngSignature), sizeof kPngSignature) == 0;
    const bool jpeg = bytes.size() >= 3 && bytes.compare(0, 3, "\xFF\xD8\xFF") == 0;
    if (!png && !jpeg) throw Error(path, "not a PNG or JPEG image", "convert it to PNG or JPEG, or remove it");
    const auto info = png ? checkPng(path, bytes) : checkJpeg(path, bytes);
    checkSize(path, info);
    try {
        if (png)
            decodeInto(bytes, gil::png_tag(), channels, size, out);
        else
            decodeInto(bytes, gil::jpeg_tag(), channels, size, out);
    } catch (const std::exception& e) {  // GIL reports libpng / libjpeg errors as std::ios_base::failure
        throw Error(path, std::string("cannot decode ") + (png ? "PNG" : "JPEG") + ": " + e.what(), kDamagedHint);
    }
    return info;
}

}  // namespace csq::data
