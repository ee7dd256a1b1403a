// Scheme readout and the budget term: k_l, both precision measures, and the direction in which the
// budget-aware loss moves the mask gates.
#include <cmath>

#include <torch/torch.h>

#include <QtTest>

#include "csq/enum_names.h"
#include "csq/errors.h"
#include "csq/scheme.h"
#include "io/run_files.h"
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
    void budgetPowerPricesBitRichLayers();
    void keptBitsBecomeContiguous_data();
    void keptBitsBecomeContiguous();
    void heldLayerStaysOutOfBudget();
    void batchedTermsFollowEachLayer();
    void ticketMeetsBudget_data();
    void ticketMeetsBudget();
    void ticketKeepsAFallbackBit();
    void minimumBitsHold();
    void schemeFilesReadBack_data();
    void schemeFilesReadBack();
};

void TestSchemeReadout::schemeFilesReadBack_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");  // what the message must say; "" when the text reads
    QTest::newRow("not JSON") << "[1, 2"
                              << "cannot be parsed";
    QTest::newRow("no layers") << R"({"layer": []})"
                               << "\"layers\" array";
    QTest::newRow("nameless second layer") << R"({"layers": [{"name": "a", "kept": [1]}, {"kept": [1]}]})"
                                           << "layer 1 has no name";
    QTest::newRow("kept not a number") << R"({"layers": [{"name": "a", "kept": [1, "x"]}]})"
                                       << "layer 0 (a) has a kept";
    QTest::newRow("negative max_bits") << R"({"layers": [{"name": "a", "kept": [1], "max_bits": -3}]})"
                                       << "out of range";
    QTest::newRow("params text") << R"({"layers": [{"name": "a", "kept": [1], "params": "9"}]})"
                                 << "params";
    QTest::newRow("defaults") << R"({"layers": [{"name": "a", "kept": [1, 0, 1]}]})"
                              << "";
}

// scheme.json as the engine writes it reads back as it was; anything else is an error naming the file
// and the layer (the GUI's comparison window and run follower read runs through this one reader).
void TestSchemeReadout::schemeFilesReadBack()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString message;
    std::vector<LayerScheme> layers;
    try {
        layers = schemeLayersFromJson(text.toStdString(), "runs/x/scheme.json");
    } catch (const csq::Error& e) {
        message = QString::fromStdString(e.what());
    }
    if (!error.isEmpty()) {
        QVERIFY2(message.contains(error) && message.contains(QStringLiteral("runs/x/scheme.json")),
                 qPrintable(message));
        return;
    }
    QVERIFY2(message.isEmpty(), qPrintable(message));
    QCOMPARE(layers.size(), size_t{1});
    QCOMPARE(layers[0].maxBits, 3);
    QVERIFY(layers[0].searchable);
    QCOMPARE(layers[0].bits(), 2);
    std::vector<LayerScheme> written{{"features.0", 150, 4, {true, false, true, true}, true},
                                     {"classifier.5", 840, 4, {false, false, false, true}, false}};
    const auto back =
        schemeLayersFromJson(io::schemeJson(written, precisionOf(written), BudgetMode::Size, 2), "scheme.json");
    QCOMPARE(back.size(), written.size());
    for (size_t i = 0; i < back.size(); ++i) {
        QCOMPARE(back[i].name, written[i].name);
        QCOMPARE(back[i].params, written[i].params);
        QCOMPARE(back[i].maxBits, written[i].maxBits);
        QCOMPARE(back[i].kept, written[i].kept);
        QCOMPARE(back[i].searchable, written[i].searchable);
    }
}

void TestSchemeReadout::readout_data()
{
    QTest::addColumn<std::vector<int64_t>>("params");
    QTest::addColumn<QStringList>("masks");
    QTest::addColumn<QStringList>("kept");
    QTest::addColumn<std::vector<int64_t>>("bits");
    QTest::addColumn<double>("avg");
    QTest::addColumn<double>("weighted");
    QTest::addColumn<double>("macWeighted");
    // avg = mean k_l; weighted = sum n_l k_l / sum n_l; macWeighted = sum macs_l k_l / sum macs_l with
    // the MACs set to the sizes in reverse order, worked out by hand.
    const QStringList uniform{"00001111", "11110000", "10101010"}, mixed{"00000111", "10000000", "11110000"};
    QTest::newRow("uniform 4") << std::vector<int64_t>{100, 50, 10} << uniform << uniform
                               << std::vector<int64_t>{4, 4, 4} << 4.0 << 4.0 << 4.0;
    QTest::newRow("mixed") << std::vector<int64_t>{100, 50, 10} << mixed << mixed << std::vector<int64_t>{3, 1, 4}
                           << 8.0 / 3.0 << (300.0 + 50.0 + 40.0) / 160.0 << (30.0 + 50.0 + 400.0) / 160.0;
    // Every mask logit below zero: the layer still keeps its most likely bit (here all tie: bit 0).
    QTest::newRow("all dropped keeps one")
        << std::vector<int64_t>{30, 10} << QStringList{"00000000", "11111111"} << QStringList{"00000001", "11111111"}
        << std::vector<int64_t>{1, 8} << 4.5 << (30.0 + 80.0) / 40.0 << (10.0 + 240.0) / 40.0;
}

void TestSchemeReadout::readout()
{
    QFETCH(std::vector<int64_t>, params);
    QFETCH(QStringList, masks);
    QFETCH(QStringList, kept);
    QFETCH(std::vector<int64_t>, bits);
    QFETCH(double, avg);
    QFETCH(double, weighted);
    QFETCH(double, macWeighted);
    HandBuiltModel model(params, 8);
    auto layers = findBitLayers(model);
    QCOMPARE(layers.size(), params.size());
    for (size_t i = 0; i < layers.size(); ++i) {
        layers[i].layer->bits()->setKeptBits(bitsFromMask(masks[static_cast<qsizetype>(i)]), 1.5);
        layers[i].layer->setMacs(params[params.size() - 1 - i]);
    }

    auto scheme = readScheme(layers);
    for (size_t i = 0; i < scheme.size(); ++i) {
        QCOMPARE(scheme[i].name, "fc" + std::to_string(i));
        QCOMPARE(scheme[i].params, params[i]);
        QCOMPARE(scheme[i].bits(), bits[i]);
        QCOMPARE(scheme[i].kept, bitsFromMask(kept[static_cast<qsizetype>(i)]));
    }
    auto precision = precisionOf(scheme);
    QCOMPARE(precision.avgBits, avg);
    QCOMPARE(precision.weightedAvgBits, weighted);
    QCOMPARE(precision.measure(BudgetMode::Layer), avg);
    QCOMPARE(precision.measure(BudgetMode::Size), weighted);
    QCOMPARE(precision.measure(BudgetMode::BitOps), macWeighted);
    QCOMPARE(precisionTensor(layers, BudgetMode::BitOps).item<double>(), macWeighted);
}

void TestSchemeReadout::budgetWeightsByMode()
{
    HandBuiltModel model({300, 100}, 4);
    auto layers = findBitLayers(model);
    QCOMPARE(budgetWeights(layers, BudgetMode::Layer), (std::vector<double>{1.0, 1.0}));
    QCOMPARE(budgetWeights(layers, BudgetMode::Size), (std::vector<double>{1.5, 0.5}));
    // size_price: 0 prices every layer alike, 0.5 by the square root of its size; the mean stays 1.
    QCOMPARE(budgetWeights(layers, BudgetMode::Size, 0.0), (std::vector<double>{1.0, 1.0}));
    const auto root = budgetWeights(layers, BudgetMode::Size, 0.5);
    QVERIFY(std::abs(root[0] / root[1] - std::sqrt(3.0)) < 1e-12);
    QVERIFY(std::abs(root[0] + root[1] - 2.0) < 1e-12);

    // bitops weighs by MACs per image, whatever the layer's size; it needs them measured.
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, budgetWeights(layers, BudgetMode::BitOps));
    layers[0].layer->setMacs(1000);
    layers[1].layer->setMacs(3000);
    QCOMPARE(budgetWeights(layers, BudgetMode::BitOps), (std::vector<double>{0.5, 1.5}));

    // The term is sum_l w_l sum_b f(m_b): with all masks at logit 0 every gate is 1/2.
    for (auto& l : layers) l.layer->bits()->setKeptBits(std::vector<bool>(4, true), 0.0);
    QCOMPARE(budgetTerm(layers, BudgetMode::Layer).item<double>(), 4.0);
    QCOMPARE(budgetTerm(layers, BudgetMode::Size).item<double>(), 1.5 * 2 + 0.5 * 2);
    QCOMPARE(budgetTerm(layers, BudgetMode::BitOps).item<double>(), 0.5 * 2 + 1.5 * 2);
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
    auto loss = budgetTerm(layers, *fromString<BudgetMode>(mode.toStdString())) * (lambda * deltaS);
    sgd.zero_grad();
    loss.backward();
    sgd.step();
    for (size_t i = 0; i < layers.size(); ++i) {
        auto after = layers[i].layer->bits()->maskGates();
        auto moved = deltaS > 0 ? after.lt(before[i]) : after.gt(before[i]);
        QVERIFY2(moved.all().item<bool>(), qPrintable(QStringLiteral("layer %1").arg(i)));
    }
}

// budget_power: power 1 is the paper's term; above 1 a layer's gates are pushed in proportion to
// (its soft bits / target)^(p-1) while pruning and to its inverse while growing.
void TestSchemeReadout::budgetPowerPricesBitRichLayers()
{
    HandBuiltModel model({30, 30}, 6);
    auto layers = findBitLayers(model);
    std::vector<torch::Tensor> masks;
    for (auto& l : layers) l.layer->bits()->setBeta(2.0);
    layers[0].layer->bits()->setKeptBits({true, true, true, true, false, false}, 3.0);     // ~4 soft bits
    layers[1].layer->bits()->setKeptBits({true, false, false, false, false, false}, 3.0);  // ~1
    for (auto& l : layers) masks.push_back(l.layer->bits()->mask);
    const double lambda = 0.1, target = 2.0;
    auto gradients = [&](double deltaS, double power) {
        for (auto& m : masks) m.mutable_grad() = torch::Tensor();
        budgetLoss(layers, BudgetMode::Size, lambda, torch::tensor(deltaS, torch::kDouble), target, {power}).backward();
        // The push on a kept bit (bit 0, kept in both layers), per unit of the layers' equal weights.
        return std::pair{masks[0].grad()[0].item<double>(), masks[1].grad()[0].item<double>()};
    };
    auto bitsOf = [&](size_t i) { return layers[i].layer->bits()->maskGateSum().item<double>(); };

    for (auto& m : masks) m.mutable_grad() = torch::Tensor();
    (budgetTerm(layers, BudgetMode::Size) * (lambda * 1.0)).backward();
    const double paper = masks[0].grad()[0].item<double>();
    const auto [rich1, poor1] = gradients(1.0, 1.0);
    QCOMPARE(rich1, paper);
    QCOMPARE(poor1, paper);  // same weight, same gate: the paper prices every bit alike

    const auto [rich2, poor2] = gradients(1.0, 2.0);  // pruning: the bit-rich layer pays more
    QVERIFY(rich2 > 0 && poor2 > 0);
    QVERIFY(qAbs(rich2 / poor2 - bitsOf(0) / bitsOf(1)) < 1e-5);
    QVERIFY(qAbs(rich2 / paper - bitsOf(0) / target) < 1e-5);
    const auto [rich3, poor3] = gradients(-1.0, 2.0);  // growing: the bit-poor layer gains more
    QVERIFY(rich3 < 0 && poor3 < 0);
    QVERIFY(qAbs(poor3 / rich3 - bitsOf(0) / bitsOf(1)) < 1e-5);
}

// The budget term and the precision measure take every layer's gates in one tensor: they equal the
// per-layer formulas with layers of different max bits and temperatures, a drawn ticket (its kept
// bits a constant), a held layer (outside the term) and a layer whose every logit is below zero.
void TestSchemeReadout::batchedTermsFollowEachLayer()
{
    struct Mixed : torch::nn::Module {
        Mixed()
        {
            const std::vector<std::pair<int64_t, int>> shapes{{40, 4}, {20, 6}, {10, 8}, {30, 5}, {25, 3}};
            for (size_t i = 0; i < shapes.size(); ++i)
                register_module("fc" + std::to_string(i),
                                BitLinear(BitLinearOptions{shapes[i].first, 1, false, shapes[i].second}));
        }
    } model;
    auto layers = findBitLayers(model);
    torch::manual_seed(5);
    for (size_t i = 0; i < layers.size(); ++i) {
        auto& bits = layers[i].layer->bits();
        layers[i].layer->setMacs(100 * static_cast<int64_t>(7 - i));
        bits->setBeta(1.0 + static_cast<double>(i));
        torch::NoGradGuard noGrad;
        bits->mask.uniform_(-1.0, 1.0);
    }
    {
        torch::NoGradGuard noGrad;
        layers[4].layer->bits()->mask.fill_(-0.5);  // keeps its best bit
    }
    layers[1].layer->bits()->drawTicket();
    layers[3].layer->bits()->holdAtBits(2, 2.0);
    for (const auto mode : {BudgetMode::Layer, BudgetMode::Size, BudgetMode::BitOps}) {
        const double measure = precisionOf(readScheme(layers)).measure(mode);
        QVERIFY(qAbs(precisionTensor(layers, mode).item<double>() - measure) < 1e-6 * measure);  // float sums
        for (const bool priced : {false, true}) {
            const auto exponent = priced ? torch::tensor(0.7) : torch::Tensor();
            auto gradsOf = [&](const torch::Tensor& term) {
                for (auto& l : layers) l.layer->bits()->mask.mutable_grad() = torch::Tensor();
                term.backward();
                std::vector<torch::Tensor> out;
                for (auto& l : layers) {
                    const auto& g = l.layer->bits()->mask.grad();
                    out.push_back(g.defined() ? g.clone() : torch::zeros_like(l.layer->bits()->mask));
                }
                return out;
            };
            const auto batched = budgetTerm(layers, mode, exponent, 2.5);
            const double batchedValue = batched.item<double>();
            const auto batchedGrads = gradsOf(batched);
            const auto weights = budgetWeights(layers, mode, 1.0);
            torch::Tensor reference = torch::zeros({});
            for (size_t i = 0; i < layers.size(); ++i) {
                if (weights[i] == 0.0) continue;
                auto sum = layers[i].layer->bits()->maskGateSum();
                auto price = priced ? (sum.detach() / 2.5).clamp_min(1e-3).pow(exponent) : torch::ones({});
                reference = reference + sum * price * weights[i];
            }
            QVERIFY(qAbs(batchedValue - reference.item<double>()) < 1e-5);
            const auto referenceGrads = gradsOf(reference);
            for (size_t i = 0; i < layers.size(); ++i)
                QVERIFY2(batchedGrads[i].sub(referenceGrads[i]).abs().max().item<double>() < 1e-6,
                         qPrintable(QStringLiteral("layer %1").arg(i)));
            QVERIFY(batchedGrads[0].abs().sum().item<double>() > 0);    // a searched layer moves
            QCOMPARE(batchedGrads[1].abs().sum().item<double>(), 0.0);  // the ticket's does not
        }
    }
}

void TestSchemeReadout::keptBitsBecomeContiguous_data()
{
    QTest::addColumn<QString>("before");  // MSB first, as bitsFromMask reads it
    QTest::addColumn<QString>("after");
    QTest::newRow("a gap below the top") << "10100000"
                                         << "11000000";
    QTest::newRow("gaps low down") << "00111011"
                                   << "00111110";
    QTest::newRow("two low bits below a gap") << "00010011"
                                              << "00011100";
    QTest::newRow("already contiguous") << "00111000"
                                        << "00111000";
    QTest::newRow("one bit") << "00000100"
                             << "00000100";
}

// contiguous_bits: as many kept bits, one run ending at the top kept bit, so the codes are evenly spaced.
void TestSchemeReadout::keptBitsBecomeContiguous()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    HandBuiltModel model({16}, 8);
    auto layers = findBitLayers(model);
    layers[0].layer->bits()->setKeptBits(bitsFromMask(before), 2.0);
    const int changed = makeKeptBitsContiguous(layers);
    QCOMPARE(layers[0].layer->bits()->keptBits(), bitsFromMask(after));
    int differ = 0;
    for (qsizetype i = 0; i < before.size(); ++i) differ += before[i] != after[i];
    QCOMPARE(changed, differ);
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

void TestSchemeReadout::ticketMeetsBudget_data()
{
    QTest::addColumn<double>("target");
    QTest::addColumn<double>("expected");  // the largest reachable layer-average <= target (steps of 1/3)
    QTest::newRow("exact") << 2.0 << 2.0;
    QTest::newRow("between steps") << 1.5 << 4.0 / 3.0;
    QTest::newRow("grow back") << 3.0 << 3.0;
    QTest::newRow("floor of one bit") << 0.5 << 1.0;
}

// From a scheme near the target, the marginal bits are chosen by mask logit so the measure lands on
// the largest reachable value not above the target; dropped bits have the lowest logits.
void TestSchemeReadout::ticketMeetsBudget()
{
    QFETCH(double, target);
    QFETCH(double, expected);
    HandBuiltModel model({20, 20, 20}, 4);
    auto layers = findBitLayers(model);
    // Logits: layer i, bit b -> distinct values; negative ones start dropped (2 kept per layer).
    for (size_t i = 0; i < layers.size(); ++i) {
        torch::NoGradGuard noGrad;
        for (int b = 0; b < 4; ++b)
            layers[i].layer->bits()->mask[b].fill_(0.1 * (b - 1.5) + 0.01 * static_cast<double>(i));
    }
    meetBudget(layers, BudgetMode::Layer, target);
    const auto scheme = readScheme(layers);
    QVERIFY(std::abs(precisionOf(scheme).avgBits - expected) < 1e-5);
    for (const auto& l : scheme) QVERIFY(l.bits() >= 1);
    // Kept bits are the highest logits of their layer: bit b kept implies every higher bit kept here.
    for (const auto& l : scheme)
        for (int b = 1; b < 4; ++b) QVERIFY(!l.kept[static_cast<size_t>(b - 1)] || l.kept[static_cast<size_t>(b)]);
}

// A layer whose mask logits are all below zero keeps its highest-logit bit (the fallback). When the
// budget leaves room for no second bit there, the restore pass must not swap that bit for another.
void TestSchemeReadout::ticketKeepsAFallbackBit()
{
    HandBuiltModel model({20, 20}, 4);
    auto layers = findBitLayers(model);
    {
        torch::NoGradGuard noGrad;
        layers[0].layer->bits()->mask.copy_(torch::tensor({-2.0, -1.5, -1.0, -0.5}));  // fallback: bit 3
        layers[1].layer->bits()->mask.fill_(1.0);                                      // 4 bits
    }
    QCOMPARE(readScheme(layers)[0].kept, bitsFromMask(QStringLiteral("1000")));
    meetBudget(layers, BudgetMode::Layer, 2.0);  // (1 + 3) / 2: layer 1 drops one bit, layer 0 gains none
    const auto scheme = readScheme(layers);
    QCOMPARE(scheme[0].kept, bitsFromMask(QStringLiteral("1000")));
    QCOMPARE(scheme[1].bits(), 3);
    QCOMPARE(precisionOf(scheme).avgBits, 2.0);
}

// A layer at least 3 bits (a MIN.. rule): its mask gates may all close, its readout, the budget's
// measure and the ticket's budget step keep its 3 best bits; the other layer pays.
void TestSchemeReadout::minimumBitsHold()
{
    HandBuiltModel model({20, 20}, 4);
    auto layers = findBitLayers(model);
    layers[0].layer->bits()->setMinBits(3);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, layers[0].layer->bits()->setMinBits(5));
    {
        torch::NoGradGuard noGrad;
        layers[0].layer->bits()->mask.copy_(torch::tensor({-2.0, -0.5, -1.0, -1.5}));  // floor: bits 1, 2, 3
        layers[1].layer->bits()->mask.fill_(1.0);
    }
    QCOMPARE(readScheme(layers)[0].kept, bitsFromMask(QStringLiteral("1110")));
    QCOMPARE(precisionTensor(layers, BudgetMode::Layer).item<double>(), (3.0 + 4.0) / 2);
    meetBudget(layers, BudgetMode::Layer, 2.0);  // (3 + 1) / 2: layer 1 drops to one bit, layer 0 stays
    const auto scheme = readScheme(layers);
    QCOMPARE(scheme[0].bits(), 3);
    QCOMPARE(scheme[1].bits(), 1);
    QVERIFY(layers[0].layer->bits()->mask.detach().ge(0).sum().item<int>() == 3);  // written as kept
    // Equal logits: the floor takes the lower bits first, as the single fallback bit did.
    {
        torch::NoGradGuard noGrad;
        layers[0].layer->bits()->mask.fill_(-1.0);
    }
    QCOMPARE(readScheme(layers)[0].kept, bitsFromMask(QStringLiteral("0111")));
}

QTEST_GUILESS_MAIN(TestSchemeReadout)
#include "tst_scheme_readout.moc"
