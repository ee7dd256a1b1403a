// BitLinear and BitConv2d: the quantized layers compute exactly what torch's float layers compute
// with the composed weight, and a bit the mask drops has no influence on the output.
#include <torch/torch.h>

#include <QtTest>

#include "quant/bit_layer.h"
#include "tensor_checks.h"

using namespace csq::quant;
using csq::test::maxAbsDifference;

class TestBitLayer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }

    void conv2dMatchesTorchConv_data();
    void conv2dMatchesTorchConv();
    void linearMatchesTorchLinear();
    void droppedBitHasNoInfluence_data();
    void droppedBitHasNoInfluence();
    void rejectsBadGroups();
    void forwardScaledIsForwardThenChannelMap();
    void heldWeightServesUntilReleased();
};

void TestBitLayer::conv2dMatchesTorchConv_data()
{
    QTest::addColumn<int>("stride");
    QTest::addColumn<int>("padding");
    QTest::addColumn<int>("dilation");
    QTest::addColumn<int>("groups");
    QTest::addColumn<bool>("bias");
    QTest::addColumn<int>("kernel");
    QTest::newRow("plain 3x3") << 1 << 0 << 1 << 1 << false << 3;
    QTest::newRow("bias") << 1 << 0 << 1 << 1 << true << 3;
    QTest::newRow("stride 2 pad 1") << 2 << 1 << 1 << 1 << true << 3;
    QTest::newRow("dilation 2 pad 2") << 1 << 2 << 2 << 1 << false << 3;
    QTest::newRow("groups 2") << 1 << 1 << 1 << 2 << true << 3;
    QTest::newRow("depthwise") << 1 << 1 << 1 << 4 << false << 3;
    QTest::newRow("1x1 stride 2") << 2 << 0 << 1 << 1 << false << 1;
    QTest::newRow("5x5 everything") << 2 << 2 << 2 << 2 << true << 5;
}

void TestBitLayer::conv2dMatchesTorchConv()
{
    QFETCH(int, stride);
    QFETCH(int, padding);
    QFETCH(int, dilation);
    QFETCH(int, groups);
    QFETCH(bool, bias);
    QFETCH(int, kernel);
    BitConv2dOptions o;
    o.in = 4;
    o.out = 8;
    o.kernel = {kernel, kernel};
    o.stride = {stride, stride};
    o.padding = {padding, padding};
    o.dilation = {dilation, dilation};
    o.groups = groups;
    o.bias = bias;
    o.maxBits = 5;
    BitConv2d conv(o);
    conv->bits()->setBeta(1.7);

    torch::nn::Conv2d reference(torch::nn::Conv2dOptions(4, 8, kernel)
                                    .stride(stride)
                                    .padding(padding)
                                    .dilation(dilation)
                                    .groups(groups)
                                    .bias(bias));
    {
        torch::NoGradGuard noGrad;
        reference->weight.copy_(conv->bits()->forward());
        if (bias) reference->bias.copy_(conv->bias);
    }
    auto x = torch::randn({2, 4, 11, 13});
    auto ours = conv->forward(x);
    auto theirs = reference->forward(x);
    QCOMPARE(ours.sizes().vec(), theirs.sizes().vec());
    QVERIFY2(maxAbsDifference(ours, theirs) <= 1e-5, qPrintable(QString::number(maxAbsDifference(ours, theirs))));
}

void TestBitLayer::linearMatchesTorchLinear()
{
    for (bool bias : {false, true}) {
        BitLinear linear(BitLinearOptions{12, 7, bias, 4});
        torch::nn::Linear reference(torch::nn::LinearOptions(12, 7).bias(bias));
        {
            torch::NoGradGuard noGrad;
            reference->weight.copy_(linear->bits()->forward());
            if (bias) reference->bias.copy_(linear->bias);
        }
        auto x = torch::randn({5, 12});
        QVERIFY(maxAbsDifference(linear->forward(x), reference->forward(x)) <= 1e-5);
    }
}

void TestBitLayer::droppedBitHasNoInfluence_data()
{
    QTest::addColumn<int>("droppedBit");
    QTest::addColumn<bool>("exact");
    for (int bit : {0, 3, 5})
        for (bool exact : {false, true}) QTest::addRow("bit %d %s", bit, exact ? "exact" : "soft") << bit << exact;
}

// After the ticket a dropped bit's gate is exactly 0: its planes P_b, Q_b cannot change the output
// and receive no gradient.
void TestBitLayer::droppedBitHasNoInfluence()
{
    QFETCH(int, droppedBit);
    QFETCH(bool, exact);
    BitConv2d conv(BitConv2dOptions{3, 4, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true, 6});
    auto& bits = conv->bits();
    std::vector<bool> kept(6, true);
    kept[static_cast<size_t>(droppedBit)] = false;
    bits->setKeptBits(kept, 3.0);
    bits->drawTicket();
    bits->setExact(exact);
    bits->setBeta(2.0);

    auto x = torch::randn({2, 3, 8, 8});
    auto before = conv->forward(x);
    {
        torch::NoGradGuard noGrad;
        bits->P[droppedBit].normal_(0, 5);
        bits->Q[droppedBit].normal_(0, 5);
    }
    auto after = conv->forward(x);
    QVERIFY(torch::equal(before, after));

    if (!exact) {
        conv->zero_grad();
        after.sum().backward();
        QCOMPARE(bits->P.grad()[droppedBit].abs().sum().item<double>(), 0.0);
        QCOMPARE(bits->Q.grad()[droppedBit].abs().sum().item<double>(), 0.0);
        QVERIFY(bits->P.grad()[(droppedBit + 1) % 6].abs().sum().item<double>() > 0.0);
    }
    // Changing a kept plane does change the output: the check above is not vacuous.
    {
        torch::NoGradGuard noGrad;
        bits->P[(droppedBit + 1) % 6].neg_();
    }
    QVERIFY(!torch::equal(conv->forward(x), after));
}

void TestBitLayer::rejectsBadGroups()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             BitConv2d(BitConv2dOptions{3, 4, {3, 3}, {1, 1}, {0, 0}, {1, 1}, 2, true, 4}));
}

// A batch norm folded into the layer: forward, then y * scale + shift per output channel.
void TestBitLayer::forwardScaledIsForwardThenChannelMap()
{
    for (bool bias : {false, true}) {
        BitConv2d conv(BitConv2dOptions{3, 6, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, bias, 4});
        conv->bits()->setBeta(2.0);
        const auto x = torch::randn({2, 3, 9, 9});
        const auto scale = torch::rand({6}) + 0.5, shift = torch::randn({6});
        const auto expected = conv->forward(x) * scale.view({1, -1, 1, 1}) + shift.view({1, -1, 1, 1});
        const auto folded = conv->forwardScaled(x, scale, shift);
        QVERIFY2(maxAbsDifference(folded, expected) <= 1e-5,
                 qPrintable(QString::number(maxAbsDifference(folded, expected))));

        BitLinear linear(BitLinearOptions{5, 4, bias, 4});
        const auto v = torch::randn({3, 5});
        const auto a = torch::rand({4}) + 0.5, b = torch::randn({4});
        QVERIFY(maxAbsDifference(linear->forwardScaled(v, a, b), linear->forward(v) * a + b) <= 1e-5);
    }
}

// Evaluation holds the composed weight for its batches; autograd passes and released layers compose
// the bits as they are.
void TestBitLayer::heldWeightServesUntilReleased()
{
    BitConv2d conv(BitConv2dOptions{2, 4, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, false, 4});
    conv->bits()->setBeta(2.0);
    const auto x = torch::randn({1, 2, 7, 7});
    torch::Tensor before;
    {
        torch::NoGradGuard noGrad;
        before = conv->forward(x);
        conv->holdWeight();
        conv->bits()->scale.mul_(2);
        QVERIFY(torch::equal(conv->forward(x), before));
    }
    QVERIFY(maxAbsDifference(conv->forward(x).detach(), 2 * before) <= 1e-5);  // autograd: composed
    conv->releaseWeight();
    torch::NoGradGuard noGrad;
    QVERIFY(maxAbsDifference(conv->forward(x), 2 * before) <= 1e-5);
}

QTEST_GUILESS_MAIN(TestBitLayer)
#include "tst_bit_layer.moc"
