#pragma once
// One PNG or JPEG file -> a fixed-size uint8 image, for the image-folder reader. The file's structure is
// checked before Boost.GIL decodes it (GIL's readers crash on some damaged files, see the .cpp), then the
// image is converted to gray or RGB and resized with a triangle (bilinear) filter.
#include <cstdint>
#include <string>

namespace csq::data {

// Larger images are refused from their header, before anything is allocated for them.
inline constexpr int64_t kMaxImageSide = 16384;

struct ImageInfo {
    int64_t width = 0, height = 0;
    bool gray = false;  // the file stores gray (PNG gray or gray + alpha, single-component JPEG)
};

// Decodes `path` (PNG or JPEG, told apart by content, not by name), converts it to `channels` (1: gray,
// 3: RGB; alpha is composited onto black) and writes it resized to size x size, planar [channels, size,
// size], into `out`. Throws csq::Error naming the file when it is not a readable PNG or JPEG.
ImageInfo decodeImage(const std::string& path, int channels, int size, uint8_t* out);

// Resizes an interleaved uint8 image (`height` rows of `stride` bytes, `channels` bytes a pixel) to
// outWidth x outHeight, written planar [channels, outHeight, outWidth]. Pixel centres are aligned and the
// triangle filter widens with the shrink factor (PIL's bilinear): plain bilinear when enlarging,
// averaging every covered pixel when shrinking (no aliasing); the same size copies exactly.
void resizeBilinear(const uint8_t* src, int64_t width, int64_t height, int64_t stride, int channels, int64_t outWidth,
                    int64_t outHeight, uint8_t* out);

}  // namespace csq::data
