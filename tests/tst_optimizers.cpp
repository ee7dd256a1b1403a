// OptimizerSet: every bit layer's scale is registered, and a step changes a scale by at most 10 % of
// its value. On a loss as steep along the scale as a large layer's, plain SGD carries the scale past
// zero (what made the search diverge) while the bounded step keeps it positive and settles; on a
// gentle loss the bound never binds and the trajectory is plain SGD's, bit for bit.
#include <cmath>

#include <torch/torch.h>

#include <QtTest>

#include "quant/bit_layer.h"
#include "quant/scheme_readout.h"
#include "train/optimizers.h"

using csq::train::OptimizerSet;

namespace {

// n weights s * u_i fitted to 0.3 * u_i, summed as a scale's gradient sums over its layer: the loss's
// curvature along s grows with n.
torch::Tensor layerLoss(const torch::Tensor& s, int64_t n)
{
    auto u = torch::linspace(-1.0, 1.0, n, s.scalar_type());
    return (s * u - 0.3 * u).square().sum();
}

OptimizerSet sgdOn(const torch::Tensor& s, bool bounded)
{
    OptimizerSet set;
    set.optimizers.push_back(std::make_unique<torch::optim::SGD>(
        std::vector<torch::Tensor>{s}, torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true)));
    if (bounded) set.scales.push_back(s);
    return set;
}

struct OneLayer : torch::nn::Module {
    OneLayer() { register_module("fc", csq::quant::BitLinear(csq::quant::BitLinearOptions{6, 3, true, 4})); }
};

}  // namespace

class TestOptimizers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void scalesAreRegistered();
    void boundedStepKeepsASteepScalePositive_data();
    void boundedStepKeepsASteepScalePositive();
    void gentleStepsAreUnchanged();
};

void TestOptimizers::scalesAreRegistered()
{
    OneLayer model;
    const auto layers = csq::quant::findBitLayers(model);
    const auto set = csq::train::buildOptimizers(model, layers, csq::TrainingConfig{});
    QCOMPARE(set.scales.size(), size_t{1});
    QVERIFY(set.scales[0].is_same(layers[0].layer->bits()->scale));
}

// float scales on the CPU are bounded by scalar arithmetic, any other by tensor operations.
void TestOptimizers::boundedStepKeepsASteepScalePositive_data()
{
    QTest::addColumn<bool>("isFloat");
    QTest::newRow("double: tensor operations") << false;
    QTest::newRow("float on the CPU: scalars") << true;
}

void TestOptimizers::boundedStepKeepsASteepScalePositive()
{
    QFETCH(bool, isFloat);
    const auto dtype = isFloat ? torch::kFloat : torch::kDouble;
    const double tol = isFloat ? 1e-6 : 1e-12;
    constexpr int64_t n = 20000;
    auto plain = torch::full({}, 0.5, dtype).requires_grad_();
    auto plainSet = sgdOn(plain, false);
    bool crossedZero = false;
    for (int step = 0; step < 20 && !crossedZero; ++step) {
        plainSet.zeroGrad();
        layerLoss(plain, n).backward();
        plainSet.step();
        crossedZero = !(plain.item<double>() > 0);
    }
    QVERIFY2(crossedZero, "the loss is not steep enough to show what the bound prevents");

    auto s = torch::full({}, 0.5, dtype).requires_grad_();
    auto set = sgdOn(s, true);
    for (int step = 0; step < 300; ++step) {
        const double before = s.item<double>();
        set.zeroGrad();
        layerLoss(s, n).backward();
        set.step();
        const double after = s.item<double>();
        QVERIFY2(after > 0 && std::isfinite(after), qPrintable(QStringLiteral("step %1: s = %2").arg(step).arg(after)));
        QVERIFY(after <= before * (1 + OptimizerSet::kMaxScaleStep) * (1 + tol));
        QVERIFY(after >= before / (1 + OptimizerSet::kMaxScaleStep) * (1 - tol));
    }
    // Bounded, the oscillation stays within one step's reach of the optimum 0.3.
    QVERIFY2(std::abs(s.item<double>() / 0.3 - 1) <= OptimizerSet::kMaxScaleStep + 1e-6,
             qPrintable(QString::number(s.item<double>())));
}

void TestOptimizers::gentleStepsAreUnchanged()
{
    auto a = torch::full({}, 0.5, torch::kDouble).requires_grad_();
    auto b = torch::full({}, 0.5, torch::kDouble).requires_grad_();
    auto plain = sgdOn(a, false), bounded = sgdOn(b, true);
    for (int step = 0; step < 50; ++step) {
        for (auto* pair : {&a, &b}) {
            auto& set = pair == &a ? plain : bounded;
            set.zeroGrad();
            (0.01 * layerLoss(*pair, 10)).backward();  // steps of about 0.2 %
            set.step();
        }
        QCOMPARE(b.item<double>(), a.item<double>());
    }
}

QTEST_GUILESS_MAIN(TestOptimizers)
#include "tst_optimizers.moc"
