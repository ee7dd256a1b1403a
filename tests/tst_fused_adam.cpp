// FusedAdam follows torch::optim::Adam step for step (with and without weight decay, on a float and a
// double parameter), and its state is torch's: saved from one, loaded into the other, the runs agree.
#include <sstream>

#include <torch/torch.h>

#include <QtTest>

#include "tensor_checks.h"
#include "train/fused_adam.h"

using csq::test::maxAbsDifference;
using csq::train::FusedAdam;

namespace {

// Gradient of a fixed quadratic, so both optimizers see the same gradients for the same weights.
void setGradient(torch::Tensor& p, const torch::Tensor& target)
{
    p.mutable_grad() = (p.detach() - target) * 2.0 + 0.01;
}

}  // namespace

class TestFusedAdam : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void followsTorchAdam_data();
    void followsTorchAdam();
    void stateIsTorchAdamState();
};

void TestFusedAdam::followsTorchAdam_data()
{
    QTest::addColumn<double>("decay");
    QTest::addColumn<bool>("isDouble");
    QTest::newRow("float") << 0.0 << false;
    QTest::newRow("float, weight decay") << 0.01 << false;
    QTest::newRow("double (torch's path)") << 0.01 << true;
}

void TestFusedAdam::followsTorchAdam()
{
    QFETCH(double, decay);
    QFETCH(bool, isDouble);
    torch::manual_seed(5);
    const auto dtype = isDouble ? torch::kDouble : torch::kFloat;
    auto start = torch::randn({70000}, dtype), target = torch::randn({70000}, dtype);  // several parallel chunks
    auto a = start.clone().requires_grad_(), b = start.clone().requires_grad_();
    const auto options = torch::optim::AdamOptions(0.01).weight_decay(decay);
    torch::optim::Adam reference({a}, options);
    FusedAdam fused({b}, options);
    for (int step = 0; step < 6; ++step) {
        setGradient(a, target);
        setGradient(b, target);
        reference.step();
        fused.step();
    }
    QVERIFY(maxAbsDifference(a, start) > 0.01);  // the runs moved
    // A few float ulps of weights up to ~5: the update order differs, not the update.
    QVERIFY2(maxAbsDifference(a, b) < 1e-5, qPrintable(QString::number(maxAbsDifference(a, b))));
}

void TestFusedAdam::stateIsTorchAdamState()
{
    torch::manual_seed(6);
    auto start = torch::randn({1000}), target = torch::randn({1000});
    auto a = start.clone().requires_grad_(), b = start.clone().requires_grad_();
    FusedAdam fused({a}, torch::optim::AdamOptions(0.02));
    for (int step = 0; step < 3; ++step) {
        setGradient(a, target);
        fused.step();
    }
    std::stringstream buffer;
    {
        torch::serialize::OutputArchive out;
        fused.save(out);
        out.save_to(buffer);
    }
    {
        torch::NoGradGuard noGrad;
        b.copy_(a);
    }
    torch::optim::Adam reference({b}, torch::optim::AdamOptions(0.02));
    torch::serialize::InputArchive in;
    in.load_from(buffer);
    reference.load(in);
    for (int step = 0; step < 3; ++step) {
        setGradient(a, target);
        setGradient(b, target);
        fused.step();
        reference.step();
    }
    // A few float ulps of weights up to ~5: the update order differs, not the update.
    QVERIFY2(maxAbsDifference(a, b) < 1e-5, qPrintable(QString::number(maxAbsDifference(a, b))));
}

QTEST_GUILESS_MAIN(TestFusedAdam)
#include "tst_fused_adam.moc"
