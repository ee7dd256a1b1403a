// The layer sensitivity (csq-train --sensitivity) against brute force: each layer rounded onto k bits
// in turn, the whole network run over the calibration images, its loss and accuracy taken. The
// measurement starts each layer's passes at its own stage of the network; the figures must be the
// brute force's to the last bit, and the measured ticket buys its bits from these same numbers.
#include <algorithm>
#include <atomic>
#include <mutex>

#include <torch/torch.h>

#include <QtTest>

#include "csq/errors.h"
#include "csq/observer.h"
#include "csq/sensitivity.h"
#include "csq/session.h"
#include "data/dataset.h"
#include "data/dataset_loader.h"
#include "data/normalization.h"
#include "quant/bit_allocation.h"
#include "tiny_run_config.h"
#include "train/evaluator.h"
#include "train/loss_ticket.h"
#include "train/ranks.h"
#include "train/run_model.h"

using namespace csq;

namespace {

struct Measured {
    double loss = 0, accuracy = 0;  // mean cross-entropy, percent correct
};

Measured wholePasses(models::Network& model, const data::Dataset& images, const data::Normalization& norm)
{
    const train::EvalSettings eval{torch::kCPU};
    train::EvalScope evaluation(model);
    torch::NoGradGuard noGrad;
    auto sum = torch::zeros({}, torch::kDouble);
    int64_t correct = 0;
    for (int64_t start = 0; start < images.size(); start += eval.batchSize) {
        const auto b = train::evaluationBatch(images, norm, eval, start);
        const auto logits = model.forward(b.input);
        sum += train::batchCrossEntropy(logits, b.labels);
        correct += logits.argmax(1).eq(b.labels).sum().item<int64_t>();
    }
    const double n = static_cast<double>(images.size());
    return {sum.item<double>() / n, 100.0 * static_cast<double>(correct) / n};
}

// Records what a run reports; asks for a measurement at its first snapshot once told its session.
class Recorder : public Observer {
public:
    void askAtFirstSnapshot(Session* session) { session_ = session; }
    void onSnapshot(const Snapshot&) override
    {
        if (session_ && !asked_.exchange(true)) session_->measureSensitivity();
    }
    void onSensitivity(const Sensitivity& s) override
    {
        std::lock_guard lock(mutex_);
        measured_.push_back(s);
    }
    void onFailed(const std::string& reason) override { failure_ = reason; }
    void onFinished(const RunSummary& summary) override { summary_ = summary; }
    std::vector<Sensitivity> measured() const
    {
        std::lock_guard lock(mutex_);
        return measured_;
    }
    std::string failure_;
    RunSummary summary_;

private:
    Session* session_ = nullptr;
    std::atomic<bool> asked_{false};
    mutable std::mutex mutex_;
    std::vector<Sensitivity> measured_;
};

}  // namespace

class TestSensitivity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(runs_.prepare()); }
    void equalsBruteForce_data();
    void equalsBruteForce();
    void csvAndTableHoldEveryLayer();
    void floatModelIsRefused();
    void aRunMeasuresEveryNEpochs();
    void aRunMeasuresOnRequest();
    void aRuleSetsALayersMinimum();

private:
    test::TinyRunFolder runs_;
};

void TestSensitivity::equalsBruteForce_data()
{
    QTest::addColumn<double>("floatEpochs");
    QTest::newRow("before the float warm-up: float weights") << 1.0;
    QTest::newRow("no warm-up: the soft weights of the bits") << 0.0;
}

void TestSensitivity::equalsBruteForce()
{
    QFETCH(double, floatEpochs);
    auto config = runs_.config("sensitivity");
    config.floatEpochs = floatEpochs;
    config.maxBits = 4;
    config.targetBits = 3;
    const auto measured = measureSensitivity(config);

    // The same model, data and images, built here.
    const auto data = data::loadDataset(config.data, data::loadOptions(config));
    const auto norm = data::normalizationFor(config.inputNormalization, data.train.images);
    torch::manual_seed(config.seed);
    auto run = train::buildRunModel(config, {data.train.channels(), data.train.height(), data.train.width(),
                                             std::max<int64_t>(data.train.classes, 2)});
    const auto images = train::calibrationImages(data.train, train::Ranks{});
    std::vector<torch::Tensor> trained;
    {
        torch::NoGradGuard noGrad;
        for (auto& l : run.layers) {
            auto& layer = *l.layer;
            trained.push_back((floatEpochs > 0 ? layer.weight : layer.bits()->forward()).detach().clone());
            layer.setFloatMode(true);
            layer.weight.copy_(trained.back());
        }
    }
    const auto reference = wholePasses(*run.network, images, norm);
    QCOMPARE(measured.images, images.size());
    QCOMPARE(measured.referenceLoss, reference.loss);
    QCOMPARE(measured.referenceAccuracy, reference.accuracy);
    QCOMPARE(measured.layers.size(), run.layers.size());
    bool anyDrop = false;
    for (size_t i = 0; i < run.layers.size(); ++i) {
        const auto& m = measured.layers[i];
        QCOMPARE(m.name, run.layers[i].name);
        QCOMPARE(m.lossAdded.size(), size_t{4});
        auto& layer = *run.layers[i].layer;
        for (int k = 1; k <= 4; ++k) {
            {
                torch::NoGradGuard noGrad;
                layer.weight.copy_(quant::latticeWeight(trained[i], 4, k));
            }
            const auto rounded = wholePasses(*run.network, images, norm);
            const auto at = static_cast<size_t>(k - 1);
            QVERIFY2(m.lossAdded[at] == rounded.loss - reference.loss,
                     qPrintable(QStringLiteral("%1 at %2 bits: %3 against %4")
                                    .arg(QString::fromStdString(m.name))
                                    .arg(k)
                                    .arg(m.lossAdded[at], 0, 'g', 17)
                                    .arg(rounded.loss - reference.loss, 0, 'g', 17)));
            QVERIFY(m.accuracyDrop[at] == reference.accuracy - rounded.accuracy);
            anyDrop = anyDrop || m.lossAdded[at] != 0.0;
        }
        torch::NoGradGuard noGrad;
        layer.weight.copy_(trained[i]);
    }
    QVERIFY(anyDrop);  // the comparison is not of zeros
    // One bit costs more than four in some layer: the figures mean what they say.
    QVERIFY(std::any_of(measured.layers.begin(), measured.layers.end(),
                        [](const LayerSensitivity& l) { return l.lossAdded.front() > l.lossAdded.back(); }));
}

void TestSensitivity::csvAndTableHoldEveryLayer()
{
    auto config = runs_.config("sensitivity-files");
    config.maxBits = 3;
    config.targetBits = 2;
    const auto measured = measureSensitivity(config);
    const auto csv = QString::fromStdString(sensitivityCsv(measured)).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(csv.first(), QStringLiteral("layer,params,macs,bits,loss_added,accuracy_drop,epoch"));
    QCOMPARE(csv.size(), 1 + 3 * static_cast<int>(measured.layers.size()));
    const auto row = csv[3].split(u',');
    QCOMPARE(row[0], QString::fromStdString(measured.layers[0].name));
    QCOMPARE(row[3], QStringLiteral("3"));
    QVERIFY(qAbs(row[4].toDouble() - measured.layers[0].lossAdded[2]) < 1e-8);  // 9 significant digits
    QCOMPARE(row[6], QStringLiteral("0"));
    QVERIFY(row[2].toLongLong() > 0);  // MACs measured
    const auto table = QString::fromStdString(sensitivityTable(measured));
    for (const auto& l : measured.layers) QVERIFY(table.contains(QStringLiteral("| %1 |").arg(l.name.c_str())));
    const auto path = QString::fromStdString(writeSensitivity(runs_.path("sensitivity-out"), measured));
    QVERIFY(path.endsWith(QStringLiteral("sensitivity-out/sensitivity.csv")));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(file.readAll()), QString::fromStdString(sensitivityCsv(measured)));
}

void TestSensitivity::floatModelIsRefused()
{
    auto config = runs_.config("sensitivity-float");
    config.floatModel = true;
    try {
        measureSensitivity(config);
        QFAIL("a float model was measured");
    } catch (const Error& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("--float")), e.what());
    }
}

// sensitivity_every 1 over the tiny run's three epochs: three measurements, reported and written with
// their epochs to sensitivity.csv.
void TestSensitivity::aRunMeasuresEveryNEpochs()
{
    auto config = runs_.config("sensitivity-every");
    config.sensitivityEvery = 1;
    Recorder recorder;
    Session session(recorder);
    session.start(config);
    session.wait();
    QVERIFY2(recorder.failure_.empty(), recorder.failure_.c_str());
    const auto measured = recorder.measured();
    QCOMPARE(measured.size(), size_t{3});
    QVERIFY(recorder.summary_.time.sensitivity > 0);  // timed as its own part of the wall time
    QVERIFY(recorder.summary_.time.other() >= 0);
    QCOMPARE(measured[0].epoch, 1.0);
    QCOMPARE(measured[2].epoch, 3.0);
    QCOMPARE(measured[0].layers.front().lossAdded.size(), static_cast<size_t>(config.maxBits));
    QFile file(QString::fromStdString(config.outDir + "/sensitivity.csv"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const auto rows = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    const auto perMeasurement = static_cast<int>(measured[0].layers.size()) * config.maxBits;
    QCOMPARE(rows.size(), 1 + 3 * perMeasurement);
    QVERIFY(rows[1].endsWith(QStringLiteral(",1")));  // the first measurement's rows first
    QVERIFY(rows.last().endsWith(QStringLiteral(",3")));
}

// "Measure sensitivity now" on a running session: measured at the next batch, the run goes on.
void TestSensitivity::aRunMeasuresOnRequest()
{
    auto config = runs_.config("sensitivity-request");
    Observer quiet;
    Session idle(quiet);
    QVERIFY_THROWS_EXCEPTION(Error, idle.measureSensitivity());  // no run going
    Recorder asking;
    Session session(asking);
    asking.askAtFirstSnapshot(&session);
    session.start(config);
    session.wait();
    QVERIFY2(asking.failure_.empty(), asking.failure_.c_str());
    const auto measured = asking.measured();
    QCOMPARE(measured.size(), size_t{1});
    QVERIFY(measured[0].epoch > 0 && measured[0].epoch < 1);  // at the first snapshot, in the warm-up
    QVERIFY(QFile::exists(QString::fromStdString(config.outDir + "/summary.json")));  // and the run finished
}

// layer_rules MIN.. reach the run's layers (and cap at their max bits).
void TestSensitivity::aRuleSetsALayersMinimum()
{
    auto config = runs_.config("rules");
    config.maxBits = 4;
    config.targetBits = 2;
    config.layerRules = "features.0=3.., classifier.*=6..";
    const auto run = train::buildRunModel(config, {1, 28, 28, 10});
    for (const auto& l : run.layers) {
        const int expected = l.name == "features.0" ? 3 : l.name.rfind("classifier.", 0) == 0 ? 4 : 1;
        QCOMPARE(l.layer->bits()->minBits(), expected);
    }
    // A uniform baseline keeps the floors: 2 bits everywhere but 3 on features.0 and 4 on the classifier.
    config.uniformBits = 2;
    for (const auto& l : train::buildRunModel(config, {1, 28, 28, 10}).layers) {
        const int expected = l.name == "features.0" ? 3 : l.name.rfind("classifier.", 0) == 0 ? 4 : 2;
        QCOMPARE(quant::readLayerScheme(l).bits(), expected);
    }
}

QTEST_GUILESS_MAIN(TestSensitivity)
#include "tst_sensitivity.moc"
