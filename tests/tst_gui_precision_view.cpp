// PrecisionView: both precision measures and the target are drawn per snapshot, and a target
// changed mid-run appears as a step in the target line.
#include <QTemporaryDir>
#include <QtTest>

#include "run/metrics_store.h"
#include "plots/precision_view.h"
#include "tst_gui_support.h"

using namespace csq::ui;

class TestPrecisionView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void drawsBothMeasuresAndTheTargetSteps();
    void exports();
};

void TestPrecisionView::drawsBothMeasuresAndTheTargetSteps()
{
    MetricsStore store;
    PrecisionView view(store);
    for (int i = 0; i < 10; ++i) store.addSnapshot(testing::syntheticSnapshot(3, 8, i * 0.1, i < 5 ? 2.0 : 3.5));
    view.refreshNow();
    QCOMPARE(view.pointCount(), 10);
    QCOMPARE(view.targetAt(0), 2.0);
    QCOMPARE(view.targetAt(4), 2.0);
    QCOMPARE(view.targetAt(5), 3.5);  // the step sits where the change landed
    QCOMPARE(view.targetAt(9), 3.5);
}

void TestPrecisionView::exports()
{
    MetricsStore store;
    PrecisionView view(store);
    for (int i = 0; i < 10; ++i) store.addSnapshot(testing::syntheticSnapshot(3, 8, i * 0.1));
    QTemporaryDir dir;
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("p.png"))), QString());
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("p.svg"))), QString());
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("p.pdf"))), QString());
    QVERIFY(testing::isPng(dir.filePath(QStringLiteral("p.png"))));
    QVERIFY(testing::isSvg(dir.filePath(QStringLiteral("p.svg"))));
    QVERIFY(testing::isPdf(dir.filePath(QStringLiteral("p.pdf"))));
}

QTEST_MAIN(TestPrecisionView)
#include "tst_gui_precision_view.moc"
