// syncedBatchNorm: ranks holding shares of a batch normalise, back-propagate and update running
// statistics as one batch norm over the whole batch does. The ranks are threads here, summing through
// a shared slot, as the Gloo all-reduce sums between processes.
#include <thread>

#include <torch/torch.h>

#include <QtTest>

#include "models/synced_batch_norm.h"
#include "thread_ranks.h"
#include "tensor_checks.h"

using namespace csq::models;

namespace {

struct Result {
    torch::Tensor y, inputGrad, weightGrad, biasGrad, runningMean, runningVar;
};

// Forward and backward of loss = sum(y * probe) on `x`, by `bn` or, given ranks, by syncedBatchNorm.
Result step(torch::nn::BatchNorm2d bn, const torch::Tensor& x, const torch::Tensor& probe,
            const c10::intrusive_ptr<RankSumHolder>& ranks = {})
{
    bn->train();
    auto input = x.clone().requires_grad_(true);
    auto y = ranks ? syncedBatchNorm(input, *bn, bn->options.eps(), bn->options.momentum().value(), ranks)
                   : bn->forward(input);
    (y * probe).sum().backward();
    return {y.detach(),
            input.grad(),
            bn->weight.grad(),
            bn->bias.grad(),
            bn->running_mean.clone(),
            bn->running_var.clone()};
}

torch::nn::BatchNorm2d seededBatchNorm()
{
    torch::nn::BatchNorm2d bn(torch::nn::BatchNorm2dOptions(3).momentum(0.2));
    torch::NoGradGuard noGrad;
    bn->weight.copy_(torch::tensor({0.5, 1.5, -2.0}));
    bn->bias.copy_(torch::tensor({0.1, -0.3, 0.7}));
    bn->running_mean.copy_(torch::tensor({0.2, 0.0, -0.1}));
    bn->running_var.copy_(torch::tensor({1.5, 0.8, 1.0}));
    return bn;
}

}  // namespace

class TestSyncedBatchNorm : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void oneRankIsTorchBatchNorm();
    void sharesMatchTheWholeBatch_data();
    void sharesMatchTheWholeBatch();
};

// With one rank the sums are the identity: output, gradients and running statistics are torch's.
void TestSyncedBatchNorm::oneRankIsTorchBatchNorm()
{
    torch::manual_seed(1);
    const auto x = torch::randn({8, 3, 5, 5}) * 2 + 1;
    const auto probe = torch::randn({8, 3, 5, 5});
    const auto reference = step(seededBatchNorm(), x, probe);
    const auto synced =
        step(seededBatchNorm(), x, probe, c10::make_intrusive<RankSumHolder>([](std::vector<torch::Tensor>&) {}));
    QVERIFY(csq::test::maxAbsDifference(synced.y, reference.y) < 1e-5);
    QVERIFY(csq::test::maxAbsDifference(synced.inputGrad, reference.inputGrad) < 1e-5);
    QVERIFY(csq::test::maxAbsDifference(synced.weightGrad, reference.weightGrad) < 1e-4);
    QVERIFY(csq::test::maxAbsDifference(synced.biasGrad, reference.biasGrad) < 1e-4);
    QVERIFY(csq::test::maxAbsDifference(synced.runningMean, reference.runningMean) < 1e-6);
    QVERIFY(csq::test::maxAbsDifference(synced.runningVar, reference.runningVar) < 1e-6);
}

void TestSyncedBatchNorm::sharesMatchTheWholeBatch_data()
{
    QTest::addColumn<QList<int>>("shares");
    QTest::newRow("2 equal") << QList<int>{6, 6};
    QTest::newRow("3 unequal") << QList<int>{5, 4, 3};
}

// Each rank runs its rows; the rows' outputs and input gradients are those of the whole batch, the
// parameter gradients add up to the whole batch's, and every rank ends with its running statistics.
void TestSyncedBatchNorm::sharesMatchTheWholeBatch()
{
    QFETCH(QList<int>, shares);
    const int world = static_cast<int>(shares.size());
    int64_t rows = 0;
    for (int n : shares) rows += n;
    torch::manual_seed(2);
    const auto x = torch::randn({rows, 3, 4, 4}) * 3 - 1;
    const auto probe = torch::randn({rows, 3, 4, 4});
    const auto whole = step(seededBatchNorm(), x, probe);

    csq::test::ThreadRanks ranks(world);
    std::vector<Result> results(static_cast<size_t>(world));
    std::vector<std::thread> threads;
    int64_t start = 0;
    for (int r = 0; r < world; ++r) {
        const int64_t share = shares[r];
        threads.emplace_back([&, r, start, share] {
            at::set_num_threads(1);
            results[static_cast<size_t>(r)] =
                step(seededBatchNorm(), x.narrow(0, start, share), probe.narrow(0, start, share),
                     c10::make_intrusive<RankSumHolder>(ranks.sumFor()));
        });
        start += share;
    }
    for (auto& t : threads) t.join();

    std::vector<torch::Tensor> ys, inputGrads;
    auto weightGrad = torch::zeros({3}), biasGrad = torch::zeros({3});
    for (const auto& r : results) {
        ys.push_back(r.y);
        inputGrads.push_back(r.inputGrad);
        weightGrad += r.weightGrad;
        biasGrad += r.biasGrad;
        QVERIFY(csq::test::maxAbsDifference(r.runningMean, whole.runningMean) < 1e-6);
        QVERIFY(csq::test::maxAbsDifference(r.runningVar, whole.runningVar) < 1e-5);
    }
    QVERIFY(csq::test::maxAbsDifference(torch::cat(ys), whole.y) < 1e-5);
    QVERIFY(csq::test::maxAbsDifference(torch::cat(inputGrads), whole.inputGrad) < 1e-5);
    QVERIFY(csq::test::maxAbsDifference(weightGrad, whole.weightGrad) < 1e-4);
    QVERIFY(csq::test::maxAbsDifference(biasGrad, whole.biasGrad) < 1e-4);
    // Without the sums each rank would normalise with its own rows' statistics: far from the whole's.
    QVERIFY(
        csq::test::maxAbsDifference(step(seededBatchNorm(), x.narrow(0, 0, shares[0]), probe.narrow(0, 0, shares[0])).y,
                                    whole.y.narrow(0, 0, shares[0])) > 1e-2);
}

QTEST_APPLESS_MAIN(TestSyncedBatchNorm)
#include "tst_synced_batch_norm.moc"
