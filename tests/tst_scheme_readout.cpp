// Scheme readout and the budget term: k_l, both precision measures, and the direction in which the
// budget-aware loss moves the mask gates.
#include <torch/torch.h>

#include <QtTest>

#include "quant/scheme_readout.h"

using namespace csq;
using namespace csq::quant;

namespace {

// A model of hand-built layers: linear layers in -> 1 with the given parameter counts.
struct HandBuiltModel : torch::nn::Module {
    explicit HandBuiltModel(const std::vector<int64_t>& inputs, int maxBits)
    {
        for (size_t i = 0; i < inputs.size(); ++i)
            register_module("fc" + std::to_string(i), BitLinear(BitLinearOptions{inputs[i], 1, false, maxBits}));
    }
};

std::vector<bool> bitsFromMask(const QString& pattern)  // "10110": MSB first, as people write bits
{
    std::vector<bool> kept(static_cast<size_t>(pattern.size()));
    for (qsizetype i = 0; i < pattern.size(); ++i)
        kept[static_cast<size_t>(pattern.size() - 1 - i)] = pattern[i] == QLatin1Char('1');
    return kept;
}

}  // namespace

Q_DECLARE_METATYPE(std::vector<int64_t>)

class TestSchemeReadout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readout_data();
    void readout();
    void budgetWeightsByMode();
    void budgetStepMovesGates_data();
    void budgetStepMovesGates();
    void heldLayerStaysOutOfBudget();
};

void TestSchemeReadout::readout_data()
{
    QTest::addColumn<std::vector<int64_t>>("params");
    QTest::addColumn<QStringList>("masks");
    QTest::addColumn<std::vector<int64_t>>("bits");
    QTest::addColumn<double>("avg");
    QTest::addColumn<double>("weighted");
    // avg = mean k_l; weighted = sum n_l k_l / sum n_l, worked out by hand.
    QTest::newRow("uniform 4") << std::vector<int64_t>{100, 50, 10} << QStringList{"00001111", "11110000", "10101010"}
                               << std::vector<int64_t>{4, 4, 4} << 4.0 << 4.0;
    QTest::newRow("mixed") << std::vector<int64_t>{100, 50, 10} << QStringList{"00000111", "10000000", "11110000"}
                           << std::vector<int64_t>{3, 1, 4} << 8.0 / 3.0 << (300.0 + 50.0 + 40.0) / 160.0;
    QTest::newRow("one pruned to zero") << std::vector<int64_t>{30, 10} << QStringList{"00000000", "11111111"}
                                        << std::vector<int64_t>{0, 8} << 4.0 << 80.0 / 40.0;
}

void TestSchemeReadout::readout()
{
    QFETCH(std::vector<int64_t>, params);
    QFETCH(QStringList, masks);
    QFETCH(std::vector<int64_t>, bits);
    QFETCH(double, avg);
    QFETCH(double, weighted);
    HandBuiltModel model(params, 8);
    auto layers = findBitLayers(model);
    QCOMPARE(layers.size(), params.size());
    for (size_t i = 0; i < layers.size(); ++i)
        layers[i].layer->bits()->setKeptBits(bitsFromMask(masks[static_cast<qsizetype>(i)]), 1.5);

    auto scheme = readScheme(layers);
    for (size_t i = 0; i < scheme.size(); ++i) {
        QCOMPARE(scheme[i].name, "fc" + std::to_string(i));
        QCOMPARE(scheme[i].params, params[i]);
        QCOMPARE(scheme[i].bits(), bits[i]);
        QCOMPARE(scheme[i].kept, bitsFromMask(masks[static_cast<qsizetype>(i)]));
    }
    auto precision = precisionOf(scheme);
    QCOMPARE(precision.avgBits, avg);
    QCOMPARE(precision.weightedAvgBits, weighted);
    QCOMPARE(precision.measure(BudgetMode::Layer), avg);
    QCOMPARE(precision.measure(BudgetMode::Size), weighted);
}

void TestSchemeReadout::budgetWeightsByMode()
{
    HandBuiltModel model({300, 100}, 4);
    auto layers = findBitLayers(model);
    QCOMPARE(budgetWeights(layers, BudgetMode::Layer), (std::vector<double>{1.0, 1.0}));
    QCOMPARE(budgetWeights(layers, BudgetMode::Size), (std::vector<double>{1.5, 0.5}));

    // The term is sum_l w_l sum_b f(m_b): with all masks at logit 0 every gate is 1/2.
    for (auto& l : layers) l.layer->bits()->setKeptBits(std::vector<bool>(4, true), 0.0);
    QCOMPARE(budgetTerm(layers, BudgetMode::Layer).item<double>(), 4.0);
    QCOMPARE(budgetTerm(layers, BudgetMode::Size).item<double>(), 1.5 * 2 + 0.5 * 2);
}

void TestSchemeReadout::budgetStepMovesGates_data()
{
    QTest::addColumn<double>("deltaS");
    QTest::addColumn<QString>("mode");
    for (const QString& mode : {QStringLiteral("layer"), QStringLiteral("size")}) {
        QTest::addRow("over budget, %s", qPrintable(mode)) << 1.0 << mode;
        QTest::addRow("under budget, %s", qPrintable(mode)) << -1.0 << mode;
    }
}

// L = lambda * delta_S * term: delta_S > 0 (too many bits) lowers every gate, delta_S < 0 raises it.
void TestSchemeReadout::budgetStepMovesGates()
{
    QFETCH(double, deltaS);
    QFETCH(QString, mode);
    torch::manual_seed(3);
    HandBuiltModel model({40, 20, 10}, 6);
    auto layers = findBitLayers(model);
    std::vector<torch::Tensor> masks, before;
    for (auto& l : layers) {
        l.layer->bits()->setBeta(2.0);
        torch::NoGradGuard noGrad;
        l.layer->bits()->mask.uniform_(-1.0, 1.0);
        masks.push_back(l.layer->bits()->mask);
        before.push_back(l.layer->bits()->maskGates());
    }
    torch::optim::SGD sgd(masks, torch::optim::SGDOptions(0.5));
    const double lambda = 0.1;
    auto loss = budgetTerm(layers, *budgetModeFromString(mode.toStdString())) * (lambda * deltaS);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
    for (size_t i = 0; i < layers.size(); ++i) {
        auto after = layers[i].layer->bits()->maskGates();
        auto moved = deltaS > 0 ? after.lt(before[i]) : after.gt(before[i]);
        QVERIFY2(moved.all().item<bool>(), qPrintable(QStringLiteral("layer %1").arg(i)));
    }
}

void TestSchemeReadout::heldLayerStaysOutOfBudget()
{
    HandBuiltModel model({30, 10}, 4);
    auto layers = findBitLayers(model);
    layers[0].layer->bits()->holdAtMaxBits(3.0);
    QCOMPARE(budgetWeights(layers, BudgetMode::Size), (std::vector<double>{0.0, 1.0}));
    auto scheme = readScheme(layers);
    QVERIFY(!scheme[0].searchable);
    QCOMPARE(scheme[0].bits(), 4);
    QVERIFY(!layers[0].layer->bits()->mask.requires_grad());
    // The held layer still counts in the model's precision: it is in the model.
    QCOMPARE(precisionOf(scheme).avgBits, (4.0 + scheme[1].bits()) / 2.0);
}

QTEST_GUILESS_MAIN(TestSchemeReadout)
#include "tst_scheme_readout.moc"
