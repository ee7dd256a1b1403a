// The ticket by measured loss: the bit allocation is the cheapest within the budget (against brute
// force), never over it; a layer's k-bit weight is the lattice finetune's own start; measuring leaves
// the network as it was and equals whole forward passes, and the ticket it draws meets the budget.
#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include <torch/torch.h>

#include <QtTest>

#include "csq/scheme.h"
#include "data/dataset.h"
#include "models/zoo.h"
#include "quant/bit_allocation.h"
#include "quant/scheme_readout.h"
#include "train/loss_ticket.h"

using namespace csq;
using namespace csq::quant;

namespace {

double costOf(const std::vector<BitChoice>& layers, const std::vector<int>& bits)
{
    double total = 0;
    for (size_t i = 0; i < layers.size(); ++i) total += layers[i].cost[static_cast<size_t>(bits[i] - 1)];
    return total;
}

double sizeOf(const std::vector<BitChoice>& layers, const std::vector<int>& bits)
{
    double total = 0;
    for (size_t i = 0; i < layers.size(); ++i) total += layers[i].size * bits[i];
    return total;
}

// The least cost over every allocation within the budget, by enumeration.
double bruteForceBest(const std::vector<BitChoice>& layers, double budget)
{
    double best = std::numeric_limits<double>::infinity();
    std::vector<int> bits(layers.size(), 1);
    std::function<void(size_t)> visit = [&](size_t i) {
        if (i == layers.size()) {
            if (sizeOf(layers, bits) <= budget + 1e-9) best = std::min(best, costOf(layers, bits));
            return;
        }
        for (int k = 1; k <= static_cast<int>(layers[i].cost.size()); ++k) bits[i] = k, visit(i + 1);
    };
    visit(0);
    return best;
}

// Random layers: costs falling with k by random steps, integer sizes from 1 to 40.
std::vector<BitChoice> randomLayers(std::mt19937& rng, size_t count, int maxCount)
{
    std::uniform_real_distribution<double> step(0.0, 1.0);
    std::uniform_int_distribution<int> size(1, 40), bits(1, maxCount);
    std::vector<BitChoice> layers(count);
    for (auto& l : layers) {
        l.size = size(rng);
        l.cost.resize(static_cast<size_t>(bits(rng)));
        double c = 0;
        for (size_t k = l.cost.size(); k-- > 0;) l.cost[k] = c += step(rng) * step(rng);
    }
    return layers;
}

// A quantized network (the mlp unless named) with fresh weights and random images: small enough to
// measure in a test.
struct SmallNetwork {
    std::shared_ptr<models::Network> net;
    std::vector<NamedBitLayer> layers;
    data::Dataset images;
    std::vector<torch::Tensor> trained;

    explicit SmallNetwork(const std::string& model = "mlp", int64_t count = 96)
        : net(models::buildModel({model, false, 4, 0, {}, {}}, {1, 28, 28, 10})), layers(findBitLayers(*net))
    {
        torch::manual_seed(7);
        for (auto& l : layers) l.layer->initFresh(), l.layer->bits()->setBeta(5.0);
        images.images = torch::randint(0, 256, {count, 1, 28, 28}, torch::kUInt8);
        images.labels = torch::randint(0, 10, {count}, torch::kInt64);
        images.classes = 10;
        torch::NoGradGuard noGrad;
        for (auto& l : layers) trained.push_back(l.layer->bits()->forward().detach().clone());
    }
    torch::Tensor logits()
    {
        net->eval();
        torch::NoGradGuard noGrad;
        return net->forward(data::toFloatBatch(images.images, {}));
    }
};

}  // namespace

class TestBitAllocation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void allocationIsTheCheapestWithinTheBudget();
    void roundedSizesNeverExceedTheBudget();
    void smallBudgetsByHand();
    void latticeWeightIsTheFinetunesStart_data();
    void latticeWeightIsTheFinetunesStart();
    void measuringLeavesTheNetworkAsItWas();
    void measuredLossesAreWholeForwardPasses();
    void ticketByLossMeetsTheBudget();
    void ticketByLossKeepsMinimumBits();
};

void TestBitAllocation::allocationIsTheCheapestWithinTheBudget()
{
    std::mt19937 rng(11);
    for (int trial = 0; trial < 200; ++trial) {
        const auto layers = randomLayers(rng, 1 + trial % 5, 5);
        double minimum = 0, maximum = 0;
        for (const auto& l : layers) minimum += l.size, maximum += l.size * static_cast<double>(l.cost.size());
        const double budget = std::uniform_real_distribution<double>(minimum, maximum + 5)(rng);
        const auto bits = allocateBits(layers, budget);
        QCOMPARE(bits.size(), layers.size());
        for (size_t i = 0; i < bits.size(); ++i)
            QVERIFY(bits[i] >= 1 && bits[i] <= static_cast<int>(layers[i].cost.size()));
        QVERIFY2(sizeOf(layers, bits) <= budget + 1e-9,
                 qPrintable(QStringLiteral("trial %1 over the budget").arg(trial)));
        const double best = bruteForceBest(layers, budget);
        QVERIFY2(
            std::abs(costOf(layers, bits) - best) < 1e-12,
            qPrintable(QStringLiteral("trial %1: cost %2, best %3").arg(trial).arg(costOf(layers, bits)).arg(best)));
    }
}

// Sizes that are not integers (or too many steps) are rounded up onto a grid of steps: the budget
// may be under-used, never exceeded.
void TestBitAllocation::roundedSizesNeverExceedTheBudget()
{
    std::mt19937 rng(5);
    for (int trial = 0; trial < 100; ++trial) {
        auto layers = randomLayers(rng, 4, 6);
        for (auto& l : layers) l.size = l.size * 1234.567 + 0.1;
        double minimum = 0;
        for (const auto& l : layers) minimum += l.size;
        const double budget = minimum * std::uniform_real_distribution<double>(1.0, 5.0)(rng);
        const auto bits = allocateBits(layers, budget);
        QVERIFY2(sizeOf(layers, bits) <= budget * (1 + 1e-12), qPrintable(QStringLiteral("trial %1").arg(trial)));
        QVERIFY(costOf(layers, bits) <= bruteForceBest(layers, budget * (1 - 1e-3)) + 1e-12);
    }
}

void TestBitAllocation::smallBudgetsByHand()
{
    const std::vector<BitChoice> layers{{{3.0, 0.5, 0.0}, 10}, {{2.0, 0.0}, 5}};
    QCOMPARE(allocateBits(layers, 14.0), (std::vector<int>{1, 1}));  // below one bit each
    QCOMPARE(allocateBits(layers, 15.0), (std::vector<int>{1, 1}));
    QCOMPARE(allocateBits(layers, 20.0), (std::vector<int>{1, 2}));  // 2 off the cost for 5 more
    QCOMPARE(allocateBits(layers, 25.0), (std::vector<int>{2, 1}));  // 2.5 off for 10 more beats it...
    QCOMPARE(allocateBits(layers, 30.0), (std::vector<int>{2, 2}));  // ...until both fit
    QCOMPARE(allocateBits(layers, 1e9), (std::vector<int>{3, 2}));
}

void TestBitAllocation::latticeWeightIsTheFinetunesStart_data()
{
    QTest::addColumn<int>("bits");
    for (int k : {1, 2, 3, 6}) QTest::addRow("%d bits", k) << k;
}

void TestBitAllocation::latticeWeightIsTheFinetunesStart()
{
    QFETCH(int, bits);
    torch::manual_seed(3);
    const auto w = torch::randn({12, 20}) * 0.2;
    BitLinear layer(BitLinearOptions{20, 12, false, 8});
    layer->initFromFloat(w);
    std::vector<bool> kept(8, false);
    for (int b = 8 - bits; b < 8; ++b) kept[static_cast<size_t>(b)] = true;
    layer->bits()->setKeptBits(kept, 2.0);
    layer->trainOnLattice(w);  // what the trainer does at the ticket
    torch::NoGradGuard noGrad;
    const auto start = layer->bits()->forward();
    const auto measured = latticeWeight(w, 8, bits);
    QVERIFY(torch::equal(measured, start));
    const auto levels = std::get<0>(at::_unique(measured.flatten())).numel();
    QVERIFY2(levels <= (int64_t{2} << bits) - 1, qPrintable(QStringLiteral("%1 levels").arg(levels)));
    QVERIFY(levels >= 3);  // a real grid, not all zeros
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, latticeWeight(w, 8, 9));
}

void TestBitAllocation::measuringLeavesTheNetworkAsItWas()
{
    SmallNetwork small;
    const auto before = small.logits();
    small.net->train();
    const train::Ranks one;
    const auto costs = train::measureBitCosts({*small.net, small.layers, small.trained, small.images, {}, {}, one}, 4);
    QVERIFY(small.net->is_training());
    for (const auto& l : small.layers) QVERIFY(!l.layer->floatMode());
    QVERIFY(torch::equal(small.logits(), before));

    QCOMPARE(costs.layer.size(), small.layers.size());
    QVERIFY(costs.reference > 0);
    bool anyCost = false;
    for (const auto& row : costs.increase) {
        QCOMPARE(row.size(), size_t{4});
        for (size_t k = 1; k < row.size(); ++k) QVERIFY(row[k - 1] >= row[k]);
        anyCost = anyCost || row.front() > 0;
    }
    QVERIFY2(anyCost, "a ternary layer adds no loss anywhere");
}

void TestBitAllocation::measuredLossesAreWholeForwardPasses()
{
    // resnet20: layers inside residual stages; 80 images in batches of 32, the last one short.
    SmallNetwork small("resnet20", 80);
    const train::Ranks one;
    train::EvalSettings eval;
    eval.batchSize = 32;
    const int counts = 2;
    const auto costs =
        train::measureBitCosts({*small.net, small.layers, small.trained, small.images, {}, eval, one}, counts);
    QVERIFY(costs.layer.size() >= 18);

    // The same losses from the images through the whole network, each layer set by hand: equal to the
    // last bit, since rerunning from a layer's stage changes no operation and no batch.
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < small.layers.size(); ++i) {
        small.layers[i].layer->setFloatMode(true);
        small.layers[i].layer->weight.copy_(small.trained[i]);
    }
    auto meanLoss = [&] { return train::crossEntropySum(*small.net, small.images, {}, eval) / 80.0; };
    const double reference = meanLoss();
    QVERIFY2(costs.reference == reference,
             qPrintable(QStringLiteral("%1 != %2").arg(costs.reference, 0, 'g', 17).arg(reference, 0, 'g', 17)));
    for (size_t r = 0; r < costs.layer.size(); ++r) {
        auto& layer = *small.layers[costs.layer[r]].layer;
        const auto& trained = small.trained[costs.layer[r]];
        double atLeast = -std::numeric_limits<double>::infinity();  // the row is made non-increasing in k
        for (int k = counts; k >= 1; --k) {
            layer.weight.copy_(latticeWeight(trained, layer.bits()->maxBits(), k));
            atLeast = std::max(atLeast, meanLoss() - reference);
            QVERIFY2(costs.increase[r][static_cast<size_t>(k - 1)] == atLeast,
                     qPrintable(QStringLiteral("%1 at %2 bits %3 %4")
                                    .arg(QString::fromStdString(small.layers[costs.layer[r]].name))
                                    .arg(k)
                                    .arg(costs.increase[r][static_cast<size_t>(k - 1)], 0, 'g', 17)
                                    .arg(atLeast, 0, 'g', 17)));
        }
        layer.weight.copy_(trained);
    }
}

void TestBitAllocation::ticketByLossMeetsTheBudget()
{
    SmallNetwork small;
    const train::Ranks one;
    const double target = 2.0;
    const auto ticket = train::drawTicketByLoss({*small.net, small.layers, small.trained, small.images, {}, {}, one},
                                                BudgetMode::Size, target);
    const auto& line = ticket.logLine;
    const auto precision = precisionOf(readScheme(small.layers));
    QVERIFY2(precision.measure(BudgetMode::Size) <= target + 1e-9, line.c_str());
    QVERIFY2(precision.measure(BudgetMode::Size) > target - 1.0, line.c_str());  // the budget is used
    for (const auto& l : small.layers) {
        QVERIFY2(line.find(l.name) != std::string::npos, line.c_str());
        const auto kept = l.layer->bits()->keptBits();
        const int count = static_cast<int>(std::count(kept.begin(), kept.end(), true));
        for (int b = 0; b < 4; ++b)
            QCOMPARE(static_cast<bool>(kept[static_cast<size_t>(b)]), b >= 4 - count);  // the top bits
        // ticket_costs.csv: one row per measured count, the kept count marked
        const auto keptRow =
            l.name + "," + std::to_string(l.layer->bits()->numel()) + "," + std::to_string(count) + ",";
        const auto at = ticket.csv.find("\n" + keptRow);
        QVERIFY2(at != std::string::npos, ticket.csv.c_str());
        const auto row = ticket.csv.substr(at + 1, ticket.csv.find('\n', at + 1) - at - 1);
        const auto upToKept = row.substr(0, row.rfind(','));  // the last cell is the accuracy drop
        QVERIFY2(upToKept.ends_with(",1"), row.c_str());
    }
    QCOMPARE(std::count(ticket.csv.begin(), ticket.csv.end(), '\n'), std::ptrdiff_t{1 + 3 * 4});
}

// A layer held to at least 4 bits (MIN..) gets them from the measured ticket at any budget, and the
// other layers share what is left.
void TestBitAllocation::ticketByLossKeepsMinimumBits()
{
    SmallNetwork small;
    const train::Ranks one;
    small.layers.back().layer->bits()->setMinBits(4);
    const double target = 2.0;
    const auto ticket = train::drawTicketByLoss({*small.net, small.layers, small.trained, small.images, {}, {}, one},
                                                BudgetMode::Layer, target);
    const auto scheme = readScheme(small.layers);
    QCOMPARE(scheme.back().bits(), 4);
    QVERIFY2(precisionOf(scheme).measure(BudgetMode::Layer) <= target + 1e-9, ticket.logLine.c_str());
    for (size_t i = 0; i + 1 < scheme.size(); ++i) QVERIFY(scheme[i].bits() < 4);
}

QTEST_APPLESS_MAIN(TestBitAllocation)
#include "tst_bit_allocation.moc"
