// BudgetPanel: sliders map to their knobs (β_final and λ on log scales), ranges follow the config,
// and while live a drag leaves as one debounced patch holding only the knobs that changed.
#include <cmath>

#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

#include "csq/config_fields.h"
#include "setup/budget_panel.h"
#include "setup/value_slider.h"

using namespace csq::ui;

class TestBudgetPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsAndAppliesTheConfig();
    void logSlidersSpanDecades();
    void rangesFollowTheConfig();
    void liveDragSendsOneDebouncedPatch();
    void noPatchWhenNotLive();
    void slidersAreTheTablesLiveKnobs();
};

// The panel's sliders are the field table's live knobs, one each, and a slider never offers a value the
// table's range (what validate() checks) refuses, at either end.
void TestBudgetPanel::slidersAreTheTablesLiveKnobs()
{
    BudgetPanel panel;
    csq::TrainingConfig config;
    config.epochs = 40;
    config.maxBits = 16;
    panel.setConfig(config);
    QStringList live;
    for (const auto& f : csq::configFields())
        if (f.live) live << QString::fromUtf8(f.key);
    QStringList sliders;
    for (auto* slider : panel.findChildren<ValueSlider*>()) {
        const auto key = slider->property("key").toString();
        sliders << key;
        const auto* field = csq::findConfigField(key.toStdString());
        QVERIFY2(field, qPrintable(key));
        for (double end : {slider->minimum(), slider->maximum()})
            QVERIFY2(!field->range.bounded() || field->range.contains(end),
                     qPrintable(QStringLiteral("%1 offers %2, outside %3")
                                    .arg(key)
                                    .arg(end)
                                    .arg(QString::fromStdString(field->range.text()))));
    }
    live.sort();
    sliders.sort();
    QCOMPARE(sliders, live);
}

void TestBudgetPanel::showsAndAppliesTheConfig()
{
    BudgetPanel panel;
    csq::TrainingConfig in;
    in.epochs = 10;  // the ticket slider's range ends here
    in.beta0 = 1;    // β_final's range starts above β0
    in.targetBits = 3.5;
    in.betaFinal = 500;
    in.ticketEpoch = 6.5;
    in.lambda = 0.2;
    in.lr = 0.003;
    panel.setConfig(in);
    csq::TrainingConfig out;
    panel.applyTo(out);
    QCOMPARE(out.targetBits, 3.5);
    QCOMPARE(out.betaFinal, 500.0);
    QCOMPARE(out.ticketEpoch, 6.5);
    QCOMPARE(out.lambda, 0.2);
    QCOMPARE(out.lr, 0.003);
}

void TestBudgetPanel::logSlidersSpanDecades()
{
    BudgetPanel panel;
    auto* lambda = panel.slider(QStringLiteral("lambda"));
    // Equal slider distances are equal ratios: the midpoint is the geometric mean.
    const int mid = lambda->slider()->maximum() / 2;
    const double geometric = std::sqrt(lambda->minimum() * lambda->maximum());
    QVERIFY(std::abs(lambda->valueAt(mid) / geometric - 1) < 0.01);
    for (double v : {1e-4, 3e-3, 0.05, 1.0, 10.0})
        QVERIFY(std::abs(lambda->valueAt(lambda->positionOf(v)) / v - 1) < 0.01);
    auto* beta = panel.slider(QStringLiteral("beta_final"));
    for (double v : {5.0, 200.0, 5000.0}) QVERIFY(std::abs(beta->valueAt(beta->positionOf(v)) / v - 1) < 0.01);
}

void TestBudgetPanel::rangesFollowTheConfig()
{
    BudgetPanel panel;
    csq::TrainingConfig config;
    config.maxBits = 4;
    config.targetBits = 2;
    config.epochs = 3;
    config.ticketEpoch = 2;
    panel.setConfig(config);
    QCOMPARE(panel.slider(QStringLiteral("target_bits"))->maximum(), 4.0);
    QCOMPARE(panel.slider(QStringLiteral("target_bits"))->minimum(), 0.5);
    QCOMPARE(panel.slider(QStringLiteral("ticket_epoch"))->maximum(), 3.0);
    panel.slider(QStringLiteral("target_bits"))
        ->slider()
        ->setValue(panel.slider(QStringLiteral("target_bits"))->slider()->maximum());
    QCOMPARE(panel.slider(QStringLiteral("target_bits"))->value(), 4.0);
    // Steps of 0.05 bits.
    panel.slider(QStringLiteral("target_bits"))->slider()->setValue(1);
    QVERIFY(std::abs(panel.slider(QStringLiteral("target_bits"))->value() - 0.55) < 1e-9);
}

void TestBudgetPanel::liveDragSendsOneDebouncedPatch()
{
    BudgetPanel panel;
    csq::TrainingConfig config;
    config.targetBits = 2.0;
    panel.setConfig(config);
    panel.setLive(true);
    QSignalSpy edited(&panel, &BudgetPanel::edited);
    QSignalSpy patches(&panel, &BudgetPanel::patchReady);
    auto* slider = panel.slider(QStringLiteral("target_bits"))->slider();
    for (int i = 1; i <= 10; ++i) slider->setValue(slider->value() + 1);  // a drag: ten moves
    QCOMPARE(edited.count(), 10);                                         // the plan follows every move
    QCOMPARE(patches.count(), 0);                                         // the run does not, yet
    QTRY_COMPARE_WITH_TIMEOUT(patches.count(), 1, 30000);
    QTest::qWait(2 * BudgetPanel::kDebounceMs);
    QCOMPARE(patches.count(), 1);
    const auto patch = patches.first().first().value<csq::ConfigPatch>();
    QCOMPARE(patch.values().size(), size_t(1));  // only the knob that moved
    QVERIFY(patch.value("target_bits").has_value());
    QVERIFY(std::abs(*patch.value("target_bits") - (2.0 + 10 * 0.05)) < 1e-9);
    QCOMPARE(panel.describe(patch), QStringLiteral("Target bits 2.5"));
}

void TestBudgetPanel::noPatchWhenNotLive()
{
    BudgetPanel panel;
    QSignalSpy patches(&panel, &BudgetPanel::patchReady);
    panel.slider(QStringLiteral("lambda"))->slider()->setValue(10);
    QTest::qWait(3 * BudgetPanel::kDebounceMs);
    QCOMPARE(patches.count(), 0);
}

QTEST_MAIN(TestBudgetPanel)
#include "tst_gui_budget_panel.moc"
