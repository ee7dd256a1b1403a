// DatasetInspector and csq::previewDataset: a tiny IDX dataset written here shows its format, shape,
// per-class train/test counts and the first samples of each class (pixels byte for byte); a bad path
// shows the engine's message; a hidden inspector reads nothing until shown; a newer source supersedes
// an older one; and destroying the panel mid-load joins its thread.
#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "csq/dataset_preview.h"
#include "csq/errors.h"
#include "setup/dataset_inspector.h"
#include "idx_bytes.h"

using csq::test::idxBytes;
using namespace csq::ui;

namespace {

constexpr uint32_t kHeight = 6, kWidth = 5;
// Class 0 has more images than the inspector shows per class; class 2 is rare in training.
const std::vector<int> kTrainLabels{0, 1, 2, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0};
const std::vector<int> kTestLabels{2, 2, 1, 0, 2};

// Every pixel of every image distinct enough to catch a wrong sample or a transposed copy.
uint8_t pixel(int split, int image, int at)
{
    return static_cast<uint8_t>((split * 101 + image * 31 + at * 7) % 256);
}

void writeFile(const QString& path, const std::string& bytes)
{
    std::ofstream(path.toStdString(), std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void writeSplit(const QDir& dir, const char* prefix, int split, const std::vector<int>& labels)
{
    std::string images, labelBytes;
    for (int i = 0; i < static_cast<int>(labels.size()); ++i) {
        for (int at = 0; at < static_cast<int>(kHeight * kWidth); ++at)
            images.push_back(static_cast<char>(pixel(split, i, at)));
        labelBytes.push_back(static_cast<char>(labels[static_cast<size_t>(i)]));
    }
    const auto count = static_cast<uint32_t>(labels.size());
    writeFile(dir.filePath(QStringLiteral("%1-images-idx3-ubyte").arg(QLatin1String(prefix))),
              idxBytes({count, kHeight, kWidth}, images));
    writeFile(dir.filePath(QStringLiteral("%1-labels-idx1-ubyte").arg(QLatin1String(prefix))),
              idxBytes({count}, labelBytes));
}

void writeDataset(const QString& path)
{
    QDir().mkpath(path);
    writeSplit(QDir(path), "train", 0, kTrainLabels);
    writeSplit(QDir(path), "t10k", 1, kTestLabels);
}

qint64 countOf(const std::vector<int>& labels, int label)
{
    return std::count(labels.begin(), labels.end(), label);
}

}  // namespace

class TestDatasetInspector : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void previewHoldsTheWrittenValues();
    void previewOfABadPathThrows();
    void showsCountsShapeAndSamples();
    void showsTheErrorOfABadPath();
    void readsNothingWhileHidden();
    void newerSourceSupersedesOlder();
    void destroyedMidLoadJoinsItsThread();

private:
    QTemporaryDir root_;
    QString data_;
};

void TestDatasetInspector::initTestCase()
{
    QVERIFY(root_.isValid());
    data_ = QDir(root_.path()).filePath(QStringLiteral("tiny"));
    writeDataset(data_);
}

void TestDatasetInspector::previewHoldsTheWrittenValues()
{
    const auto p = csq::previewDataset(data_.toStdString(), 32, 0, 2);
    QCOMPARE(p.format, std::string("idx"));
    QCOMPARE(p.name, std::string("tiny"));
    QCOMPARE(p.trainImages, int64_t(kTrainLabels.size()));
    QCOMPARE(p.testImages, int64_t(kTestLabels.size()));
    QCOMPARE(p.channels, 1);
    QCOMPARE(p.height, int(kHeight));
    QCOMPARE(p.width, int(kWidth));
    QCOMPARE(p.classNames, (std::vector<std::string>{"0", "1", "2"}));  // IDX names no classes
    for (int c = 0; c < 3; ++c) {
        QCOMPARE(qint64(p.trainClassCounts[size_t(c)]), countOf(kTrainLabels, c));
        QCOMPARE(qint64(p.testClassCounts[size_t(c)]), countOf(kTestLabels, c));
    }
    // The first two training images of each class, grouped by class, pixels as written.
    const std::vector<std::pair<int, int>> expected{{0, 0}, {0, 3}, {1, 1}, {1, 4}, {2, 2}, {2, 7}};  // label, image
    QCOMPARE(p.samples.size(), expected.size());
    for (size_t s = 0; s < expected.size(); ++s) {
        QCOMPARE(p.samples[s].label, expected[s].first);
        QCOMPARE(p.samples[s].pixels.size(), size_t(kHeight * kWidth));
        for (int at = 0; at < int(kHeight * kWidth); ++at)
            QCOMPARE(p.samples[s].pixels[size_t(at)], pixel(0, expected[s].second, at));
    }
}

void TestDatasetInspector::previewOfABadPathThrows()
{
    const auto missing = QDir(root_.path()).filePath(QStringLiteral("missing")).toStdString();
    try {
        csq::previewDataset(missing, 32, 0, 8);
        QFAIL("no error for a missing path");
    } catch (const csq::Error& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("no such file")), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(csq::Error, csq::previewDataset(root_.path().toStdString(), 32, 0, 8));  // no dataset
}

void TestDatasetInspector::showsCountsShapeAndSamples()
{
    DatasetInspector inspector;
    inspector.show();
    QSignalSpy shown(&inspector, &DatasetInspector::shown);
    inspector.setSource(data_, 32, 0);
    QTRY_COMPARE(shown.count(), 1);
    QVERIFY(!inspector.busy());
    QCOMPARE(inspector.errorText(), QString());
    QCOMPARE(inspector.classRows(), 3);
    for (int c = 0; c < 3; ++c) {
        QCOMPARE(inspector.className(c), QString::number(c));
        QCOMPARE(inspector.trainCount(c), countOf(kTrainLabels, c));
        QCOMPARE(inspector.testCount(c), countOf(kTestLabels, c));
    }
    // Class 0 has 9 training images but shows 8; classes 1 and 2 show all they have.
    QCOMPARE(inspector.sampleCount(), DatasetInspector::kSamplesPerClass + 2 + 2);
    QVERIFY2(inspector.shapeText().contains(QStringLiteral("1 × 6 × 5")), qPrintable(inspector.shapeText()));
    QVERIFY(inspector.summaryText().contains(QStringLiteral("IDX")));
    QVERIFY(inspector.summaryText().contains(QStringLiteral("tiny")));
    QVERIFY(inspector.summaryText().contains(QStringLiteral("13 training")));
    QVERIFY(inspector.summaryText().contains(QStringLiteral("5 test")));

    // The same source again reads nothing again.
    const int loads = inspector.loadsStarted();
    inspector.setSource(data_, 32, 0);
    QTest::qWait(DatasetInspector::kDebounceMs + 100);
    QCOMPARE(inspector.loadsStarted(), loads);
}

void TestDatasetInspector::showsTheErrorOfABadPath()
{
    DatasetInspector inspector;
    inspector.show();
    QSignalSpy shown(&inspector, &DatasetInspector::shown);
    inspector.setSource(data_, 32, 0);
    QTRY_COMPARE(shown.count(), 1);
    QCOMPARE(inspector.classRows(), 3);
    inspector.setSource(QDir(root_.path()).filePath(QStringLiteral("missing")), 32, 0);
    QTRY_COMPARE(shown.count(), 2);
    QVERIFY2(inspector.errorText().contains(QStringLiteral("no such file")), qPrintable(inspector.errorText()));
    QCOMPARE(inspector.classRows(), 0);  // nothing of the previous dataset is left on show
    QCOMPARE(inspector.sampleCount(), 0);
    QVERIFY(inspector.shapeText().isEmpty());
    inspector.setSource(data_, 32, 0);  // and it recovers
    QTRY_COMPARE(shown.count(), 3);
    QCOMPARE(inspector.errorText(), QString());
    QCOMPARE(inspector.classRows(), 3);
}

void TestDatasetInspector::readsNothingWhileHidden()
{
    DatasetInspector inspector;
    QSignalSpy shown(&inspector, &DatasetInspector::shown);
    inspector.setSource(data_, 32, 0);
    QTest::qWait(DatasetInspector::kDebounceMs + 200);
    QCOMPARE(inspector.loadsStarted(), 0);  // a dock behind another tab costs nothing
    inspector.show();                       // brought forward: read now
    QTRY_COMPARE(shown.count(), 1);
    QCOMPARE(inspector.loadsStarted(), 1);
    QCOMPARE(inspector.classRows(), 3);
}

void TestDatasetInspector::newerSourceSupersedesOlder()
{
    DatasetInspector inspector;
    inspector.show();
    QSignalSpy shown(&inspector, &DatasetInspector::shown);
    inspector.setSource(QDir(root_.path()).filePath(QStringLiteral("missing")), 32, 0);
    inspector.reload();  // the bad path is in flight…
    inspector.setSource(data_, 32, 0);
    inspector.reload();  // …when the good one is asked for
    QTRY_VERIFY(!inspector.busy() && shown.count() >= 1);
    QTest::qWait(100);
    QCOMPARE(shown.count(), 1);  // only the newest request is shown
    QCOMPARE(inspector.errorText(), QString());
    QCOMPARE(inspector.classRows(), 3);
}

void TestDatasetInspector::destroyedMidLoadJoinsItsThread()
{
    for (int i = 0; i < 5; ++i) {
        auto inspector = std::make_unique<DatasetInspector>();
        inspector->show();
        inspector->setSource(data_, 32, 0);
        inspector->reload();
        QVERIFY(inspector->busy());
        inspector.reset();  // joins; the queued report is dropped with the object
        QCoreApplication::processEvents();
    }
}

QTEST_MAIN(TestDatasetInspector)
#include "tst_gui_dataset_inspector.moc"
