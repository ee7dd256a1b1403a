// End to end: a small image folder the test writes (three classes told apart by brightness, PNG and
// JPEG mixed) trains through the torch-free Session API to the end, with its run files and a summary.
#include <cmath>
#include <filesystem>
#include <mutex>
#include <string>

#include <boost/gil/extension/io/jpeg.hpp>
#include <boost/gil/extension/io/png.hpp>
#include <boost/gil/image.hpp>
#include <boost/gil/typedefs.hpp>
#include <boost/json.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include "csq/session.h"
#include "io/atomic_file.h"
#include "recording_observer.h"

using namespace csq;
using test::Recorder;
namespace fs = std::filesystem;
namespace gil = boost::gil;

namespace {

constexpr int kSide = 16, kPerClass = 20;

// Class c has brightness ~ 40 + 85c with a faint tint and a per-image pattern; odd images are JPEG.
void writeFolder(const fs::path& root)
{
    const char* names[] = {"dark", "medium", "bright"};
    for (int c = 0; c < 3; ++c) {
        fs::create_directories(root / names[c]);
        for (int i = 0; i < kPerClass; ++i) {
            gil::rgb8_image_t image(kSide, kSide);
            auto v = gil::view(image);
            for (int y = 0; y < kSide; ++y)
                for (int x = 0; x < kSide; ++x) {
                    const int base = 40 + 85 * c + ((x * 7 + y * 3 + i * 5) % 21) - 10;
                    v(x, y) = gil::rgb8_pixel_t(static_cast<uint8_t>(base), static_cast<uint8_t>(base + 5),
                                                static_cast<uint8_t>(base - 5));
                }
            const auto file = root / names[c] / ("img" + std::to_string(i) + (i % 2 ? ".jpg" : ".png"));
            if (i % 2)
                gil::write_view(file.string(), gil::const_view(image), gil::jpeg_tag());
            else
                gil::write_view(file.string(), gil::const_view(image), gil::png_tag());
        }
    }
}

}  // namespace

class TestImageFolderTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void trainsOnAnImageFolder();
};

void TestImageFolderTraining::trainsOnAnImageFolder()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const fs::path data = fs::path(tmp.path().toStdString()) / "brightness";
    writeFolder(data);

    TrainingConfig c;
    c.data = data.string();
    c.imageSize = kSide;
    c.model = "lenet5";
    c.epochs = 2;
    c.floatEpochs = 0.5;
    c.ticketEpoch = 1.5;
    c.finetuneEpochs = 1;
    c.batchSize = 16;
    c.logEvery = 1;
    c.threads = 2;
    c.outDir = tmp.filePath(QStringLiteral("run")).toStdString();

    Recorder recorder;
    Session session(recorder);
    session.start(c);
    session.wait();
    QVERIFY2(recorder.failure.empty(), recorder.failure.c_str());
    QVERIFY(recorder.finished);
    const fs::path run = session.runDir();
    for (const char* name : {"summary.json", "quantized.pt"}) QVERIFY2(fs::is_regular_file(run / name), name);

    const auto summary = boost::json::parse(io::readFile((run / "summary.json").string())).as_object();
    QCOMPARE(std::string(summary.at("dataset").as_string()), std::string("brightness"));
    for (const char* key : {"test_accuracy", "test_accuracy_quantized"}) {
        const double accuracy = summary.at(key).to_number<double>();
        QVERIFY2(std::isfinite(accuracy) && accuracy >= 0.0 && accuracy <= 100.0, key);
    }
    qInfo("test accuracy %.1f%%, quantized %.1f%% (3 classes, chance 33%%)", recorder.summary.testAccuracy,
          recorder.summary.testAccuracyQuantized);
    QCOMPARE(recorder.summary.dataset, std::string("brightness"));
    QCOMPARE(recorder.summary.epochs, 3);
}

QTEST_GUILESS_MAIN(TestImageFolderTraining)
#include "tst_image_folder_training.moc"
