// IDX reader: exact round trips of plain and gzipped files, and a clear error (never a crash or a
// huge allocation) for every kind of damaged or lying file.
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <sys/resource.h>

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include "csq/errors.h"
#include "data/idx_reader.h"
#include "idx_bytes.h"

using namespace csq::data;
using csq::test::gzipped;
using csq::test::idxBytes;

namespace {

// The process's peak resident memory so far (KiB): what an allocation of a lying claim would raise.
long peakRssKiB()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

using Bytes = std::string;

std::string writeFile(const QTemporaryDir& dir, const std::string& name, const Bytes& bytes)
{
    const auto path = dir.filePath(QString::fromStdString(name)).toStdString();
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
}

// Pixel (i, y, x) of the test images: every position distinct mod 256, so a transposition shows.
uint8_t pixel(int64_t i, int64_t y, int64_t x, int64_t width)
{
    return static_cast<uint8_t>((i * 37 + y * width + x) % 256);
}

Bytes imageData(int64_t count, int64_t height, int64_t width)
{
    Bytes data;
    for (int64_t i = 0; i < count; ++i)
        for (int64_t y = 0; y < height; ++y)
            for (int64_t x = 0; x < width; ++x) data.push_back(static_cast<char>(pixel(i, y, x, width)));
    return data;
}

Bytes labelData(int64_t count, int64_t classes)
{
    Bytes data;
    for (int64_t i = 0; i < count; ++i) data.push_back(static_cast<char>((i * 3) % classes));
    return data;
}

// Runs `read`, requires a csq::Error whose message contains every one of `parts`; returns the message.
template <typename Read>
QString expectError(Read read, const QStringList& parts)
{
    try {
        read();
    } catch (const csq::Error& e) {
        const auto message = QString::fromStdString(e.what());
        for (const auto& part : parts)
            if (!message.contains(part)) {
                qWarning("message: %s", e.what());
                return QStringLiteral("missing '%1' in: %2").arg(part, message);
            }
        return {};
    } catch (const std::exception& e) {
        return QStringLiteral("not a csq::Error: %1").arg(QString::fromUtf8(e.what()));
    }
    return QStringLiteral("no error");
}

}  // namespace

class TestIdxReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void readIdxKeepsDims();
    void damagedFile_data();
    void damagedFile();
    void corruptGzip_data();
    void corruptGzip();
    void hugeClaimFailsFast_data();
    void hugeClaimFailsFast();
    void countMismatch();
    void labelRange();
    void wrongRank();
    void missingFile();
};

void TestIdxReader::roundTrip_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<int>("count");
    for (bool gz : {false, true})
        for (int count : {1, 7, 1000}) QTest::addRow("%s, %d images", gz ? "gz" : "plain", count) << gz << count;
}

// What is written comes back exactly: shape [N, 1, H, W], every pixel, every label, classes = max + 1.
void TestIdxReader::roundTrip()
{
    QFETCH(bool, gzip);
    QFETCH(int, count);
    const int64_t height = 5, width = 4, classes = 10;  // H != W: a transposition would show
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto encode = [&](const Bytes& b) { return gzip ? gzipped(b) : b; };
    const auto uCount = static_cast<uint32_t>(count);
    const auto images = writeFile(dir, "images", encode(idxBytes({uCount, 5, 4}, imageData(count, height, width))));
    const auto labels = writeFile(dir, "labels", encode(idxBytes({uCount}, labelData(count, classes))));

    const auto dataset = readIdxPair(images, labels);
    QCOMPARE(dataset.images.sizes().vec(), (std::vector<int64_t>{count, 1, height, width}));
    QCOMPARE(dataset.images.scalar_type(), torch::kUInt8);
    QCOMPARE(dataset.labels.scalar_type(), torch::kLong);
    auto expectedImages = torch::empty({count, 1, height, width}, torch::kUInt8);
    auto accessor = expectedImages.accessor<uint8_t, 4>();
    for (int64_t i = 0; i < count; ++i)
        for (int64_t y = 0; y < height; ++y)
            for (int64_t x = 0; x < width; ++x) accessor[i][0][y][x] = pixel(i, y, x, width);
    QVERIFY(torch::equal(dataset.images, expectedImages));
    auto expectedLabels = (torch::arange(count, torch::kLong) * 3).remainder(classes);
    QVERIFY(torch::equal(dataset.labels, expectedLabels));
    QCOMPARE(dataset.classes, expectedLabels.max().item<int64_t>() + 1);
}

void TestIdxReader::readIdxKeepsDims()
{
    QTemporaryDir dir;
    Bytes data(2 * 3 * 4 * 5, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i);
    const auto path = writeFile(dir, "four-d", gzipped(idxBytes({2, 3, 4, 5}, data)));
    const auto array = readIdx(path);
    QCOMPARE(array.sizes().vec(), (std::vector<int64_t>{2, 3, 4, 5}));
    QVERIFY(torch::equal(array.flatten(), torch::arange(120, torch::kLong).to(torch::kUInt8)));
}

void TestIdxReader::damagedFile_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QStringList>("parts");
    const auto good = imageData(7, 5, 4);  // 140 bytes
    auto bytes = [](const Bytes& b) { return QByteArray(b.data(), static_cast<qsizetype>(b.size())); };
    for (bool gz : {false, true}) {
        auto row = [&](const char* what, const Bytes& b, const QStringList& parts) {
            QTest::addRow("%s %s", gz ? "gz" : "plain", what) << gz << bytes(b) << parts;
        };
        auto wrongMagic = idxBytes({7, 5, 4}, good);
        wrongMagic[1] = 0x12;
        row("wrong magic", wrongMagic, {"not an IDX file", "0x12"});
        row("wrong type", idxBytes({7, 5, 4}, good, 0x0D), {"element type 0x0d", "0x08"});
        row("no dims", idxBytes({}, good), {"0 dimensions"});
        row("zero dim", idxBytes({7, 0, 4}, good), {"dimension 1 is 0"});
        row("short header", idxBytes({7, 5, 4}, {}).substr(0, 9), {"truncated IDX header"});
        row("empty", {}, {"too short"});
        row("truncated", idxBytes({7, 5, 4}, good.substr(0, 100)), {"truncated", "7 x 5 x 4", "140", "only 100"});
        row("trailing bytes", idxBytes({7, 5, 4}, good + "xyz"), {"bytes after the 140 bytes"});
    }
}

// Every damaged file gives a csq::Error that names the file and says what is wrong.
void TestIdxReader::damagedFile()
{
    QFETCH(bool, gzip);
    QFETCH(QByteArray, bytes);
    QFETCH(QStringList, parts);
    QTemporaryDir dir;
    Bytes content(bytes.constData(), static_cast<size_t>(bytes.size()));
    const auto path = writeFile(dir, "damaged", gzip ? gzipped(content) : content);
    parts << QString::fromStdString(path);
    const auto failure = expectError([&] { readIdx(path); }, parts);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

void TestIdxReader::corruptGzip_data()
{
    QTest::addColumn<int>("position");  // byte to flip; negative: from the end; 0: none
    QTest::addColumn<bool>("cutInHalf");
    QTest::addColumn<QString>("problem");  // what zlib notices in damaged deflate data varies: not checked
    QTest::addRow("method byte") << 2 << false << "unsupported compression method";
    QTest::addRow("flags byte") << 3 << false << "malformed gzip header";
    QTest::addRow("deflate data") << 40 << false << "";
    QTest::addRow("deflate tail") << -12 << false << "";
    QTest::addRow("crc footer") << -6 << false << "CRC mismatch";
    QTest::addRow("cut in half") << 0 << true << "";
}

// A damaged gzip stream (flipped bytes, cut short) is reported as such, naming the file.
void TestIdxReader::corruptGzip()
{
    QFETCH(int, position);
    QFETCH(bool, cutInHalf);
    QFETCH(QString, problem);
    QTemporaryDir dir;
    Bytes data(4000, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * i) % 251);
    auto compressed = gzipped(idxBytes({4000}, data));
    QVERIFY(compressed.size() > 100);
    if (position != 0) {
        const auto at =
            position > 0 ? static_cast<size_t>(position) : compressed.size() - static_cast<size_t>(-position);
        compressed[at] = static_cast<char>(~compressed[at]);
    }
    if (cutInHalf) compressed.resize(compressed.size() / 2);
    const auto path = writeFile(dir, "corrupt.gz", compressed);
    const auto failure =
        expectError([&] { readIdx(path); }, {"corrupt gzip stream", problem, QString::fromStdString(path)});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

void TestIdxReader::hugeClaimFailsFast_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addRow("plain") << false;
    QTest::addRow("gz") << true;
}

// A header claiming 4e9 images of 255 x 255 (~260 TB) fails at once, before any such allocation.
void TestIdxReader::hugeClaimFailsFast()
{
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    const auto bytes = idxBytes({4000000000u, 255, 255}, Bytes(1000, '\1'));
    const auto path = writeFile(dir, "huge", gzip ? gzipped(bytes) : bytes);
    const long peakBefore = peakRssKiB();
    const auto failure = expectError([&] { readIdx(path); }, {"truncated", "4000000000 x 255 x 255", "260100000000000",
                                                              "only 1000", QString::fromStdString(path)});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QVERIFY2(peakRssKiB() - peakBefore < 64 * 1024, "a lying header must be rejected without allocating its claim");
}

void TestIdxReader::countMismatch()
{
    QTemporaryDir dir;
    const auto images = writeFile(dir, "train-images", idxBytes({7, 5, 4}, imageData(7, 5, 4)));
    const auto labels = writeFile(dir, "train-labels", gzipped(idxBytes({6}, labelData(6, 10))));
    const auto failure = expectError(
        [&] { readIdxPair(images, labels); },
        {"mismatch", "7 images", "6 labels", QString::fromStdString(images), QString::fromStdString(labels)});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

// Labels above the expected class count are rejected with the offending value and sample; without an
// expectation the classes follow the largest label.
void TestIdxReader::labelRange()
{
    QTemporaryDir dir;
    const auto images = writeFile(dir, "images", idxBytes({4, 2, 2}, imageData(4, 2, 2)));
    const auto labels = writeFile(dir, "labels", idxBytes({4}, Bytes{1, 0, 12, 3}));
    QCOMPARE(readIdxPair(images, labels).classes, int64_t{13});
    QCOMPARE(readIdxPair(images, labels, 13).classes, int64_t{13});
    const auto failure = expectError([&] { readIdxPair(images, labels, 10); },
                                     {"label 12", "sample 2", "[0, 10)", QString::fromStdString(labels)});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

// Images and labels passed the wrong way round are caught by their rank.
void TestIdxReader::wrongRank()
{
    QTemporaryDir dir;
    const auto images = writeFile(dir, "images", idxBytes({4, 2, 2}, imageData(4, 2, 2)));
    const auto labels = writeFile(dir, "labels", idxBytes({4}, labelData(4, 10)));
    auto failure = expectError([&] { readIdxPair(labels, images); }, {"expected images", "4"});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    failure = expectError([&] { readIdxPair(images, images); }, {"expected labels", "4 x 2 x 2"});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

void TestIdxReader::missingFile()
{
    QTemporaryDir dir;
    const auto path = dir.filePath("nothing-here").toStdString();
    const auto failure = expectError([&] { readIdx(path); }, {"no such file", QString::fromStdString(path)});
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

QTEST_GUILESS_MAIN(TestIdxReader)
#include "tst_idx_reader.moc"
