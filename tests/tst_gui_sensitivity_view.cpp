// SensitivityView: a measurement of 3 layers × 4 bits shows as 3 named rows × 4 columns of the loss
// each layer adds (drawn at a floor where it is below it), the current scheme's kept bits ringed, each
// layer's share of weights and MACs beside it; hover names the cell; PNG/SVG/PDF and CSV export; a
// setup of other layers drops the measurement.
#include <cmath>

#include <QTemporaryDir>
#include <QtTest>

#include "plots/qcustomplot_include.h"
#include "plots/sensitivity_view.h"
#include "run/metrics_store.h"
#include "tst_gui_support.h"

using namespace csq::ui;

namespace {

// The synthetic snapshot's layers (features.0, features.3, classifier.4), measured on 1..4 bits.
csq::Sensitivity measurement()
{
    const auto s = testing::syntheticSnapshot(3, 4);
    csq::Sensitivity m;
    m.epoch = 1.5;
    m.images = 1024;
    m.referenceLoss = 0.4;
    m.referenceAccuracy = 86.0;
    for (size_t l = 0; l < s.layers.size(); ++l) {
        csq::LayerSensitivity layer;
        layer.name = s.layers[l].name;
        layer.params = s.layers[l].params;
        layer.macs = 1000 * static_cast<int64_t>(3 - l);
        layer.maxBits = 4;
        layer.held = l == 2;
        if (!layer.held)
            for (int k = 1; k <= 4; ++k) {
                layer.lossAdded.push_back(k == 4 ? -2e-5 : std::pow(10.0, -k) * (l + 1));  // 4 bits: below noise
                layer.accuracyDrop.push_back(5.0 / k);
            }
        m.layers.push_back(layer);
    }
    return m;
}

}  // namespace

class TestSensitivityView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void waitsForAMeasurement();
    void rowsAreLayersColumnsAreBitCounts();
    void keptBitsAndSharesAreShown();
    void tooltipSaysWhatACellCosts();
    void exports();
    void aSetupOfOtherLayersDropsIt();
};

void TestSensitivityView::waitsForAMeasurement()
{
    MetricsStore store;
    SensitivityView view(store);
    view.refreshNow();
    QCOMPARE(view.rowCount(), 0);
    QVERIFY(view.caption().contains(QStringLiteral("Measure sensitivity now")));
    QTemporaryDir dir;
    QVERIFY(!view.exportTo(dir.filePath(QStringLiteral("s.csv"))).isEmpty());  // nothing to write
}

void TestSensitivityView::rowsAreLayersColumnsAreBitCounts()
{
    MetricsStore store;
    SensitivityView view(store);
    store.setSensitivity(measurement());
    view.refreshNow();
    QCOMPARE(view.rowCount(), 3);
    QCOMPARE(view.columnCount(), 4);
    QCOMPARE(view.rowLabel(0), QStringLiteral("features.0"));
    QCOMPARE(view.rowLabel(2), QStringLiteral("classifier.4 (held)"));
    QCOMPARE(view.lossAdded(1, 0), 0.2);        // features.3 on 1 bit
    QCOMPARE(view.lossAdded(0, 3), -2e-5);      // measured as it came
    QVERIFY(std::isnan(view.lossAdded(2, 0)));  // held: not measured
    auto* map = qobject_cast<QCPColorMap*>(view.plot().plottable(0));
    QVERIFY(map);
    QCOMPARE(map->data()->cell(0, 1), 0.2);
    QCOMPARE(map->data()->cell(3, 0), SensitivityView::kFloorNats);  // drawn at the floor of the log scale
    QVERIFY(view.caption().contains(QStringLiteral("epoch 1.50")));
}

void TestSensitivityView::keptBitsAndSharesAreShown()
{
    MetricsStore store;
    SensitivityView view(store);
    store.setSensitivity(measurement());
    view.refreshNow();
    QCOMPARE(view.keptBits(0), -1);  // no scheme yet
    QCOMPARE(view.keptMarkerCount(), 0);
    const auto snapshot = testing::syntheticSnapshot(3, 4);
    store.addSnapshot(snapshot);
    view.refreshNow();
    QCOMPARE(view.keptBits(0), snapshot.layers[0].bits());
    QCOMPARE(view.keptMarkerCount(), 2);  // the held layer is not ringed
    // Weights 1000, 4000, 9000 of 14000; MACs 3000, 2000, 1000 of 6000.
    QCOMPARE(view.shareLabel(0), QStringLiteral("w 7.1 % · MAC 50.0 %"));
    QCOMPARE(view.shareLabel(2), QStringLiteral("w 64.3 % · MAC 16.7 %"));
}

void TestSensitivityView::tooltipSaysWhatACellCosts()
{
    MetricsStore store;
    SensitivityView view(store);
    store.setSensitivity(measurement());
    view.refreshNow();
    const auto tip = view.cellToolTip(1, 0);
    QVERIFY2(tip.contains(QStringLiteral("features.3</b> at 1 bit adds 0.2000 nats (-5.00 pt)")), qPrintable(tip));
    QVERIFY(view.cellToolTip(0, 1).contains(QStringLiteral("at 2 bits")));
    QVERIFY(view.cellToolTip(5, 0).isEmpty());
}

void TestSensitivityView::exports()
{
    MetricsStore store;
    SensitivityView view(store);
    view.resize(700, 420);
    store.setSensitivity(measurement());
    QTemporaryDir dir;
    for (const char* suffix : {"png", "svg", "pdf", "csv"})
        QVERIFY(view.exportTo(dir.filePath(QStringLiteral("s.%1").arg(QLatin1String(suffix)))).isEmpty());
    QVERIFY(testing::isPng(dir.filePath(QStringLiteral("s.png"))));
    QVERIFY(testing::isSvg(dir.filePath(QStringLiteral("s.svg"))));
    QVERIFY(testing::isPdf(dir.filePath(QStringLiteral("s.pdf"))));
    const auto rows = testing::readCsv(dir.filePath(QStringLiteral("s.csv")));
    QCOMPARE(rows.first().join(u','), QStringLiteral("layer,params,macs,bits,loss_added,accuracy_drop,epoch"));
    QCOMPARE(rows.size(), 1 + 2 * 4);  // the held layer has no rows
    QCOMPARE(rows[1][0], QStringLiteral("features.0"));
    QCOMPARE(rows[1][6], QStringLiteral("1.5"));
}

void TestSensitivityView::aSetupOfOtherLayersDropsIt()
{
    MetricsStore store;
    store.setSensitivity(measurement());
    store.setPlannedStart(testing::syntheticSnapshot(3, 4));  // the same layers: kept
    QVERIFY(store.sensitivity().has_value());
    store.clear();  // a new run of the same setup: kept
    QVERIFY(store.sensitivity().has_value());
    store.setPlannedStart(testing::syntheticSnapshot(5, 4));  // another model
    QVERIFY(!store.sensitivity().has_value());
}

QTEST_MAIN(TestSensitivityView)
#include "tst_gui_sensitivity_view.moc"
