// Image folders: classes from sorted sub-folder names, PNG pixels exact at the same size, a known
// resize, gray / RGB detection, given and held-out splits (seeded, stratified), and errors that name the
// file or folder at fault. Every image is written by the test itself (GIL's writers, or by hand).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/gil/extension/io/jpeg.hpp>
#include <boost/gil/extension/io/png.hpp>
#include <boost/gil/image.hpp>
#include <boost/gil/typedefs.hpp>
#include <torch/torch.h>
#include <zlib.h>

#include <QTemporaryDir>
#include <QtTest>

#include "csq/errors.h"
#include "data/dataset_loader.h"
#include "data/image_decode.h"
#include "data/image_folder.h"

using namespace csq::data;
namespace fs = std::filesystem;
namespace gil = boost::gil;

namespace {

template <typename Image, typename F>
Image makeImage(int width, int height, F pixel)
{
    Image image(width, height);
    auto v = gil::view(image);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) v(x, y) = pixel(x, y);
    return image;
}

gil::gray8_image_t grayImage(int width, int height, int value)
{
    return makeImage<gil::gray8_image_t>(width, height, [&](int, int) { return gil::gray8_pixel_t(value); });
}

// Writes with GIL, by the extension's type (.png / .PNG, else JPEG; JPEG only holds 8-bit gray or RGB).
template <typename Image>
void write(const fs::path& path, const Image& image)
{
    fs::create_directories(path.parent_path());
    const auto ext = path.extension().string();
    if constexpr (std::is_same_v<Image, gil::gray8_image_t> || std::is_same_v<Image, gil::rgb8_image_t>)
        if (ext != ".png" && ext != ".PNG")
            return gil::write_view(path.string(), gil::const_view(image), gil::jpeg_tag());
    gil::write_view(path.string(), gil::const_view(image), gil::png_tag());
}

void writeBytes(const fs::path& path, const std::string& bytes)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string be32(uint32_t v)
{
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string pngChunk(const std::string& type, const std::string& data)
{
    const auto body = type + data;
    const auto crc = crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()));
    return be32(static_cast<uint32_t>(data.size())) + body + be32(static_cast<uint32_t>(crc));
}

// A PNG built by hand (for colour types GIL cannot write): `rows` are the raw scanlines, filter byte 0.
std::string handmadePng(uint32_t width, uint32_t height, int depth, int colorType, const std::vector<std::string>& rows,
                        const std::string& extraChunks = {})
{
    std::string raw;
    for (const auto& row : rows) raw += '\0' + row;
    std::string packed(compressBound(static_cast<uLong>(raw.size())), '\0');
    auto packedSize = static_cast<uLongf>(packed.size());
    compress(reinterpret_cast<Bytef*>(packed.data()), &packedSize, reinterpret_cast<const Bytef*>(raw.data()),
             static_cast<uLong>(raw.size()));
    packed.resize(packedSize);
    const std::string header =
        be32(width) + be32(height) + static_cast<char>(depth) + static_cast<char>(colorType) + std::string(3, '\0');
    return "\x89PNG\r\n\x1a\n" + pngChunk("IHDR", header) + extraChunks + pngChunk("IDAT", packed) +
           pngChunk("IEND", "");
}

// root/<class>/<i>.png: a constant gray image of value 10 * class + i, so every sample shows its origin.
void writeGrayClasses(const fs::path& root, const std::vector<std::pair<std::string, int>>& classes)
{
    for (size_t c = 0; c < classes.size(); ++c)
        for (int i = 0; i < classes[c].second; ++i)
            write(root / classes[c].first / (std::to_string(i) + ".png"),
                  grayImage(6, 5, static_cast<int>(10 * c + i)));
}

std::set<int> valuesOf(const Dataset& d)
{
    std::set<int> values;
    for (int64_t i = 0; i < d.size(); ++i) values.insert(d.images[i][0][0][0].item<int>());
    return values;
}

LoadOptions options(int size, int channels = 0, uint64_t seed = 1)
{
    LoadOptions o;
    o.imageSize = size;
    o.imageChannels = channels;
    o.seed = seed;
    return o;
}

QString loadError(const fs::path& path, const LoadOptions& o = options(8))
{
    try {
        loadDataset(path.string(), o);
    } catch (const csq::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

#define VERIFY_CONTAINS(message, part)                         \
    QVERIFY2((message).contains(QString::fromStdString(part)), \
             qPrintable(QStringLiteral("missing '%1' in: %2").arg(QString::fromStdString(part), message)))

}  // namespace

class TestImageFolder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void classesLabelsAndCounts();
    void pngPixelsExactAtSameSize();
    void everyPngColourType();
    void knownResizes();
    void grayOrRgbDetection();
    void givenTrainTestFolders();
    void heldOutSplitIsSeededAndStratified();
    void detection();
    void damagedFilesAreNamed();
    void folderErrors();
};

// Sorted (byte order, like torchvision) class names; other files ignored; 1 in 5 held out per class.
void TestImageFolder::classesLabelsAndCounts()
{
    QTemporaryDir tmp;
    const fs::path root = fs::path(tmp.path().toStdString()) / "pets";
    writeGrayClasses(root, {{"Bird", 10}, {"cat", 7}, {"dog", 5}});
    write(root / "cat" / "upper.PNG", grayImage(6, 5, 17));
    write(root / "dog" / "photo.JPEG", grayImage(6, 5, 25));
    writeBytes(root / "dog" / "notes.txt", "not an image");
    writeBytes(root / "dog" / ".hidden.png", "not an image either");
    writeBytes(root / "readme.md", "ignored");
    const auto splits = loadDataset(root.string() + "/", options(4));
    QCOMPARE(splits.format, std::string("folder"));
    QCOMPARE(splits.train.name, std::string("pets"));
    QCOMPARE(splits.train.classNames, (std::vector<std::string>{"Bird", "cat", "dog"}));
    QCOMPARE(splits.test.classNames, splits.train.classNames);
    QCOMPARE(splits.train.classes, int64_t{3});
    QCOMPARE(splits.test.classes, int64_t{3});
    // 10 -> 2 held out, 8 -> 2, 6 -> 1.
    QCOMPARE(splits.test.size(), int64_t{5});
    QCOMPARE(splits.train.size(), int64_t{19});
    QCOMPARE(splits.train.images.sizes().vec(), (std::vector<int64_t>{19, 1, 4, 4}));
    QCOMPARE(splits.train.images.scalar_type(), torch::kUInt8);
    for (const auto* part : {&splits.train, &splits.test})
        for (int64_t i = 0; i < part->size(); ++i)  // the value says the class (the JPEG's within a level)
            QCOMPARE(part->labels[i].item<int64_t>(), part->images[i][0][0][0].item<int64_t>() / 10);
}

void TestImageFolder::pngPixelsExactAtSameSize()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    auto rgb = makeImage<gil::rgb8_image_t>(8, 8, [](int x, int y) {
        return gil::rgb8_pixel_t(static_cast<uint8_t>(x * 30 + y), static_cast<uint8_t>(y * 30 + x),
                                 static_cast<uint8_t>((x * y * 7) % 256));
    });
    for (const char* split : {"train", "test"}) write(root / split / "only" / "a.png", rgb);
    const auto splits = loadDataset(root.string(), options(8, 3));
    const auto a = splits.train.images.accessor<uint8_t, 4>();
    const auto v = gil::const_view(rgb);
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x)
            for (int c = 0; c < 3; ++c) QCOMPARE(int{a[0][c][y][x]}, int{v(x, y)[c]});
    QVERIFY(torch::equal(splits.test.images, splits.train.images));
}

// Palette, palette + transparency, 1-bit gray, gray + alpha, 16-bit and RGBA: all read as 8-bit gray/RGB.
void TestImageFolder::everyPngColourType()
{
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    const std::string palette = pngChunk("PLTE", std::string("\x00\x00\x00\xff\x00\x00\x00\xff\x00\x00\x00\xff", 12));
    writeBytes(dir / "palette.png", handmadePng(4, 1, 8, 3, {std::string("\x00\x01\x02\x03", 4)}, palette));
    writeBytes(dir / "trns.png", handmadePng(2, 1, 8, 3, {std::string("\x01\x02", 2)},
                                             palette + pngChunk("tRNS", std::string("\xff\xff\x00", 3))));
    writeBytes(dir / "bits.png", handmadePng(8, 1, 1, 0, {std::string("\xa5", 1)}));
    writeBytes(dir / "gray-alpha.png", handmadePng(1, 1, 8, 4, {std::string("\xc8\xff", 2)}));
    write(dir / "gray16.png",
          makeImage<gil::gray16_image_t>(2, 1, [](int x, int) { return gil::gray16_pixel_t(x ? 0xffff : 0x8080); }));
    write(dir / "rgba.png",
          makeImage<gil::rgba8_image_t>(1, 1, [](int, int) { return gil::rgba8_pixel_t(9, 99, 199, 255); }));
    // Square outputs as wide as the image: the single row is repeated, the columns stay exact.
    std::vector<uint8_t> out(3 * 4 * 4);
    QCOMPARE(decodeImage((dir / "palette.png").string(), 3, 4, out.data()).gray, false);
    QCOMPARE(std::vector<uint8_t>(out.begin(), out.begin() + 4), (std::vector<uint8_t>{0, 255, 0, 0}));        // red
    QCOMPARE(std::vector<uint8_t>(out.begin() + 16, out.begin() + 20), (std::vector<uint8_t>{0, 0, 255, 0}));  // green
    QCOMPARE(std::vector<uint8_t>(out.begin() + 32, out.begin() + 36), (std::vector<uint8_t>{0, 0, 0, 255}));  // blue
    std::vector<uint8_t> two(3 * 2 * 2);
    decodeImage((dir / "trns.png").string(), 3, 2, two.data());
    QCOMPARE(two[0], uint8_t{255});  // opaque red
    QCOMPARE(two[5], uint8_t{0});    // transparent green, composited onto black
    std::vector<uint8_t> bits(8 * 8);
    QCOMPARE(decodeImage((dir / "bits.png").string(), 1, 8, bits.data()).gray, true);
    QCOMPARE(std::vector<uint8_t>(bits.begin(), bits.begin() + 8),
             (std::vector<uint8_t>{255, 0, 255, 0, 0, 255, 0, 255}));
    uint8_t one = 0;
    QCOMPARE(decodeImage((dir / "gray-alpha.png").string(), 1, 1, &one).gray, true);
    QCOMPARE(one, uint8_t{200});
    std::vector<uint8_t> wide(2 * 2);
    QCOMPARE(decodeImage((dir / "gray16.png").string(), 1, 2, wide.data()).gray, true);
    QCOMPARE(std::vector<uint8_t>(wide.begin(), wide.begin() + 2), (std::vector<uint8_t>{128, 255}));
    uint8_t rgba[3] = {};
    QCOMPARE(decodeImage((dir / "rgba.png").string(), 3, 1, rgba).gray, false);
    QCOMPARE(std::vector<uint8_t>(rgba, rgba + 3), (std::vector<uint8_t>{9, 99, 199}));
}

void TestImageFolder::knownResizes()
{
    // Through the loader: a constant image stays constant; a 2x shrunk 1-pixel checker is mid-gray.
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    for (const char* split : {"train", "test"}) {
        write(root / split / "flat" / "a.png", grayImage(13, 9, 77));
        write(root / split / "checker" / "a.png", makeImage<gil::gray8_image_t>(16, 16, [](int x, int y) {
                  return gil::gray8_pixel_t((x + y) % 2 ? 255 : 0);
              }));
    }
    const auto splits = loadDataset(root.string(), options(8, 1));
    QCOMPARE(splits.train.classNames, (std::vector<std::string>{"checker", "flat"}));
    QVERIFY(splits.train.images[1].eq(77).all().item<bool>());
    const auto inner = splits.train.images[0][0].slice(0, 1, 7).slice(1, 1, 7).to(torch::kInt);
    QVERIFY2(inner.sub(128).abs().max().item<int>() <= 1, "2x shrunk checker is not mid-gray");

    // Directly: a horizontal ramp of slope 8 shrunk 2x has slope 16 (inside; edges renormalize), rows
    // are copied at the same height, and enlarging 2x is bilinear with aligned pixel centres.
    std::vector<uint8_t> ramp(32 * 3), half(16 * 3);
    for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 32; ++x) ramp[static_cast<size_t>(y * 32 + x)] = static_cast<uint8_t>(8 * x);
    resizeBilinear(ramp.data(), 32, 3, 32, 1, 16, 3, half.data());
    for (int y = 0; y < 3; ++y)
        for (int x = 1; x < 15; ++x) QCOMPARE(int{half[static_cast<size_t>(y * 16 + x)]}, 16 * x + 4);
    const uint8_t pair[2] = {0, 100};
    uint8_t four[4] = {};
    resizeBilinear(pair, 2, 1, 2, 1, 4, 1, four);
    QCOMPARE(std::vector<uint8_t>(four, four + 4), (std::vector<uint8_t>{0, 25, 75, 100}));
}

// image_channels 0: gray only when every file is gray (a single RGB JPEG makes it RGB); 1 and 3 force it.
void TestImageFolder::grayOrRgbDetection()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    writeGrayClasses(root, {{"a", 3}, {"b", 3}});
    write(root / "b" / "gray.jpg", grayImage(6, 5, 128));
    QCOMPARE(loadDataset(root.string(), options(5)).train.channels(), int64_t{1});
    const auto forced = loadDataset(root.string(), options(5, 3));
    QCOMPARE(forced.train.channels(), int64_t{3});
    QVERIFY(torch::equal(forced.train.images.select(1, 0), forced.train.images.select(1, 2)));
    write(root / "a" / "colour.jpg",
          makeImage<gil::rgb8_image_t>(6, 5, [](int, int) { return gil::rgb8_pixel_t(250, 10, 10); }));
    const auto colour = loadDataset(root.string(), options(5));
    QCOMPARE(colour.train.channels(), int64_t{3});
    QCOMPARE(colour.test.channels(), int64_t{3});
    QCOMPARE(loadDataset(root.string(), options(5, 1)).train.channels(), int64_t{1});
}

// train/ and test/ as given: test labels come from the training class list, a class may be absent.
void TestImageFolder::givenTrainTestFolders()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    writeGrayClasses(root / "train", {{"a", 4}, {"b", 3}, {"c", 2}});
    writeGrayClasses(root / "test", {{"c", 2}});  // values 0, 1 but label 2
    const auto splits = loadDataset(root.string(), options(6));
    QCOMPARE(splits.train.size(), int64_t{9});
    QCOMPARE(splits.test.size(), int64_t{2});
    QCOMPARE(splits.test.classNames, (std::vector<std::string>{"a", "b", "c"}));
    QCOMPARE(splits.test.classes, int64_t{3});
    QVERIFY(splits.test.labels.eq(2).all().item<bool>());
    QCOMPARE(valuesOf(splits.test), (std::set<int>{0, 1}));
    QCOMPARE(splits.train.labels[8].item<int64_t>(), int64_t{2});
    // The shape a planned start reads without decoding: the training classes, the configured size.
    const auto shape = peekShape(root.string(), options(6, 1));
    QCOMPARE(shape.classes, splits.train.classes);
    QCOMPARE(shape.channels, int64_t{1});
    QCOMPARE(shape.height, splits.train.images.size(2));
    QCOMPARE(shape.width, splits.train.images.size(3));
}

void TestImageFolder::heldOutSplitIsSeededAndStratified()
{
    QTemporaryDir tmp;
    const fs::path one = fs::path(tmp.path().toStdString()) / "one",
                   other = fs::path(tmp.path().toStdString()) / "other";
    writeGrayClasses(one, {{"a", 9}, {"b", 3}, {"c", 20}});
    // The same files created in another order: the split must not depend on the directory's order.
    for (int i = 19; i >= 0; --i)
        for (auto [c, n] : std::vector<std::pair<int, int>>{{2, 20}, {1, 3}, {0, 9}})
            if (i < n)
                write(other / std::string(1, static_cast<char>('a' + c)) / (std::to_string(i) + ".png"),
                      grayImage(6, 5, 10 * c + i));
    const auto first = loadDataset(one.string(), options(4, 0, 7));
    const auto again = loadDataset(other.string(), options(4, 0, 7));
    QVERIFY(torch::equal(first.test.images, again.test.images));
    QVERIFY(torch::equal(first.train.labels, again.train.labels));
    QVERIFY(torch::equal(torch::bincount(first.test.labels), torch::tensor({2, 1, 4}, torch::kLong)));
    QCOMPARE(first.train.size() + first.test.size(), int64_t{32});
    std::set<int> all = valuesOf(first.train);
    const auto tested = valuesOf(first.test);
    all.insert(tested.begin(), tested.end());
    QCOMPARE(all.size(), size_t{32});  // every image in exactly one split
    bool differs = false;
    for (uint64_t seed = 8; seed < 12 && !differs; ++seed)
        differs = valuesOf(loadDataset(one.string(), options(4, 0, seed)).test) != tested;
    QVERIFY2(differs, "the held-out split ignores the seed");
    // The loader's own validation split still works on top.
    const auto withValidation = loadDataset(one.string(), LoadOptions{0, 0.25, 7, 4, 0});
    QCOMPARE(withValidation.validation.size() + withValidation.train.size(), first.train.size());
    QVERIFY(torch::equal(withValidation.test.images, first.test.images));
}

void TestImageFolder::detection()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    writeGrayClasses(root / "flat", {{"a", 2}, {"b", 2}});
    writeGrayClasses(root / "given" / "train", {{"a", 1}});
    fs::create_directories(root / "given" / "test");
    writeBytes(root / "loose" / "a.png", "images not in class folders");
    writeBytes(root / "text" / "a" / "notes.txt", "no images");
    QCOMPARE(detectFormat((root / "flat").string()), std::string("folder"));
    QCOMPARE(detectFormat((root / "flat").string() + "/"), std::string("folder"));
    QCOMPARE(detectFormat((root / "given").string()), std::string("folder"));
    QCOMPARE(detectFormat((root / "loose").string()), std::string());
    QCOMPARE(detectFormat((root / "text").string()), std::string());
    // IDX / CIFAR files win over class folders beside them.
    writeBytes(root / "flat" / "train.bin", "x");
    writeBytes(root / "flat" / "test.bin", "x");
    QCOMPARE(detectFormat((root / "flat").string()), std::string("cifar100"));
    const auto message = loadError(root / "loose");
    VERIFY_CONTAINS(message, "recognized layouts");
    VERIFY_CONTAINS(message, "image folders");
}

void TestImageFolder::damagedFilesAreNamed()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    writeGrayClasses(root, {{"a", 3}, {"b", 3}});
    std::ostringstream png;
    gil::write_view(png, gil::const_view(grayImage(20, 20, 3)), gil::png_tag());
    std::ostringstream jpegOut;  // GIL pads its JPEG output to whole 1 KiB buffers: the image ends at EOI
    gil::write_view(jpegOut,
                    gil::const_view(makeImage<gil::gray8_image_t>(
                        32, 32, [](int x, int y) { return gil::gray8_pixel_t(static_cast<uint8_t>(x * y)); })),
                    gil::jpeg_tag());
    const auto jpeg = jpegOut.str();
    const auto midScan = (jpeg.find("\xFF\xDA") + jpeg.find("\xFF\xD9")) / 2;
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"cut.png", png.str().substr(0, png.str().size() / 2)},                 // truncated inside the pixel data
        {"no-end.png", png.str().substr(0, png.str().size() - 12)},             // IEND missing (crashes bare GIL)
        {"cut.jpg", jpeg.substr(0, midScan)},                                   // truncated JPEG (bare GIL: gray rows)
        {"text.jpeg", "hello"},                                                 // not an image at all
        {"huge.png", handmadePng(20000, 20000, 8, 0, {std::string(1, '\0')})},  // header only: never allocated
    };
    for (const auto& [name, bytes] : cases) {
        writeBytes(root / "b" / name, bytes);
        const auto message = loadError(root);
        VERIFY_CONTAINS(message, (root / "b" / name).string());
        fs::remove(root / "b" / name);
    }
    writeBytes(root / "b" / "cut.png", png.str().substr(0, 60));
    VERIFY_CONTAINS(loadError(root), "truncated");
    writeBytes(root / "b" / "cut.png", handmadePng(20000, 20000, 8, 0, {std::string(1, '\0')}));
    VERIFY_CONTAINS(loadError(root), "too large");
}

void TestImageFolder::folderErrors()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    // A class folder without images.
    writeGrayClasses(root / "empty", {{"a", 3}});
    writeBytes(root / "empty" / "b" / "notes.txt", "no images here");
    auto message = loadError(root / "empty");
    VERIFY_CONTAINS(message, (root / "empty" / "b").string());
    VERIFY_CONTAINS(message, "no .png, .jpg or .jpeg");
    // A test class the training split does not have.
    writeGrayClasses(root / "given" / "train", {{"a", 2}, {"b", 2}});
    writeGrayClasses(root / "given" / "test", {{"a", 1}, {"c", 1}});
    message = loadError(root / "given");
    VERIFY_CONTAINS(message, (root / "given" / "test" / "c").string());
    VERIFY_CONTAINS(message, "no training folder");
    // One image per class leaves nothing to test on.
    writeGrayClasses(root / "single", {{"a", 1}, {"b", 1}});
    VERIFY_CONTAINS(loadError(root / "single"), "too few images");
    // Read directly, a folder without class folders.
    fs::create_directories(root / "bare");
    try {
        readImageFolder((root / "bare").string(), options(8));
        QFAIL("no error for a folder without class folders");
    } catch (const csq::Error& e) {
        QCOMPARE(e.where(), (root / "bare").string());
        QVERIFY(std::string(e.what()).find("no class sub-folders") != std::string::npos);
    }
}

QTEST_GUILESS_MAIN(TestImageFolder)
#include "tst_image_folder.moc"
