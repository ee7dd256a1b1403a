// ActQuantizer: k-bit activations with exactly 2^k levels and a straight-through gradient.
#include <torch/torch.h>

#include <QtTest>

#include <thread>

#include "models/network.h"
#include "quant/act_quantizer.h"
#include "thread_ranks.h"

using namespace csq::quant;

class TestActQuantizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void levels_data();
    void levels();
    void straightThroughGradient_data() { levels_data(); }
    void straightThroughGradient();
    void zeroBitsIsIdentity();
    void evalUsesCalibratedRange();
    void ranksShareTheWholeBatchRange();
};

void TestActQuantizer::levels_data()
{
    QTest::addColumn<int>("bits");
    QTest::addColumn<bool>("isSigned");
    for (int k : {1, 2, 3, 4, 8})
        for (bool s : {false, true}) QTest::addRow("k=%d %s", k, s ? "signed" : "unsigned") << k << s;
}

// A dense ramp over the calibrated range maps onto exactly 2^k distinct, evenly spaced values.
void TestActQuantizer::levels()
{
    QFETCH(int, bits);
    QFETCH(bool, isSigned);
    ActQuantizer quantizer(ActQuantizerOptions{bits, isSigned});
    quantizer->train();
    auto ramp = torch::linspace(isSigned ? -3.0 : 0.0, 3.0, 20001);
    auto y = quantizer->forward(ramp);
    QCOMPARE(quantizer->range(), 3.0);
    auto values = std::get<0>(torch::_unique(y));
    QCOMPARE(values.numel(), int64_t{1} << bits);
    auto gaps = values.slice(0, 1) - values.slice(0, 0, -1);
    QVERIFY((gaps - gaps[0]).abs().max().item<double>() < 1e-5);
    QVERIFY(std::abs(values.min().item<double>() - (isSigned ? -3.0 : 0.0)) < 1e-6);
    QVERIFY(std::abs(values.max().item<double>() - 3.0) < 1e-6);
}

// Inside the range the gradient is exactly 1 (straight through the rounding), outside it is 0.
void TestActQuantizer::straightThroughGradient()
{
    QFETCH(int, bits);
    QFETCH(bool, isSigned);
    ActQuantizer quantizer(ActQuantizerOptions{bits, isSigned});
    quantizer->train();
    quantizer->forward(torch::tensor({-2.0, 2.0}));  // calibrates r = 2
    quantizer->eval();
    auto x = torch::tensor({-3.0, -1.3, -0.2, 0.1, 0.7, 1.9, 2.5}).requires_grad_(true);
    quantizer->forward(x).sum().backward();
    auto expected = isSigned ? torch::tensor({0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0})
                             : torch::tensor({0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0});
    QVERIFY(torch::equal(x.grad(), expected.to(x.scalar_type())));
}

void TestActQuantizer::zeroBitsIsIdentity()
{
    ActQuantizer quantizer(ActQuantizerOptions{0});
    auto x = torch::randn({4, 5});
    QVERIFY(torch::equal(quantizer->forward(x), x));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ActQuantizer(ActQuantizerOptions{17}));
}

void TestActQuantizer::evalUsesCalibratedRange()
{
    ActQuantizer quantizer(ActQuantizerOptions{4});
    quantizer->train();
    quantizer->forward(torch::tensor({0.0, 1.0}));
    quantizer->forward(torch::tensor({0.0, 3.0}));  // r = 0.9 * 1 + 0.1 * 3
    QVERIFY(std::abs(quantizer->range() - 1.2) < 1e-6);
    quantizer->eval();
    quantizer->forward(torch::tensor({0.0, 100.0}));
    QVERIFY(std::abs(quantizer->range() - 1.2) < 1e-6);
}

// Two ranks, each with its share of every batch (their maxima differ), calibrate the same range as one
// quantizer over the whole batches does; without sharing, each rank would keep its own.
void TestActQuantizer::ranksShareTheWholeBatchRange()
{
    torch::manual_seed(3);
    std::vector<torch::Tensor> batches;
    for (int i = 0; i < 5; ++i) batches.push_back(torch::randn({8, 6}) * (1 + i));
    ActQuantizer whole(ActQuantizerOptions{4, true});
    whole->train();
    for (const auto& b : batches) whole->forward(b);

    const int world = 2;
    csq::test::ThreadRanks ranks(world);
    std::vector<double> ranges(world), alone(world);
    std::vector<std::thread> threads;
    for (int r = 0; r < world; ++r)
        threads.emplace_back([&, r] {
            ActQuantizer shared(ActQuantizerOptions{4, true}), own(ActQuantizerOptions{4, true});
            shared->shareRanges(csq::models::rankMaxFrom(ranks.sumFor(), r, world));
            shared->train();
            own->train();
            for (const auto& b : batches) {
                const auto share = b.chunk(world, 0)[static_cast<size_t>(r)];
                shared->forward(share);
                own->forward(share);
            }
            ranges[static_cast<size_t>(r)] = shared->range();
            alone[static_cast<size_t>(r)] = own->range();
        });
    for (auto& t : threads) t.join();
    for (int r = 0; r < world; ++r) QVERIFY(std::abs(ranges[static_cast<size_t>(r)] - whole->range()) < 1e-6);
    QVERIFY2(alone[0] != alone[1], "the shares were meant to differ");
}

QTEST_GUILESS_MAIN(TestActQuantizer)
#include "tst_act_quantizer.moc"
