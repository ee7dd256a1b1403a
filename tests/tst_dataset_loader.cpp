// Dataset loader: recognizes the IDX, CIFAR-10 and CIFAR-100 layouts (also inside their archive
// folders), applies train_limit and the validation split, and explains what is missing or unknown.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include "csq/errors.h"
#include "data/dataset_loader.h"
#include "idx_bytes.h"

using namespace csq::data;
using csq::test::gzipped;
using csq::test::idxBytes;
namespace fs = std::filesystem;

namespace {

void writeBytes(const fs::path& path, const std::string& bytes, bool gzip)
{
    fs::create_directories(path.parent_path());
    const auto content = gzip ? gzipped(bytes) : bytes;
    std::ofstream(path, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
}

// An IDX split of `count` 6 x 5 images labelled i % classes (plus `labelShift`).
void writeIdxSplit(const fs::path& dir, const char* prefix, uint32_t count, int classes, bool gzip, int labelShift = 0)
{
    std::string images, labels;
    for (uint32_t i = 0; i < count; ++i) {
        images += std::string(30, static_cast<char>(i));
        labels.push_back(static_cast<char>(static_cast<int>(i) % classes + labelShift));
    }
    const std::string ext = gzip ? ".gz" : "";
    writeBytes(dir / (std::string(prefix) + "-images-idx3-ubyte" + ext), idxBytes({count, 6, 5}, images), gzip);
    writeBytes(dir / (std::string(prefix) + "-labels-idx1-ubyte" + ext), idxBytes({count}, labels), gzip);
}

void writeIdxDataset(const fs::path& dir, bool gzip, uint32_t train = 50, uint32_t test = 20)
{
    writeIdxSplit(dir, "train", train, 10, gzip);
    writeIdxSplit(dir, "t10k", test, 10, gzip);
}

void writeCifarFile(const fs::path& path, int records, int labelBytes, int classes)
{
    std::string bytes;
    for (int i = 0; i < records; ++i) {
        for (int b = 0; b < labelBytes; ++b) bytes.push_back(static_cast<char>((i + b) % classes));
        bytes += std::string(3072, static_cast<char>(i));
    }
    writeBytes(path, bytes, false);
}

void writeCifar10(const fs::path& dir, int batches = 5)
{
    for (int b = 1; b <= batches; ++b) writeCifarFile(dir / ("data_batch_" + std::to_string(b) + ".bin"), 2, 1, 10);
    writeCifarFile(dir / "test_batch.bin", 3, 1, 10);
}

void writeCifar100(const fs::path& dir)
{
    writeCifarFile(dir / "train.bin", 6, 2, 20);
    writeCifarFile(dir / "test.bin", 4, 2, 20);
}

QString loadError(const std::string& path, const LoadOptions& options = {})
{
    try {
        loadDataset(path, options);
    } catch (const csq::Error& e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

}  // namespace

class TestDatasetLoader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void detectFormat_data();
    void detectFormat();
    void loadsIdx_data();
    void loadsIdx();
    void loadsCifar();
    void peekShapeMatchesTheLoadedData();
    void incompleteCifar10();
    void testLabelsOutsideTrainingClasses();
    void missingDefaultDataset();
    void missingPath();
    void unknownLayout();
};

void TestDatasetLoader::detectFormat_data()
{
    QTest::addColumn<QString>("layout");
    QTest::addColumn<QString>("subdir");  // where the files go, relative to the path passed
    QTest::addColumn<QString>("format");
    QTest::addRow("idx plain") << "idx"
                               << ""
                               << "idx";
    QTest::addRow("idx gz") << "idx.gz"
                            << ""
                            << "idx";
    QTest::addRow("cifar10") << "cifar10"
                             << ""
                             << "cifar10";
    QTest::addRow("cifar10 in archive folder") << "cifar10"
                                               << "cifar-10-batches-bin"
                                               << "cifar10";
    QTest::addRow("cifar100") << "cifar100"
                              << ""
                              << "cifar100";
    QTest::addRow("cifar100 in archive folder") << "cifar100"
                                                << "cifar-100-binary"
                                                << "cifar100";
    QTest::addRow("empty folder") << ""
                                  << ""
                                  << "";
    QTest::addRow("idx, labels missing") << "idx-no-labels"
                                         << ""
                                         << "";
}

void TestDatasetLoader::detectFormat()
{
    QFETCH(QString, layout);
    QFETCH(QString, subdir);
    QFETCH(QString, format);
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    const auto dir = root / subdir.toStdString();
    fs::create_directories(dir);
    if (layout == QLatin1String("idx") || layout == QLatin1String("idx.gz"))
        writeIdxDataset(dir, layout.endsWith(QLatin1String(".gz")));
    if (layout == QLatin1String("idx-no-labels")) {
        writeIdxDataset(dir, true);
        fs::remove(dir / "t10k-labels-idx1-ubyte.gz");
    }
    if (layout == QLatin1String("cifar10")) writeCifar10(dir);
    if (layout == QLatin1String("cifar100")) writeCifar100(dir);
    QCOMPARE(QString::fromStdString(csq::data::detectFormat(root.string())), format);
    QCOMPARE(QString::fromStdString(csq::data::detectFormat(root.string() + "/")), format);
    if (!format.isEmpty()) {
        QCOMPARE(QString::fromStdString(loadDataset(root.string()).format), format);
        QVERIFY(loadError(root.string()).isEmpty());
    }
}

void TestDatasetLoader::loadsIdx_data()
{
    QTest::addColumn<bool>("gzip");
    QTest::addRow("plain") << false;
    QTest::addRow("gz") << true;
}

// train_limit first (50 -> 30), then 20% of that held out (6), the test set untouched.
void TestDatasetLoader::loadsIdx()
{
    QFETCH(bool, gzip);
    QTemporaryDir tmp;
    const auto dir = fs::path(tmp.path().toStdString()) / "fashion-mini";
    writeIdxDataset(dir, gzip);
    const auto splits = loadDataset(dir.string() + "/", LoadOptions{30, 0.2, 5});
    QCOMPARE(splits.format, std::string("idx"));
    QCOMPARE(splits.train.name, std::string("fashion-mini"));
    QCOMPARE(splits.train.size(), int64_t{24});
    QCOMPARE(splits.validation.size(), int64_t{6});
    QCOMPARE(splits.test.size(), int64_t{20});
    QCOMPARE(splits.train.images.sizes().vec(), (std::vector<int64_t>{24, 1, 6, 5}));
    QCOMPARE(splits.train.classes, int64_t{10});
    QCOMPARE(splits.test.classes, int64_t{10});
    // Sample i has pixels i and label i % 10: the loaded pairs still belong together.
    auto ids = splits.validation.images.flatten(1).select(1, 0).to(torch::kLong);
    QVERIFY(torch::equal(splits.validation.labels, ids.remainder(10)));
    const auto again = loadDataset(dir.string(), LoadOptions{30, 0.2, 5});
    QVERIFY(torch::equal(again.validation.images, splits.validation.images));
    const auto all = loadDataset(dir.string());
    QCOMPARE(all.train.size(), int64_t{50});
    QCOMPARE(all.validation.size(), int64_t{0});
}

void TestDatasetLoader::loadsCifar()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    writeCifar10(root / "c10" / "cifar-10-batches-bin");
    writeCifar100(root / "c100");
    const auto ten = loadDataset((root / "c10").string());
    QCOMPARE(ten.format, std::string("cifar10"));
    QCOMPARE(ten.train.size(), int64_t{10});
    QCOMPARE(ten.test.size(), int64_t{3});
    QCOMPARE(ten.train.classes, int64_t{10});
    QCOMPARE(ten.train.images.sizes().vec(), (std::vector<int64_t>{10, 3, 32, 32}));
    const auto hundred = loadDataset((root / "c100").string(), LoadOptions{0, 0.5, 1});
    QCOMPARE(hundred.format, std::string("cifar100"));
    QCOMPARE(hundred.train.size() + hundred.validation.size(), int64_t{6});
    QCOMPARE(hundred.validation.size(), int64_t{3});
    QCOMPARE(hundred.test.classes, int64_t{100});
}

// What the planned start builds its network for: the loaded data's C, H, W and classes, without the images.
void TestDatasetLoader::peekShapeMatchesTheLoadedData()
{
    QTemporaryDir tmp;
    const fs::path root = tmp.path().toStdString();
    writeIdxSplit(root / "idx", "train", 12, 7, true);
    writeIdxSplit(root / "idx", "t10k", 5, 7, true);
    writeIdxSplit(root / "plain", "train", 12, 3, false);
    writeIdxSplit(root / "plain", "t10k", 5, 3, false);
    writeCifar10(root / "c10" / "cifar-10-batches-bin");
    writeCifar100(root / "c100");
    for (const char* name : {"idx", "plain", "c10", "c100"}) {
        const auto path = (root / name).string();
        const auto data = loadDataset(path);
        const auto shape = peekShape(path);
        const auto& images = data.train.images;
        QCOMPARE(shape.channels, images.size(1));
        QCOMPARE(shape.height, images.size(2));
        QCOMPARE(shape.width, images.size(3));
        QCOMPARE(shape.classes, std::max({data.train.classes, data.test.classes, int64_t{2}}));
    }
    QCOMPARE(peekShape((root / "idx").string()).classes, int64_t{7});
    QVERIFY_THROWS_EXCEPTION(csq::Error, peekShape((root / "nowhere").string()));
}

void TestDatasetLoader::incompleteCifar10()
{
    QTemporaryDir tmp;
    writeCifar10(tmp.path().toStdString(), 2);
    const auto message = loadError(tmp.path().toStdString());
    QVERIFY2(message.contains(QLatin1String("data_batch_3.bin")) && message.contains(QLatin1String("data_batch_5.bin")),
             qPrintable(message));
}

// A test set with a label the training set never had cannot be scored: rejected, naming the file.
void TestDatasetLoader::testLabelsOutsideTrainingClasses()
{
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    writeIdxSplit(dir, "train", 30, 10, true);
    writeIdxSplit(dir, "t10k", 10, 10, true, 2);  // labels 2..11
    const auto message = loadError(dir.string());
    QVERIFY2(
        message.contains(QLatin1String("t10k-labels-idx1-ubyte.gz")) && message.contains(QLatin1String("label 11")),
        qPrintable(message));
}

// The default dataset's absence is answered with the command that installs it.
void TestDatasetLoader::missingDefaultDataset()
{
    QTemporaryDir tmp;
    const auto fakeDefault = (fs::path(tmp.path().toStdString()) / "fashion-mnist").string();
    try {
        requireDatasetPath(fakeDefault, fakeDefault);
        QFAIL("a missing default dataset must throw");
    } catch (const csq::Error& e) {
        const auto message = QString::fromStdString(e.what());
        QVERIFY2(message.contains(QLatin1String("apt-get install dataset-fashion-mnist")), qPrintable(message));
        QVERIFY2(message.contains(QString::fromStdString(fakeDefault)), qPrintable(message));
    }
    QVERIFY_THROWS_EXCEPTION(csq::Error, requireDatasetPath(fakeDefault + "/", fakeDefault));
    QCOMPARE(std::string(kDefaultDatasetPath), std::string("/usr/share/datasets/fashion-mnist"));
    if (!fs::exists(kDefaultDatasetPath)) {
        const auto message = loadError(kDefaultDatasetPath);
        QVERIFY2(message.contains(QLatin1String("apt-get install dataset-fashion-mnist")), qPrintable(message));
    }
}

void TestDatasetLoader::missingPath()
{
    QTemporaryDir tmp;
    const auto missing = (fs::path(tmp.path().toStdString()) / "no-such-dataset").string();
    const auto message = loadError(missing);
    QVERIFY2(message.contains(QString::fromStdString(missing)) && message.contains(QLatin1String("no such")),
             qPrintable(message));
    QVERIFY2(!message.contains(QLatin1String("apt-get")), "only the default dataset comes from a package");
    QVERIFY(!loadError("").isEmpty());
    QCOMPARE(csq::data::detectFormat(missing), std::string());
}

// An unrecognized folder is answered with the layouts that are recognized.
void TestDatasetLoader::unknownLayout()
{
    QTemporaryDir tmp;
    writeBytes(fs::path(tmp.path().toStdString()) / "images.zip", "PK", false);
    const auto message = loadError(tmp.path().toStdString());
    for (const char* part :
         {"recognized layouts", "train-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "data_batch_1.bin",
          "test_batch.bin", "cifar-10-batches-bin", "train.bin", "cifar-100-binary"})
        QVERIFY2(message.contains(QLatin1String(part)), qPrintable(message));
}

QTEST_GUILESS_MAIN(TestDatasetLoader)
#include "tst_dataset_loader.moc"
