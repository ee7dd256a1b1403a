// Every zoo network builds, float and quantized, on both input shapes it is meant for, runs a batch
// forward and backward, and names its quantized layers as PyTorch would.
#include <torch/torch.h>

#include <QtTest>

#include "models/zoo.h"
#include "train/evaluator.h"
#include "quant/scheme_readout.h"

using namespace csq;

class TestZoo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void buildsAndRuns_data();
    void buildsAndRuns();
    void resnet20NamesFollowPyTorch();
    void evaluationPassMatchesStepByStep_data();
    void evaluationPassMatchesStepByStep();
};

void TestZoo::buildsAndRuns_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("isFloat");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("quantizedLayers");
    for (const auto& [name, layers] :
         std::vector<std::pair<const char*, int>>{{"mlp", 3}, {"lenet5", 5}, {"resnet20", 22}})
        for (const bool f : {false, true})
            for (const auto& [c, hw] : std::vector<std::pair<int, int>>{{1, 28}, {3, 32}})
                QTest::addRow("%s %s %dx%d", name, f ? "float" : "csq", c, hw)
                    << QString(name) << f << c << hw << (f ? 0 : layers);
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

void TestZoo::evaluationPassMatchesStepByStep_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<bool>("isFloat");
    for (const char* name : {"lenet5", "resnet20"})
        for (const bool f : {false, true}) QTest::addRow("%s %s", name, f ? "float" : "csq") << QString(name) << f;
}

// Evaluation without autograd folds each batch norm into the conv before it, runs ReLU and the residual
// add in place and holds the composed weights (EvalScope): the logits of the step-by-step pass (up to
// rounding), the input left as it was, a pass cut at a layer's stage equal to the whole one to the last
// bit (the measured ticket's reruns), and the bits read afresh once the scope ends.
void TestZoo::evaluationPassMatchesStepByStep()
{
    QFETCH(QString, model);
    QFETCH(bool, isFloat);
    auto net = models::buildModel({model.toStdString(), isFloat, 4, 0, {}, {}}, {1, 28, 28, 10});
    const auto layers = quant::findBitLayers(*net);
    for (const auto& l : layers) l.layer->bits()->setBeta(5.0);
    {
        // Statistics and affine maps away from their defaults, so a wrong fold shows.
        torch::NoGradGuard noGrad;
        for (const auto& m : net->modules())
            if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(m.get())) {
                bn->running_mean.uniform_(-0.5, 0.5);
                bn->running_var.uniform_(0.5, 2.0);
                bn->weight.uniform_(0.5, 1.5);
                bn->bias.uniform_(-0.3, 0.3);
            }
    }
    const auto x = torch::randn({4, 1, 28, 28}), original = x.clone();
    net->eval();
    const auto stepByStep = net->forward(x).detach();  // with autograd: every step on its own
    torch::Tensor fast;
    {
        train::EvalScope scope(*net);
        torch::NoGradGuard noGrad;
        fast = net->forward(x);
        QVERIFY(torch::equal(x, original));
        QVERIFY2(torch::allclose(fast, stepByStep, 1e-4, 1e-5),
                 qPrintable(QString::number((fast - stepByStep).abs().max().item<double>())));
        for (const auto& l : layers) {
            const size_t stage = net->stageOf(*l.layer);
            const auto head = net->forwardStages(x, 0, stage);
            const auto headCopy = head.clone();
            QVERIFY2(torch::equal(net->forwardStages(head, stage, net->stageCount()), fast), l.name.c_str());
            QVERIFY2(torch::equal(head, headCopy), l.name.c_str());
        }
    }
    if (layers.empty()) return;
    {
        torch::NoGradGuard noGrad;
        layers.front().layer->bits()->scale.mul_(3);
        QVERIFY(!torch::equal(net->forward(x), fast));
    }
}

QTEST_GUILESS_MAIN(TestZoo)
#include "tst_zoo.moc"
