// Every zoo network builds, float and quantized, on both input shapes it is meant for, runs a batch
// forward and backward, and names its quantized layers as PyTorch would.
#include <torch/torch.h>

#include <QtTest>

#include "models/zoo.h"
#include "quant/scheme_readout.h"

using namespace csq;

class TestZoo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void buildsAndRuns_data();
    void buildsAndRuns();
    void resnet20NamesFollowPyTorch();
};

void TestZoo::buildsAndRuns_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("isFloat");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("quantizedLayers");
    for (const auto& [name, layers] : std::vector<std::pair<const char*, int>>{{"mlp", 3}, {"lenet5", 5}, {"resnet20", 22}})
        for (const bool f : {false, true})
            for (const auto& [c, hw] : std::vector<std::pair<int, int>>{{1, 28}, {3, 32}})
                QTest::addRow("%s %s %dx%d", name, f ? "float" : "csq", c, hw) << QString(name) << f << c << hw
                                                                            << (f ? 0 : layers);
}

void TestZoo::buildsAndRuns()
{
    QFETCH(QString, model);
    QFETCH(bool, isFloat);
    QFETCH(int, channels);
    QFETCH(int, size);
    QFETCH(int, quantizedLayers);
    auto net = models::buildModel({model.toStdString(), isFloat, 4, 0, {}, {}}, {channels, size, size, 7});
    const auto layers = quant::findBitLayers(*net);
    QCOMPARE(static_cast<int>(layers.size()), quantizedLayers);
    for (const auto& l : layers) l.layer->bits()->setBeta(5.0);
    auto x = torch::randn({3, channels, size, size});
    auto y = net->forward(x);
    QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{3, 7}));
    y.sum().backward();
    int withGradient = 0;
    for (const auto& p : net->parameters())
        if (p.grad().defined() && p.grad().abs().sum().item<double>() > 0) ++withGradient;
    QVERIFY(withGradient > 0);
}

void TestZoo::resnet20NamesFollowPyTorch()
{
    auto net = models::buildModel({"resnet20", false, 8, 0, {}, {}}, {3, 32, 32, 10});
    const auto layers = quant::findBitLayers(*net);
    QCOMPARE(QString::fromStdString(layers.front().name), QStringLiteral("conv1"));
    QCOMPARE(QString::fromStdString(layers[1].name), QStringLiteral("layer1.0.conv1"));
    QCOMPARE(QString::fromStdString(layers.back().name), QStringLiteral("fc"));
    bool projection = false;
    for (const auto& l : layers) projection = projection || l.name == "layer2.0.shortcut.0";
    QVERIFY(projection);
}

QTEST_GUILESS_MAIN(TestZoo)
#include "tst_zoo.moc"
