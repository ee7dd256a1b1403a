// CIFAR binary reader: records of label byte(s) + 3072 pixel bytes come back with the right labels
// (the fine label for CIFAR-100) and pixels in exactly CHW order; damaged files give clear errors.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include "csq/errors.h"
#include "data/cifar_reader.h"

using namespace csq::data;

namespace {

constexpr int64_t kSide = 32, kImageBytes = 3 * kSide * kSide;

// Pixel (sample, channel, row, column): distinct across c, y and x mod 256 where it matters.
uint8_t pixel(int64_t i, int64_t c, int64_t y, int64_t x)
{
    return static_cast<uint8_t>((i * 11 + c * 85 + y * 7 + x) % 256);
}

int64_t fineLabel(int64_t i)
{
    return (i * 13) % 100;
}
int64_t coarseLabel(int64_t i)
{
    return i % 20;
}
int64_t cifar10Label(int64_t i)
{
    return (i * 3) % 10;
}

// Records first..first+count-1 as the file format stores them: labels, then R plane, G plane, B plane.
std::string records(CifarVariant variant, int64_t first, int64_t count)
{
    std::string bytes;
    for (int64_t i = first; i < first + count; ++i) {
        if (variant == CifarVariant::Cifar10) {
            bytes.push_back(static_cast<char>(cifar10Label(i)));
        } else {
            bytes.push_back(static_cast<char>(coarseLabel(i)));
            bytes.push_back(static_cast<char>(fineLabel(i)));
        }
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t y = 0; y < kSide; ++y)
                for (int64_t x = 0; x < kSide; ++x) bytes.push_back(static_cast<char>(pixel(i, c, y, x)));
    }
    return bytes;
}

std::string writeFile(const QTemporaryDir& dir, const char* name, const std::string& bytes)
{
    const auto path = dir.filePath(QString::fromLatin1(name)).toStdString();
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
}

torch::Tensor expectedImages(int64_t count)
{
    auto images = torch::empty({count, 3, kSide, kSide}, torch::kUInt8);
    auto a = images.accessor<uint8_t, 4>();
    for (int64_t i = 0; i < count; ++i)
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t y = 0; y < kSide; ++y)
                for (int64_t x = 0; x < kSide; ++x) a[i][c][y][x] = pixel(i, c, y, x);
    return images;
}

torch::Tensor expectedLabels(int64_t count, int64_t (*label)(int64_t))
{
    std::vector<int64_t> labels;
    for (int64_t i = 0; i < count; ++i) labels.push_back(label(i));
    return torch::tensor(labels, torch::kLong);
}

QString errorOf(const std::vector<std::string>& paths, CifarVariant variant)
{
    try {
        readCifar(paths, variant);
    } catch (const csq::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestCifarReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cifar10();
    void cifar100UsesFineLabels();
    void wrongSize_data();
    void wrongSize();
    void labelOutOfRange();
};

// Two files are concatenated in order; every pixel lands at [i, c, y, x] as written.
void TestCifarReader::cifar10()
{
    QTemporaryDir dir;
    const auto first = writeFile(dir, "data_batch_1.bin", records(CifarVariant::Cifar10, 0, 3));
    const auto second = writeFile(dir, "data_batch_2.bin", records(CifarVariant::Cifar10, 3, 1004));
    const auto dataset = readCifar({first, second}, CifarVariant::Cifar10);  // 1004 > one read chunk
    QCOMPARE(dataset.size(), int64_t{1007});
    QCOMPARE(dataset.images.sizes().vec(), (std::vector<int64_t>{1007, 3, 32, 32}));
    QCOMPARE(dataset.images.scalar_type(), torch::kUInt8);
    QVERIFY(torch::equal(dataset.images, expectedImages(1007)));
    QVERIFY(torch::equal(dataset.labels, expectedLabels(1007, cifar10Label)));
    QCOMPARE(dataset.classes, int64_t{10});
    QCOMPARE(dataset.name, std::string("cifar10"));
}

void TestCifarReader::cifar100UsesFineLabels()
{
    QTemporaryDir dir;
    const auto path = writeFile(dir, "train.bin", records(CifarVariant::Cifar100, 0, 25));
    const auto dataset = readCifar({path}, CifarVariant::Cifar100);
    QCOMPARE(dataset.images.sizes().vec(), (std::vector<int64_t>{25, 3, 32, 32}));
    QVERIFY(torch::equal(dataset.images, expectedImages(25)));
    QVERIFY(torch::equal(dataset.labels, expectedLabels(25, fineLabel)));
    QCOMPARE(dataset.classes, int64_t{100});
    QCOMPARE(cifarRecordBytes(CifarVariant::Cifar100), int64_t{3074});
}

void TestCifarReader::wrongSize_data()
{
    QTest::addColumn<int>("variant");
    QTest::addColumn<int>("bytes");
    QTest::addColumn<int>("recordBytes");
    QTest::addRow("cifar10 + 5 bytes") << int(CifarVariant::Cifar10) << 2 * 3073 + 5 << 3073;
    QTest::addRow("cifar10 short") << int(CifarVariant::Cifar10) << 3000 << 3073;
    QTest::addRow("cifar10 empty") << int(CifarVariant::Cifar10) << 0 << 3073;
    // Three CIFAR-10 records read as CIFAR-100: the classic mix-up of the two variants.
    QTest::addRow("cifar100 given cifar10") << int(CifarVariant::Cifar100) << 3 * 3073 << 3074;
}

// A size that is not a whole number of records is rejected with the file, its size and the record size.
void TestCifarReader::wrongSize()
{
    QFETCH(int, variant);
    QFETCH(int, bytes);
    QFETCH(int, recordBytes);
    QTemporaryDir dir;
    const auto path = writeFile(dir, "batch.bin", std::string(static_cast<size_t>(bytes), '\1'));
    const auto message = errorOf({path}, static_cast<CifarVariant>(variant));
    QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("size %1 bytes").arg(bytes)), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("record size %1").arg(recordBytes)), qPrintable(message));
}

void TestCifarReader::labelOutOfRange()
{
    QTemporaryDir dir;
    auto bytes = records(CifarVariant::Cifar10, 0, 4);
    bytes[2 * 3073] = 10;  // label of the third record
    const auto path = writeFile(dir, "data_batch_1.bin", bytes);
    const auto message = errorOf({path}, CifarVariant::Cifar10);
    QVERIFY2(message.contains(QString::fromStdString(path)) && message.contains(QLatin1String("label 10")) &&
                 message.contains(QLatin1String("[0, 10)")),
             qPrintable(message));
}

QTEST_GUILESS_MAIN(TestCifarReader)
#include "tst_cifar_reader.moc"
