// BitWeight: the bit-level parameterization of one weight tensor (docs/method.md).
#include <cmath>

#include <torch/torch.h>

#include <QtTest>

#include "quant/bit_layer.h"
#include "quant/bit_weight.h"
#include "tensor_checks.h"

using namespace csq::quant;
using csq::test::maxAbsDifference;
using csq::test::maxRelativeError;

namespace {

// The layer under test, by kind, so every table row runs for Linear and Conv2d alike.
std::shared_ptr<BitLayer> makeLayer(const QString& kind, int maxBits)
{
    if (kind == QLatin1String("linear")) return BitLinear(BitLinearOptions{24, 10, true, maxBits}).ptr();
    return BitConv2d(BitConv2dOptions{6, 8, {3, 3}, {1, 1}, {1, 1}, {1, 1}, 1, true, maxBits}).ptr();
}

torch::Tensor expectedQuantized(const torch::Tensor& w0, int maxBits)
{
    const double levels = std::pow(2.0, maxBits) - 1;
    auto s = w0.abs().max();
    return s * torch::round(w0 / s * levels) / levels;
}

}  // namespace

class TestBitWeight : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(1234); }

    void roundTrip_data();
    void roundTrip();
    void softApproachesHard_data();
    void softApproachesHard();
    void gradientsMatchFiniteDifferences_data();
    void gradientsMatchFiniteDifferences();
    void rejectsBadShapesAndBits();
};

void TestBitWeight::roundTrip_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("maxBits");
    for (const QString& kind : {QStringLiteral("linear"), QStringLiteral("conv2d")})
        for (int n : {1, 2, 4, 8, 12}) QTest::addRow("%s N=%d", qPrintable(kind), n) << kind << n;
}

// Init from float weights, then exact mode, gives s * round(W0/s (2^N-1)) / (2^N-1).
void TestBitWeight::roundTrip()
{
    QFETCH(QString, kind);
    QFETCH(int, maxBits);
    auto layer = makeLayer(kind, maxBits);
    auto& bits = layer->bits();
    auto w0 = torch::randn(bits->shape()) * 0.3;
    layer->initFromFloat(w0);
    bits->setExact(true);

    auto w = bits->forward();
    auto expected = expectedQuantized(w0, maxBits);
    QVERIFY2(maxRelativeError(w, expected, 1e-30) <= 1e-6,
             qPrintable(QStringLiteral("relative error %1").arg(maxRelativeError(w, expected, 1e-30))));
    // Zeros of the expected weight are exact zeros, not tiny residues.
    QCOMPARE(w.eq(0).sum().item<int64_t>(), expected.eq(0).sum().item<int64_t>());
    // The integer codes are exactly the rounded integers.
    const double levels = std::pow(2.0, maxBits) - 1;
    auto codes = torch::round(w0 / w0.abs().max() * levels).to(torch::kInt32);
    QVERIFY(torch::equal(bits->integerCodes(), codes));
    QCOMPARE(bits->scale.item<float>(), w0.abs().max().item<float>());
}

void TestBitWeight::softApproachesHard_data()
{
    QTest::addColumn<double>("beta");
    for (double beta : {2.0, 5.0, 10.0, 20.0, 40.0}) QTest::addRow("beta=%g", beta) << beta;
}

// Every gate is within eps = sigmoid(-beta*a) of its step when |logit| >= a, so each bit term
// (f(P) - f(Q)) f(m) is within 3 eps of its hard value and sum c_b = 1 gives |W - W_hard| <= 3 s eps.
// Computed in double so that rounding (~1e-16 s, allowed for by 1e-13 s) stays far below the bound.
void TestBitWeight::softApproachesHard()
{
    QFETCH(double, beta);
    BitWeight bits(std::vector<int64_t>{16, 9}, 6);
    bits->to(torch::kDouble);
    const double a = 0.75;
    bits->initFromFloat(torch::randn({16, 9}, torch::kDouble), BitInit{a, a});
    bits->setBeta(beta);
    auto soft = bits->forward();
    bits->setExact(true);
    auto hard = bits->forward();

    const double s = bits->scale.item<double>();
    const double eps = 1.0 / (1.0 + std::exp(beta * a));
    const double bound = 3.0 * s * eps + 1e-13 * s;
    const double error = maxAbsDifference(soft, hard);
    QVERIFY2(error <= bound, qPrintable(QStringLiteral("error %1 > bound %2").arg(error).arg(bound)));
    // And the bound is not vacuous: at beta >= 20 the soft weight is within 1e-6 s of the hard one.
    if (beta >= 20) QVERIFY(error <= 1e-6 * s);
}

void TestBitWeight::gradientsMatchFiniteDifferences_data()
{
    QTest::addColumn<QString>("parameter");
    QTest::addColumn<int>("maxBits");
    for (const QString& p : {QStringLiteral("P"), QStringLiteral("Q"), QStringLiteral("mask"), QStringLiteral("scale")})
        for (int n : {1, 3, 8}) QTest::addRow("%s N=%d", qPrintable(p), n) << p << n;
}

// d/dtheta of sum(W * R) by autograd equals the central difference, in double precision.
void TestBitWeight::gradientsMatchFiniteDifferences()
{
    QFETCH(QString, parameter);
    QFETCH(int, maxBits);
    BitWeight bits(std::vector<int64_t>{5, 4}, maxBits);
    bits->to(torch::kDouble);
    {
        torch::NoGradGuard noGrad;
        bits->P.normal_();
        bits->Q.normal_();
        bits->mask.normal_();
        bits->scale.fill_(0.7);
    }
    bits->setBeta(1.3);
    auto probe = torch::randn({5, 4}, torch::kDouble);
    auto loss = [&] { return (bits->forward() * probe).sum(); };

    auto params = bits->named_parameters();
    auto theta = params[parameter.toStdString()];
    bits->zero_grad();
    loss().backward();
    auto analytic = theta.grad().clone();

    const double h = 1e-6;
    auto flat = theta.detach().view(-1);
    for (int64_t i = 0; i < flat.numel(); i += std::max<int64_t>(1, flat.numel() / 25)) {
        torch::NoGradGuard noGrad;
        const double original = flat[i].item<double>();
        flat[i].fill_(original + h);
        const double up = loss().item<double>();
        flat[i].fill_(original - h);
        const double down = loss().item<double>();
        flat[i].fill_(original);
        const double numeric = (up - down) / (2 * h);
        const double autograd = analytic.view(-1)[i].item<double>();
        QVERIFY2(std::abs(numeric - autograd) <= 1e-7 * std::max(1.0, std::abs(numeric)),
                 qPrintable(QStringLiteral("%1[%2]: autograd %3, finite difference %4")
                                .arg(parameter)
                                .arg(i)
                                .arg(autograd, 0, 'g', 12)
                                .arg(numeric, 0, 'g', 12)));
    }
}

void TestBitWeight::rejectsBadShapesAndBits()
{
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BitWeight(std::vector<int64_t>{3, 3}, 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, BitWeight(std::vector<int64_t>{3, 3}, 17));
    BitWeight bits(std::vector<int64_t>{3, 3}, 4);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, bits->initFromFloat(torch::randn({3, 4})));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             bits->initFromFloat(torch::full({3, 3}, std::numeric_limits<float>::quiet_NaN())));
}

QTEST_GUILESS_MAIN(TestBitWeight)
#include "tst_bit_weight.moc"
