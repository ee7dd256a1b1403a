// TrainingConfig: defaults are valid, every range check names its field, JSON round-trips and
// rejects unknown keys and wrong types with the key in the message, live patches validate.
#include <algorithm>
#include <cmath>
#include <numbers>

#include <torch/torch.h>

#include <QFile>
#include <QtTest>

#include "csq/config.h"
#include "csq/config_fields.h"
#include "csq/errors.h"
#include "csq/input_normalization.h"
#include "csq/layer_rules.h"
#include "csq/schedule.h"

using namespace csq;

class TestTrainingConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultsAreValid() { QVERIFY(validate(TrainingConfig{}).empty()); }
    void invalidValuesNameTheirField_data();
    void invalidValuesNameTheirField();
    void jsonRoundTrip();
    void jsonErrorsNameTheKey_data();
    void jsonErrorsNameTheKey();
    void patchValidates();
    void scheduleFollowsTheFormula();
    void bundledConfigsAreValid();
    void scaledScheduleKeepsTheDefaultsProportions();
    void maskTravelIsTheSearchsReach();
    void layerRulesMatchByGlobAndTheLastWins();
    void inputNormalizationParses();
};

// The reach of a mask logit over the search: the sum of its per-batch learning rates. The lenet5
// defaults on Fashion-MNIST (469 batches an epoch) reach far past the init; the quick config (10000
// images: 79 batches) does not reach it, which the trainer's note reports.
void TestTrainingConfig::maskTravelIsTheSearchsReach()
{
    const TrainingConfig d;
    QVERIFY(maskTravel(d, 469) > 2.5 * d.maskLogitInit);
    QFile file(QFINDTESTDATA("../resources/configs/quick-fashion-mnist.json"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const auto quick = configFromJson(file.readAll().toStdString(), "quick");
    QVERIFY(maskTravel(quick, 79) < 0.5 * quick.maskLogitInit);
    auto c = d;
    c.maskLr = 2 * d.bitLr;
    QVERIFY(std::abs(maskTravel(c, 469) - 2 * maskTravel(d, 469)) < 1e-9);
    c.bitLrFollowsBeta = false;  // then only the cosine factor, summed over the search's batches
    double sum = 0;
    for (int k = static_cast<int>(std::ceil(c.floatEpochs * 100)); k < c.ticketEpoch * 100; ++k)
        sum += c.maskLr * 0.5 * (1 + std::cos(std::numbers::pi * (k / 100.0) / c.totalEpochs()));
    QVERIFY(std::abs(maskTravel(c, 100) - sum) < 1e-9);
    c.ticketEpoch = c.floatEpochs;  // no search: no reach
    QCOMPARE(maskTravel(c, 100), 0.0);
}

// csq-train --epochs N and the GUI's epochs field: the defaults' proportions at any length, valid, and
// recognised as the default schedule (not as one set by hand) so a later change rescales it again.
void TestTrainingConfig::scaledScheduleKeepsTheDefaultsProportions()
{
    const TrainingConfig d;
    QVERIFY(followsDefaultSchedule(d));
    for (int epochs : {1, 2, 3, 7, 12, 60}) {
        TrainingConfig c;
        scaleScheduleTo(c, epochs);
        QCOMPARE(c.epochs, epochs);
        QVERIFY2(validate(c).empty(), qPrintable(QString::number(epochs)));
        QVERIFY(std::abs(c.ticketEpoch / epochs - d.ticketEpoch / d.epochs) <= 0.005 / epochs + 1e-12 ||
                c.ticketEpoch == epochs);
        QVERIFY(std::abs(c.floatEpochs / epochs - d.floatEpochs / d.epochs) <= 0.005 / epochs + 1e-12);
        QVERIFY(followsDefaultSchedule(c));
        c.ticketEpoch = c.ticketEpoch / 2;  // set by hand
        QVERIFY(!followsDefaultSchedule(c));
    }
}

void TestTrainingConfig::invalidValuesNameTheirField_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("field");
    QTest::newRow("negative epochs") << R"({"epochs": -1})"
                                     << "epochs";
    QTest::newRow("target above max bits") << R"({"max_bits": 4, "target_bits": 5})"
                                           << "target_bits";
    QTest::newRow("beta0 >= beta_final") << R"({"beta0": 10, "beta_final": 10})"
                                         << "beta_final";
    QTest::newRow("ticket after last epoch") << R"({"epochs": 5, "ticket_epoch": 6})"
                                             << "ticket_epoch";
    QTest::newRow("max bits 0") << R"({"max_bits": 0})"
                                << "max_bits";
    QTest::newRow("max bits 17") << R"({"max_bits": 17, "target_bits": 2})"
                                 << "max_bits";
    QTest::newRow("unknown model") << R"({"model": "vgg"})"
                                   << "model";
    QTest::newRow("zero lr") << R"({"lr": 0})"
                             << "lr";
    QTest::newRow("batch 0") << R"({"batch_size": 0})"
                             << "batch_size";
    QTest::newRow("ramp in epochs") << R"({"float_epochs": 2, "ticket_epoch": 5, "budget_ramp": 2})"
                                    << "budget_ramp";
    QTest::newRow("bit price power below 1") << R"({"budget_power": 0.5})"
                                             << "budget_power";
    QTest::newRow("size price above 1") << R"({"size_price": 1.5})"
                                        << "size_price";
    QTest::newRow("layer rule without =") << R"({"layer_rules": "features.0"})"
                                          << "layer_rules";
    QTest::newRow("layer rule of 17 bits") << R"({"layer_rules": "fc=17"})"
                                           << "layer_rules";
    QTest::newRow("layer rule of words") << R"({"layer_rules": "fc=eight"})"
                                         << "layer_rules";
    QTest::newRow("normalization by name") << R"({"input_normalization": "imagenet"})"
                                           << "input_normalization";
    QTest::newRow("normalization 2 means 1 std") << R"({"input_normalization": "0.5,0.5/0.2"})"
                                                 << "input_normalization";
    QTest::newRow("normalization std 0") << R"({"input_normalization": "0.5/0"})"
                                         << "input_normalization";
}

void TestTrainingConfig::invalidValuesNameTheirField()
{
    QFETCH(QString, json);
    QFETCH(QString, field);
    const auto config = configFromJson(json.toStdString(), "test.json");
    const auto issues = validate(config);
    QVERIFY(!issues.empty());
    QCOMPARE(QString::fromStdString(issues.front().field), field);
    try {
        requireValid(config);
        QFAIL("requireValid accepted an invalid config");
    } catch (const Error& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(field), e.what());
    }
}

void TestTrainingConfig::jsonRoundTrip()
{
    TrainingConfig c;
    c.model = "resnet20";
    c.targetBits = 3.25;
    c.budgetMode = BudgetMode::Size;
    c.optimizer = OptimizerKind::Adam;
    c.edgeLayers = EdgeLayerPolicy::MaxBits;
    c.device = DevicePreference::Cpu;
    c.seed = 987654321;
    c.horizontalFlip = true;
    const auto back = configFromJson(toJson(c));
    QCOMPARE(toJson(back), toJson(c));
    QCOMPARE(back.model, std::string("resnet20"));
    QCOMPARE(back.targetBits, 3.25);
    QVERIFY(back.budgetMode == BudgetMode::Size);
    QVERIFY(back.edgeLayers == EdgeLayerPolicy::MaxBits);
    QCOMPARE(back.seed, uint64_t{987654321});
}

void TestTrainingConfig::jsonErrorsNameTheKey_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("unknown key") << R"({"epoch": 3})"
                                 << "epoch: unknown setting";
    QTest::newRow("wrong type") << R"({"epochs": "ten"})"
                                << "epochs: expected a whole number";
    QTest::newRow("bad enum") << R"({"budget_mode": "bits"})"
                              << "budget_mode: expected one of layer, size";
    QTest::newRow("not json") << R"({"epochs": )"
                              << "not valid JSON";
    QTest::newRow("not an object") << R"([1, 2])"
                                   << "expected a JSON object";
}

void TestTrainingConfig::jsonErrorsNameTheKey()
{
    QFETCH(QString, json);
    QFETCH(QString, expected);
    try {
        configFromJson(json.toStdString(), "my.json");
        QFAIL("accepted bad JSON");
    } catch (const Error& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(expected), e.what());
        QVERIFY2(QString::fromUtf8(e.what()).startsWith(QLatin1String("my.json")), e.what());
    }
}

void TestTrainingConfig::patchValidates()
{
    TrainingConfig c;
    ConfigPatch patch;
    patch.set("target_bits", 3.5);
    patch.set("lambda", 0.2);
    const auto next = applied(c, patch);
    QCOMPARE(next.targetBits, 3.5);
    QCOMPARE(next.lambda, 0.2);
    QCOMPARE(next.epochs, c.epochs);
    ConfigPatch bad;
    bad.set("target_bits", 9.0);  // above max bits 8
    QVERIFY_THROWS_EXCEPTION(Error, applied(c, bad));
    // Only the table's live number fields can be patched, and the refusal names the key.
    for (const auto& f : configFields()) {
        if (f.live) {
            QVERIFY2(f.kind() == FlagKind::Real, f.key);  // what setNumericValue can set
            QVERIFY(!ConfigPatch().set(f.key, 1.0).empty());
        } else {
            try {
                ConfigPatch().set(f.key, 1.0);
                QFAIL(f.key);
            } catch (const Error& e) {
                QVERIFY2(std::string(e.what()).find(f.key) != std::string::npos, e.what());
            }
        }
    }
    // A later value of a key wins when patches merge.
    ConfigPatch first, second;
    first.set("lambda", 0.1).set("lr", 0.2);
    second.set("lambda", 0.3);
    first.merge(second);
    QCOMPARE(*first.value("lambda"), 0.3);
    QCOMPARE(*first.value("lr"), 0.2);
}

void TestTrainingConfig::scheduleFollowsTheFormula()
{
    TrainingConfig c;
    c.beta0 = 2;
    c.betaFinal = 200;
    c.ticketEpoch = 4;
    c.epochs = 6;
    c.finetuneEpochs = 2;
    c.floatEpochs = 0;
    QCOMPARE(betaAt(c, 0), 2.0);
    QVERIFY(std::abs(betaAt(c, 2) - 20.0) < 1e-9);  // halfway on a log scale
    QCOMPARE(betaAt(c, 5), 200.0);                  // held after the ticket
    QCOMPARE(betaAt(c, 7), 200.0);                  // the lattice finetune uses no gate: held
    c.finetuneMode = FinetuneMode::Bits;
    QVERIFY(std::abs(betaAt(c, 6) - 2.0) < 1e-9);  // a bits-mode finetune rewinds
    QVERIFY(std::abs(betaAt(c, 7) - 20.0) < 1e-9);
    QVERIFY(phaseAt(c, 3.9) == Phase::Search);
    QVERIFY(phaseAt(c, 4.0) == Phase::Ticket);
    QVERIFY(phaseAt(c, 6.5) == Phase::Finetune);
    QVERIFY(phaseAt(c, 8.0) == Phase::Done);
    QCOMPARE(lrFactorAt(c, 0), 1.0);
    c.floatEpochs = 1;  // the search, and beta's growth, start after the float warm-up
    QVERIFY(phaseAt(c, 0.5) == Phase::Float);
    QCOMPARE(betaAt(c, 0.5), 2.0);
    QVERIFY(std::abs(betaAt(c, 2.5) - 20.0) < 1e-9);
    QVERIFY(std::abs(lrFactorAt(c, 4) - 0.5) < 1e-12);

    // The budget's target: at once without a ramp; with one, a line from max bits down to the target.
    c.maxBits = 8;
    c.targetBits = 2;
    c.budgetRamp = 0;
    QCOMPARE(budgetTargetAt(c, 1.0), 2.0);
    c.budgetRamp = 2.0 / 3.0;               // two of the search's three epochs [1, 4)
    QCOMPARE(budgetTargetAt(c, 0.5), 8.0);  // float warm-up: the ramp has not begun
    QCOMPARE(budgetTargetAt(c, 1.0), 8.0);
    QVERIFY(std::abs(budgetTargetAt(c, 2.0) - 5.0) < 1e-12);
    QVERIFY(std::abs(budgetTargetAt(c, 3.0) - 2.0) < 1e-12);
    QCOMPARE(budgetTargetAt(c, 3.5), 2.0);
}

// Every config the app ships (resources/configs) loads and validates, so a user who opens one gets a run.
void TestTrainingConfig::bundledConfigsAreValid()
{
    const QDir dir(QFINDTESTDATA("../resources/configs"));
    const auto files = dir.entryList({QStringLiteral("*.json")}, QDir::Files);
    QVERIFY2(files.size() >= 3, qPrintable(dir.absolutePath()));
    for (const auto& f : files) {
        try {
            const auto c = loadConfig(dir.filePath(f).toStdString());
            QVERIFY2(validate(c).empty(), qPrintable(f));
        } catch (const std::exception& e) {
            QFAIL(qPrintable(f + ": " + QString::fromStdString(e.what())));
        }
    }
}

void TestTrainingConfig::layerRulesMatchByGlobAndTheLastWins()
{
    QVERIFY(globMatches("features.?.0", "features.3.0"));
    QVERIFY(!globMatches("features.?.0", "features.13.0"));
    QVERIFY(globMatches("*.conv.1.0", "features.3.conv.1.0"));
    QVERIFY(!globMatches("*.conv.1.0", "features.3.conv.1.1"));
    QVERIFY(globMatches("*", ""));
    QVERIFY(globMatches("a*b*c", "axxbyyc"));
    QVERIFY(!globMatches("a*b*c", "axxbyy"));
    const auto rules = parseLayerRules(" features.0.0=float, classifier.*=8,*.conv.1.0 = 4, ");
    QCOMPARE(rules.size(), size_t{3});
    QCOMPARE(ruleFor(rules, "features.0.0")->quantize, false);
    QCOMPARE(ruleFor(rules, "classifier.1")->maxBits, 8);
    QCOMPARE(ruleFor(rules, "features.3.conv.1.0")->maxBits, 4);
    QVERIFY(!ruleFor(rules, "features.3.conv.1.1"));
    const auto later = parseLayerRules("*=8, fc=float");
    QCOMPARE(ruleFor(later, "fc")->quantize, false);
    QCOMPARE(ruleFor(later, "conv1")->maxBits, 8);
    QVERIFY(parseLayerRules("").empty());
    // Bounds: MIN..MAX, MIN.. (at least), MAX alone as before.
    const auto bounded = parseLayerRules("*.conv.1.0=4.., features.0.0=8..8, classifier.*=2..6");
    QCOMPARE(ruleFor(bounded, "features.3.conv.1.0")->minBits, 4);
    QCOMPARE(ruleFor(bounded, "features.3.conv.1.0")->maxBits, 0);
    QCOMPARE(ruleFor(bounded, "features.0.0")->minBits, 8);
    QCOMPARE(ruleFor(bounded, "features.0.0")->maxBits, 8);
    QCOMPARE(ruleFor(bounded, "classifier.1")->minBits, 2);
    QCOMPARE(ruleFor(bounded, "classifier.1")->maxBits, 6);
    QCOMPARE(ruleFor(rules, "classifier.1")->minBits, 0);
    for (const char* bad : {"fc=6..4", "fc=0..", "fc=..4", "fc=4..17", "fc=a..b", "fc=4...8"}) {
        try {
            parseLayerRules(bad);
            QFAIL(bad);
        } catch (const Error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("fc=")), e.what());
        }
    }
}

void TestTrainingConfig::inputNormalizationParses()
{
    QVERIFY(parseInputNormalization("dataset").kind == InputNormalization::Kind::Dataset);
    QVERIFY(parseInputNormalization("none").kind == InputNormalization::Kind::None);
    const auto given = parseInputNormalization("0.485,0.456,0.406/0.229,0.224,0.225");
    QVERIFY(given.kind == InputNormalization::Kind::Given);
    QCOMPARE(given.mean, (std::vector<float>{0.485f, 0.456f, 0.406f}));
    QCOMPARE(given.std, (std::vector<float>{0.229f, 0.224f, 0.225f}));
    try {
        parseInputNormalization("0.5/x", "config.json: input_normalization");
        QFAIL("a std that is no number was accepted");
    } catch (const Error& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains("'x' is not a number"), e.what());
        QCOMPARE(QString::fromStdString(e.where()), QStringLiteral("config.json: input_normalization"));
    }
}

QTEST_GUILESS_MAIN(TestTrainingConfig)
#include "tst_training_config.moc"
