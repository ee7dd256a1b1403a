// LossAccuracyView: raw values with smoothing 0, a smoother curve with smoothing on, the log-y
// toggle, epoch accuracies at epoch ends, and the hover readout naming the values under the cursor.
#include <QTemporaryDir>
#include <QtTest>

#include "plots/loss_accuracy_view.h"
#include "run/metrics_store.h"
#include "tst_gui_support.h"

using namespace csq::ui;

namespace {

// A noisy CE: alternating ±0.2 around 1.
void feedNoisy(MetricsStore& store, int n)
{
    for (int i = 0; i < n; ++i) {
        auto s = testing::syntheticSnapshot(2, 4, i * 0.01);
        s.ce = 1.0 + (i % 2 ? 0.2 : -0.2);
        store.addSnapshot(s);
    }
}

double totalVariation(const LossAccuracyView& view)
{
    double sum = 0;
    for (int i = 1; i < view.lossPointCount(); ++i) sum += std::abs(view.drawnCe(i) - view.drawnCe(i - 1));
    return sum;
}

}  // namespace

class TestLossAccuracyView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void smoothingZeroDrawsRawValues();
    void smoothingCalmsNoise();
    void logScaleToggles();
    void epochResultsAndReadout();
    void exports();
};

void TestLossAccuracyView::smoothingZeroDrawsRawValues()
{
    MetricsStore store;
    LossAccuracyView view(store);
    feedNoisy(store, 40);
    view.setSmoothing(0);
    view.refreshNow();
    QCOMPARE(view.lossPointCount(), 40);
    for (int i = 0; i < 40; ++i) QCOMPARE(view.drawnCe(i), store.samples()[i].ce);
}

void TestLossAccuracyView::smoothingCalmsNoise()
{
    MetricsStore store;
    LossAccuracyView view(store);
    feedNoisy(store, 40);
    view.setSmoothing(0);
    view.refreshNow();
    const double raw = totalVariation(view);
    view.setSmoothing(0.9);
    QCOMPARE(view.smoothing(), 0.9);
    view.refreshNow();
    const double smooth = totalVariation(view);
    QVERIFY2(smooth < raw / 4, qPrintable(QStringLiteral("raw %1, smoothed %2").arg(raw).arg(smooth)));
    QCOMPARE(view.drawnCe(0), store.samples()[0].ce);  // debiased: the first point is not pulled to 0
    view.setSmoothing(5.0);                            // clamped to the slider's range
    QVERIFY(view.smoothing() <= 0.95);
}

void TestLossAccuracyView::logScaleToggles()
{
    MetricsStore store;
    LossAccuracyView view(store);
    QVERIFY(!view.logScale());
    view.setLogScale(true);
    QVERIFY(view.logScale());
    feedNoisy(store, 10);
    view.refreshNow();  // rebuild must cope with the log axis
    view.setLogScale(false);
    QVERIFY(!view.logScale());
}

void TestLossAccuracyView::epochResultsAndReadout()
{
    MetricsStore store;
    LossAccuracyView view(store);
    feedNoisy(store, 100);
    csq::EpochResult e;
    e.epoch = 0;
    e.testAccuracy = 83.25;
    e.testAccuracyQuantized = 82.5;
    store.addEpoch(e);
    view.refreshNow();
    QCOMPARE(view.testPointCount(), 1);
    const auto text = view.readoutAt(0.5);
    QVERIFY2(text.contains(QStringLiteral("epoch 0.500")), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("CE 0.8000")) || text.contains(QStringLiteral("CE 1.2000")));
    QVERIFY(text.contains(QStringLiteral("test 83.25 %")));
    QVERIFY(text.contains(QStringLiteral("exact 82.50 %")));
    QVERIFY(LossAccuracyView(*new MetricsStore(&view)).readoutAt(0.5).isEmpty());
    QVERIFY2(!view.listsValidation(), "no validation split: no validation entry in the legend");
    e.epoch = 1;
    e.validationAccuracy = 81.0;
    store.addEpoch(e);
    view.refreshNow();
    QVERIFY(view.listsValidation());
}

void TestLossAccuracyView::exports()
{
    MetricsStore store;
    LossAccuracyView view(store);
    feedNoisy(store, 20);
    QTemporaryDir dir;
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("a.png"))), QString());
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("a.svg"))), QString());
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("a.pdf"))), QString());
    QVERIFY(testing::isPng(dir.filePath(QStringLiteral("a.png"))));
    QVERIFY(testing::isSvg(dir.filePath(QStringLiteral("a.svg"))));
    QVERIFY(testing::isPdf(dir.filePath(QStringLiteral("a.pdf"))));
}

QTEST_MAIN(TestLossAccuracyView)
#include "tst_gui_loss_accuracy_view.moc"
