// The real default dataset, read as the app reads it: Fashion-MNIST's gzipped IDX files under
// /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist) give 60000 + 10000 balanced
// 28 x 28 images of 10 classes. Its own CTest entry (label data): it fails, with what to install,
// where the package is missing, while every other suite runs on data it writes itself.
#include <filesystem>
#include <vector>

#include <torch/torch.h>

#include <QElapsedTimer>
#include <QtTest>

#include "data/dataset_loader.h"

using namespace csq::data;

class TestFashionMnist : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void loadsBothSplits();
};

void TestFashionMnist::initTestCase()
{
    if (!std::filesystem::exists(kDefaultDatasetPath))
        QFAIL(
            "Fashion-MNIST is not installed at /usr/share/datasets/fashion-mnist: run "
            "packaging/install-deps.sh (or apt-get install dataset-fashion-mnist)");
}

void TestFashionMnist::loadsBothSplits()
{
    QElapsedTimer timer;
    timer.start();
    const auto splits = loadDataset(kDefaultDatasetPath);
    qInfo("loaded Fashion-MNIST in %lld ms", static_cast<long long>(timer.elapsed()));
    QCOMPARE(splits.format, std::string("idx"));
    QCOMPARE(splits.train.name, std::string("fashion-mnist"));
    QCOMPARE(splits.train.images.sizes().vec(), (std::vector<int64_t>{60000, 1, 28, 28}));
    QCOMPARE(splits.test.images.sizes().vec(), (std::vector<int64_t>{10000, 1, 28, 28}));
    QCOMPARE(splits.train.classes, int64_t{10});
    QCOMPARE(splits.validation.size(), int64_t{0});
    QVERIFY(torch::equal(torch::bincount(splits.train.labels), torch::full({10}, 6000, torch::kLong)));
    QVERIFY(torch::equal(torch::bincount(splits.test.labels), torch::full({10}, 1000, torch::kLong)));
}

QTEST_GUILESS_MAIN(TestFashionMnist)
#include "tst_fashion_mnist.moc"
