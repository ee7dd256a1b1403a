// BitLattice and lattice training: the codes a kept-bit set can express, rounding onto them, writing
// them back into P/Q with kept bits only, and the straight-through / LSQ gradients of the finetune.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <torch/torch.h>

#include <QtTest>

#include "quant/bit_lattice.h"
#include "quant/bit_layer.h"
#include "quant/bit_weight.h"
#include "tensor_checks.h"

using namespace csq::quant;
using csq::test::maxAbsDifference;

namespace {

std::vector<bool> keptSet(int maxBits, std::initializer_list<int> bits)
{
    std::vector<bool> kept(static_cast<size_t>(maxBits), false);
    for (int b : bits) kept[static_cast<size_t>(b)] = true;
    return kept;
}

std::set<int64_t> asSet(const torch::Tensor& t)
{
    auto c = t.to(torch::kInt64).contiguous();
    return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

// Every sum_{b kept} d_b 2^b with d_b in {-1, 0, 1}, by brute force.
std::set<int64_t> bruteForce(const std::vector<bool>& kept)
{
    std::set<int64_t> codes{0};
    for (size_t b = 0; b < kept.size(); ++b) {
        if (!kept[b]) continue;
        std::set<int64_t> next;
        for (int64_t c : codes)
            for (int64_t d : {-1, 0, 1}) next.insert(c + d * (int64_t{1} << b));
        codes = std::move(next);
    }
    return codes;
}

}  // namespace

class TestBitLattice : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(7); }
    void valuesMatchBruteForce_data();
    void valuesMatchBruteForce();
    void digitsComposeTheirValue();
    void roundsToNearest();
    void nearestIndexIsBucketize();
    void exactIndexRejectsOffLatticeCodes();
    void setFromCodesUsesKeptBitsOnly();
    void latticeForwardEqualsExactModel();
    void latticeGradients();
    void layerLatticeTrainingMovesOnlyTheLatent();
    void fittedScaleMakesAnyKeptBitUseful();
};

void TestBitLattice::valuesMatchBruteForce_data()
{
    QTest::addColumn<int>("maxBits");
    QTest::addColumn<QList<int>>("bits");
    QTest::newRow("all of 4") << 4 << QList<int>{0, 1, 2, 3};
    QTest::newRow("top two of 8") << 8 << QList<int>{6, 7};
    QTest::newRow("gap {5,7} of 8") << 8 << QList<int>{5, 7};
    QTest::newRow("scattered {0,3,6} of 8") << 8 << QList<int>{0, 3, 6};
    QTest::newRow("one bit") << 8 << QList<int>{7};
    QTest::newRow("none") << 4 << QList<int>{};
}

void TestBitLattice::valuesMatchBruteForce()
{
    QFETCH(int, maxBits);
    QFETCH(QList<int>, bits);
    std::vector<bool> kept(static_cast<size_t>(maxBits), false);
    for (int b : bits) kept[static_cast<size_t>(b)] = true;
    const BitLattice lattice(kept);
    const auto values = lattice.values();
    QCOMPARE(asSet(values), bruteForce(kept));
    QVERIFY(values.slice(0, 1).gt(values.slice(0, 0, -1)).all().item<bool>());  // sorted, distinct
}

void TestBitLattice::digitsComposeTheirValue()
{
    const auto kept = keptSet(8, {1, 4, 5, 7});
    const BitLattice lattice(kept);
    const auto keptMask = int64_t{(1 << 1) | (1 << 4) | (1 << 5) | (1 << 7)};
    QVERIFY(lattice.plusDigits().bitwise_and(lattice.minusDigits()).eq(0).all().item<bool>());
    QVERIFY(lattice.plusDigits().bitwise_and(~keptMask).eq(0).all().item<bool>());
    QVERIFY(lattice.minusDigits().bitwise_and(~keptMask).eq(0).all().item<bool>());
    QVERIFY(lattice.plusDigits().sub(lattice.minusDigits()).equal(lattice.values()));
}

void TestBitLattice::roundsToNearest()
{
    const BitLattice lattice(keptSet(8, {5, 7}));  // ..., 32, 96, 128, 160; midpoints 64, 112, 144
    auto v = torch::tensor({33.0, 63.0, 65.0, 100.0, 145.0, 400.0, -97.0});
    auto got = lattice.values().index_select(0, lattice.nearestIndex(v));
    auto expected = torch::tensor({32, 32, 96, 96, 160, 160, -96}, torch::kInt64);
    QVERIFY(got.equal(expected));
}

// The CPU's table lookup gives bucketize's index over the midpoints for any value: on and beside
// every midpoint, beyond the code range, infinities and NaN, in float and double, on 8- and 16-bit
// lattices with and without gaps.
void TestBitLattice::nearestIndexIsBucketize()
{
    torch::manual_seed(5);
    int checked = 0;
    for (int trial = 0; trial < 60; ++trial) {
        const int maxBits = trial % 3 == 0 ? 16 : 8;
        std::vector<bool> kept(static_cast<size_t>(maxBits), false);
        auto pick = torch::rand({maxBits});
        for (int b = 0; b < maxBits; ++b) kept[static_cast<size_t>(b)] = pick[b].item<double>() < 0.5;
        if (std::none_of(kept.begin(), kept.end(), [](bool k) { return k; })) kept[0] = true;
        const BitLattice lattice(kept);
        auto values = lattice.values().to(torch::kDouble);
        const double span = values.max().item<double>();
        auto mids = (values.slice(0, 1) + values.slice(0, 0, -1)) / 2;
        const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
        auto v =
            torch::cat({(torch::rand({4000}, torch::kDouble) * 2.4 - 1.2) * span, mids, mids + 1e-9, mids - 1e-9,
                        torch::tensor({0.0, span, -span, span + 0.5, -span - 0.5, inf, -inf, nan}, torch::kDouble)});
        for (auto type : {torch::kDouble, torch::kFloat}) {
            auto x = v.to(type);
            auto expected = torch::bucketize(x.to(torch::kDouble), mids);
            QVERIFY2(lattice.nearestIndex(x).equal(expected), qPrintable(QStringLiteral("trial %1").arg(trial)));
            ++checked;
        }
    }
    QCOMPARE(checked, 120);
}

void TestBitLattice::exactIndexRejectsOffLatticeCodes()
{
    const BitLattice lattice(keptSet(8, {5, 7}));
    auto index = lattice.exactIndex(torch::tensor({96, -160, 0}, torch::kInt64));
    QVERIFY(lattice.values().index_select(0, index).equal(torch::tensor({96, -160, 0}, torch::kInt64)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, lattice.exactIndex(torch::tensor({64}, torch::kInt64)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, lattice.exactIndex(torch::tensor({161}, torch::kInt64)));
}

// Regression: codes of a scheme that dropped a middle bit (96 = 128 - 32 with kept {7, 5}) were written
// as binary digits, which need the dropped bit 6, and the loaded exact model read them as 32.
void TestBitLattice::setFromCodesUsesKeptBitsOnly()
{
    BitWeight w(std::vector<int64_t>{2, 3}, 8);
    auto codes = torch::tensor({96, -160, 32, 0, -128, 160}, torch::kInt64).view({2, 3});
    w->setFromCodes(codes, torch::tensor(0.5), keptSet(8, {5, 7}));
    QVERIFY(w->integerCodes().to(torch::kInt64).equal(codes));
    w->setExact(true);
    QVERIFY(maxAbsDifference(w->forward(), codes.to(torch::kFloat) * 0.5 / 255.0) < 1e-7);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, w->setFromCodes(torch::full({2, 3}, 64, torch::kInt64),
                                                                    torch::tensor(0.5), keptSet(8, {5, 7})));
}

void TestBitLattice::latticeForwardEqualsExactModel()
{
    BitWeight w(std::vector<int64_t>{40, 7}, 8);
    w->initFromFloat(torch::randn({40, 7}));
    w->setKeptBits(keptSet(8, {3, 5, 6, 7}), 2.0);
    w->drawTicket();
    auto latent = torch::randn({40, 7});
    w->trainOnLattice(latent);
    auto soft = w->forward();
    auto codes = w->integerCodes().to(torch::kInt64);
    const auto allowed = bruteForce(keptSet(8, {3, 5, 6, 7}));
    for (int64_t c : asSet(codes)) QVERIFY2(allowed.count(c), qPrintable(QString::number(c)));
    torch::Tensor evaluated;
    {
        torch::NoGradGuard noGrad;  // evaluation: the soft model is the exact one bit for bit, so the
        evaluated = w->forward();   // trainer evaluates it once
    }
    w->setExact(true);
    QVERIFY(maxAbsDifference(soft, w->forward()) < 1e-6);
    QVERIFY(evaluated.equal(w->forward()));
    // Nearest: no lattice code is closer to the latent's code than the chosen one.
    auto v = (latent * 255.0 / w->scale).to(torch::kDouble).flatten();
    auto lattice = BitLattice(keptSet(8, {3, 5, 6, 7})).values().to(torch::kDouble);
    auto best = (v.unsqueeze(1) - lattice.unsqueeze(0)).abs().min(1);
    auto chosen = (v - codes.flatten().to(torch::kDouble)).abs();
    QVERIFY(maxAbsDifference(chosen, std::get<0>(best)) < 1e-9);
}

// d/d latent = upstream gradient inside the lattice's range and 0 where clipped; d/d scale = sum of
// upstream * (rounded - unrounded code) / L inside, * (clipped code) / L outside, times the LSQ factor.
void TestBitLattice::latticeGradients()
{
    BitWeight w(std::vector<int64_t>{64}, 4);
    w->setKeptBits(keptSet(4, {2, 3}), 2.0);  // codes -12..12 step 4
    w->drawTicket();
    {
        torch::NoGradGuard noGrad;
        w->scale.fill_(1.5);
    }
    auto latent = (torch::rand({64}) * 3.0 - 1.5).set_requires_grad(true);  // beyond 12/15 * 1.5 = 1.2 at the ends
    w->trainOnLattice(latent);
    auto upstream = torch::randn({64});
    (w->forward() * upstream).sum().backward();

    auto v = latent.detach() * 15.0 / 1.5;
    auto inside = v.abs().le(12.0);
    QVERIFY(inside.any().item<bool>() && (~inside).any().item<bool>());
    auto expectedLatentGrad = torch::where(inside, upstream, torch::zeros_like(upstream));
    QVERIFY(maxAbsDifference(latent.grad(), expectedLatentGrad) < 1e-6);
    auto rounded = w->integerCodes().to(torch::kFloat);
    auto perElement = torch::where(inside, rounded - v, v.sign() * 12.0) / 15.0;
    const double lsqFactor = 1.0 / std::sqrt(64.0 * 3.0);  // n = 64 weights, 3 positive levels (4, 8, 12)
    QVERIFY(std::abs(lsqFactor * (upstream * perElement).sum().item<double>() - w->scale.grad().item<double>()) < 1e-5);
}

void TestBitLattice::layerLatticeTrainingMovesOnlyTheLatent()
{
    BitLinear layer(BitLinearOptions{12, 5, true, 8});
    layer->bits()->setKeptBits(keptSet(8, {6, 7}), 2.0);
    layer->bits()->setBeta(200.0);
    layer->bits()->drawTicket();
    auto before = layer->bits()->forward().detach();
    layer->trainOnLattice(before);
    QVERIFY(maxAbsDifference(layer->weight, before) < 1e-7);  // the latent starts where it was told
    QVERIFY(layer->weight.requires_grad());
    QVERIFY(!layer->bits()->P.requires_grad() && !layer->bits()->Q.requires_grad());
    auto out = layer->forward(torch::randn({3, 12}));
    out.sum().backward();
    QVERIFY(layer->weight.grad().defined());
    QVERIFY(!layer->bits()->P.grad().defined());
}

// A layer that kept only its LSB holds codes -1, 0, 1: at the float scale max|w| its weights would be
// max|w|/255, near zero. The fitted scale makes it a proper ternary layer.
void TestBitLattice::fittedScaleMakesAnyKeptBitUseful()
{
    BitLinear layer(BitLinearOptions{256, 64, false, 8});
    auto w = torch::randn({64, 256});
    layer->initFromFloat(w);
    layer->bits()->setKeptBits(keptSet(8, {0}), 2.0);
    layer->bits()->setBeta(1e4);
    layer->bits()->drawTicket();
    auto relativeError = [&] {
        layer->bits()->setExact(true);
        auto e = ((layer->bits()->forward() - w).norm() / w.norm()).item<double>();
        layer->bits()->setExact(false);
        return e;
    };
    QVERIFY(relativeError() > 0.95);
    layer->trainOnLattice(w);
    const double fitted = relativeError();
    QVERIFY2(fitted < 0.6, qPrintable(QString::number(fitted)));  // optimal ternary of a Gaussian: ~0.44
    QCOMPARE(asSet(layer->bits()->integerCodes()), (std::set<int64_t>{-1, 0, 1}));
}

QTEST_GUILESS_MAIN(TestBitLattice)
#include "tst_bit_lattice.moc"
