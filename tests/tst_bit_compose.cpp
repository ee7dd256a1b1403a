// The fused bit composition equals the plain one in value and in every gradient, over one and many
// reduction chunks, and gives bit-identical results whatever the thread count.
#include <ATen/Parallel.h>
#include <cmath>
#include <limits>
#include <torch/torch.h>

#include <QtTest>

#include "quant/bit_compose.h"
#include "quant/compose_kernels.h"
#include "tensor_checks.h"

using namespace csq::quant;
using csq::test::maxAbsDifference;

namespace {

struct Inputs {
    torch::Tensor P, Q, mask, scale;
};

Inputs makeInputs(std::vector<int64_t> shape, int bits, torch::ScalarType dtype)
{
    shape.insert(shape.begin(), bits);
    auto opts = torch::TensorOptions().dtype(dtype);
    return {(torch::randn(shape, opts) * 0.5).requires_grad_(), (torch::randn(shape, opts) * 0.5).requires_grad_(),
            torch::randn({bits}, opts).requires_grad_(), torch::tensor(0.7, opts).requires_grad_()};
}

struct Result {
    torch::Tensor value, gP, gQ, gMask, gScale;
};

Result run(const Inputs& in, double beta, bool fused)
{
    for (auto t : {in.P, in.Q, in.mask, in.scale}) t.mutable_grad().reset();
    const int bits = static_cast<int>(in.P.size(0));
    auto coeff = torch::pow(2.0, torch::arange(bits, in.P.options().requires_grad(false))) / (std::pow(2.0, bits) - 1) *
                 torch::sigmoid(in.mask * beta);
    auto w =
        fused ? composeBits(in.P, in.Q, coeff, in.scale, beta) : composeBitsPlain(in.P, in.Q, coeff, in.scale, beta);
    auto upstream = torch::linspace(-1.0, 1.0, w.numel(), w.options().requires_grad(false)).view(w.sizes());
    (w * upstream).sum().backward();
    return {w.detach(), in.P.grad().clone(), in.Q.grad().clone(), in.mask.grad().clone(), in.scale.grad().clone()};
}

}  // namespace

class TestBitCompose : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(3); }
    void fusedEqualsPlain_data();
    void fusedEqualsPlain();
    void sameResultForAnyThreadCount();
    void floatGatesMatchTheSigmoid();
};

void TestBitCompose::fusedEqualsPlain_data()
{
    QTest::addColumn<QList<qint64>>("shape");
    QTest::addColumn<int>("bits");
    QTest::addColumn<double>("beta");
    QTest::addColumn<bool>("isDouble");
    QTest::newRow("linear 10x24, 8 bits, double") << QList<qint64>{10, 24} << 8 << 4.0 << true;
    QTest::newRow("conv 16x8x3x3, 4 bits, float") << QList<qint64>{16, 8, 3, 3} << 4 << 30.0 << false;
    QTest::newRow("many chunks 120x400, 8 bits, float") << QList<qint64>{120, 400} << 8 << 20.0 << false;
    QTest::newRow("one bit, double") << QList<qint64>{7, 5} << 1 << 1.0 << true;
}

void TestBitCompose::fusedEqualsPlain()
{
    QFETCH(QList<qint64>, shape);
    QFETCH(int, bits);
    QFETCH(double, beta);
    QFETCH(bool, isDouble);
    const auto in =
        makeInputs(std::vector<int64_t>(shape.begin(), shape.end()), bits, isDouble ? torch::kDouble : torch::kFloat);
    const auto plain = run(in, beta, false), fused = run(in, beta, true);
    const double tol = isDouble ? 1e-12 : 2e-5;
    // Relative to each quantity's size: the scale and mask gradients sum thousands of terms.
    auto close = [&](const torch::Tensor& a, const torch::Tensor& b) {
        return maxAbsDifference(a, b) <= tol * std::max(1.0, b.abs().max().item<double>());
    };
    QVERIFY(close(fused.value, plain.value));
    QVERIFY(close(fused.gP, plain.gP));
    QVERIFY(close(fused.gQ, plain.gQ));
    QVERIFY(close(fused.gMask, plain.gMask));
    QVERIFY(close(fused.gScale, plain.gScale));
    QVERIFY(plain.gMask.abs().sum().item<double>() > 0);  // the comparison is not of zeros
}

void TestBitCompose::sameResultForAnyThreadCount()
{
    const auto in = makeInputs({200, 300}, 8, torch::kFloat);
    const int before = at::get_num_threads();
    at::set_num_threads(1);
    const auto one = run(in, 50.0, true);
    at::set_num_threads(2);
    const auto two = run(in, 50.0, true);
    at::set_num_threads(before);
    QVERIFY(one.value.equal(two.value));
    QVERIFY(one.gP.equal(two.gP));
    QVERIFY(one.gMask.equal(two.gMask));
    QVERIFY(one.gScale.equal(two.gScale));
}

// The float kernel computes σ by its own vectorised exponential: within a few ulp of σ in double
// everywhere it is a normal float, 0 and 1 at the ends, and NaN in gives NaN out.
void TestBitCompose::floatGatesMatchTheSigmoid()
{
    const int64_t n = 400001;
    auto t = torch::linspace(-100.0, 100.0, n, torch::kFloat).contiguous();
    t[7] = std::numeric_limits<float>::quiet_NaN();
    auto q = torch::zeros_like(t), sP = torch::empty_like(t), sQ = torch::empty_like(t), u = torch::empty_like(t);
    const float coeff = 1.0f;
    csq::quant::kernels::composeForward(t.data_ptr<float>(), q.data_ptr<float>(), &coeff, 1, n, 0, n, 1.0f,
                                        sP.data_ptr<float>(), sQ.data_ptr<float>(), u.data_ptr<float>());
    QVERIFY(std::isnan(sP[7].item<float>()));
    QCOMPARE(sQ[0].item<float>(), 0.5f);  // σ(0)
    auto exact = torch::sigmoid(t.to(torch::kDouble));
    auto normal = exact.ge(1e-37).logical_and(t.isnan().logical_not());
    auto relative = ((sP.to(torch::kDouble) - exact).abs() / exact).masked_select(normal);
    QVERIFY2(relative.max().item<double>() < 4e-7, qPrintable(QString::number(relative.max().item<double>())));
    QCOMPARE(sP[n - 1].item<float>(), 1.0f);
    QVERIFY(sP[0].item<float>() >= 0.0f && sP[0].item<float>() < 1e-37f);
    QVERIFY(u.sub(sP.sub(0.5)).abs().masked_select(normal).max().item<double>() == 0.0);  // u = σ(t) − σ(0)
}

QTEST_GUILESS_MAIN(TestBitCompose)
#include "tst_bit_compose.moc"
