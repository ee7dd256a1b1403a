// LayerBitsView: one bar of kept bits per quantized layer and its share of the model's weights,
// the shares summing to 100 %.
#include <QTemporaryDir>
#include <QtTest>

#include "plots/layer_bits_view.h"
#include "run/metrics_store.h"
#include "tst_gui_support.h"

using namespace csq::ui;

class TestLayerBitsView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void barsAreKeptBitsAndShares();
    void exports();
};

void TestLayerBitsView::barsAreKeptBitsAndShares()
{
    MetricsStore store;
    LayerBitsView view(store);
    const auto s = testing::syntheticSnapshot(3, 8);
    store.addSnapshot(s);
    view.refreshNow();
    QCOMPARE(view.barCount(), 3);
    double total = 0, shares = 0;
    for (const auto& layer : s.layers) total += static_cast<double>(layer.params);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(view.keptBits(i), static_cast<double>(s.layers[i].bits()));
        QVERIFY(qFuzzyCompare(view.paramShare(i), 100.0 * static_cast<double>(s.layers[i].params) / total));
        shares += view.paramShare(i);
    }
    QVERIFY(qFuzzyCompare(shares, 100.0));
}

void TestLayerBitsView::exports()
{
    MetricsStore store;
    LayerBitsView view(store);
    store.addSnapshot(testing::syntheticSnapshot(3, 8));
    QTemporaryDir dir;
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("l.png"))), QString());
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("l.svg"))), QString());
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("l.pdf"))), QString());
    QVERIFY(testing::isPng(dir.filePath(QStringLiteral("l.png"))));
    QVERIFY(testing::isSvg(dir.filePath(QStringLiteral("l.svg"))));
    QVERIFY(testing::isPdf(dir.filePath(QStringLiteral("l.pdf"))));
}

QTEST_MAIN(TestLayerBitsView)
#include "tst_gui_layer_bits_view.moc"
