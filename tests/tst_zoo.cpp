// Every zoo network builds, float and quantized, on both input shapes it is meant for, runs a batch
// forward and backward, and names its quantized layers as PyTorch would.
#include <torch/torch.h>

#include <QFileInfo>
#include <QtTest>

#include "models/zoo.h"
#include "io/atomic_file.h"
#include "train/evaluator.h"
#include "train/layer_macs.h"
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
    void macsAreTheLayersOwn();
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

// Multiply-accumulates per image from one forward's real shapes, against counts by hand: a conv does
// out_h·out_w·k_h·k_w·c_in/groups·c_out, a linear in·out. A depthwise layer of a TorchScript model
// divides by its groups.
void TestZoo::macsAreTheLayersOwn()
{
    auto macsOf = [](const std::shared_ptr<models::Network>& net, models::InputShape shape) {
        const auto layers = quant::findBitLayers(*net);
        train::measureLayerMacs(*net, layers, shape);
        std::vector<int64_t> macs;
        for (const auto& l : layers) macs.push_back(l.layer->macs());
        return macs;
    };
    // lenet5 on 1x28x28: 5x5 conv (pad 2) 1->6 at 28x28, 5x5 conv 6->16 at 10x10, 400->120->84->10.
    const auto lenet5 = macsOf(models::buildModel({"lenet5", false, 8, 0, {}, {}}, {1, 28, 28, 10}), {1, 28, 28, 10});
    QCOMPARE(lenet5, (std::vector<int64_t>{28 * 28 * 25 * 6, 10 * 10 * 150 * 16, 400 * 120, 120 * 84, 84 * 10}));
    // resnet20 on 3x32x32: the stem, 3 stages of 6 3x3 convs (16, 32, 64 wide at 32, 16, 8 pixels; the
    // first of stages 2 and 3 strided), their two 1x1 projections, the 64->10 head: about 40.8 M.
    const auto resnet20 =
        macsOf(models::buildModel({"resnet20", false, 8, 0, {}, {}}, {3, 32, 32, 10}), {3, 32, 32, 10});
    const int64_t stem = 1024 * 27 * 16, stage1 = 6 * 1024 * 144 * 16;
    const int64_t stage2 = 256 * 144 * 32 + 5 * 256 * 288 * 32 + 256 * 16 * 32;
    const int64_t stage3 = 64 * 288 * 64 + 5 * 64 * 576 * 64 + 64 * 32 * 64;
    int64_t total = 0;
    for (auto m : resnet20) total += m;
    QCOMPARE(total, stem + stage1 + stage2 + stage3 + 64 * 10);
    QCOMPARE(total, int64_t{40813184});
    // A TorchScript model (tests/make_scripted_models.py): 1->16 stride-2 stem, a depthwise 3x3 conv of
    // 16 groups at 14x14, a 32->10 head.
    const auto file = qEnvironmentVariable("CSQ_SCRIPTED_MODELS") + QStringLiteral("/tiny_cnn.pt");
    QVERIFY2(QFileInfo(file).isFile(), "CSQ_SCRIPTED_MODELS must hold tests/make_scripted_models.py's files");
    const auto script = macsOf(
        models::buildModel({"", false, 8, 0, io::readFile(file.toStdString()), file.toStdString()}, {1, 28, 28, 10}),
        {1, 28, 28, 10});
    const int64_t fullConv = 14 * 14 * 9 * 16 * 16;
    QCOMPARE(script, (std::vector<int64_t>{14 * 14 * 9 * 16, fullConv / 16, 32 * 10}));
}

QTEST_GUILESS_MAIN(TestZoo)
#include "tst_zoo.moc"
