// MetricsStore: the history stays under its cap on a long run, still spans the whole run evenly,
// always holds the newest snapshot, keeps every epoch, and starts over for a resumed run.
#include <QSignalSpy>
#include <QtTest>

#include "tst_gui_support.h"
#include "run/metrics_store.h"

using namespace csq::ui;

class TestMetricsStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void boundHoldsOnLongRuns_data();
    void boundHoldsOnLongRuns();
    void keepsEpochsAndLatest();
    void resumedRunStartsANewHistory();
};

void TestMetricsStore::boundHoldsOnLongRuns_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("count");
    QTest::newRow("under the cap") << 64 << 50;
    QTest::newRow("exactly the cap") << 64 << 64;
    QTest::newRow("many times the cap") << 64 << 10'000;
    QTest::newRow("default cap, long run") << MetricsStore::kDefaultCapacity << 50'000;
}

void TestMetricsStore::boundHoldsOnLongRuns()
{
    QFETCH(int, capacity);
    QFETCH(int, count);
    MetricsStore store(nullptr, capacity);
    QSignalSpy changed(&store, &MetricsStore::changed);
    csq::Snapshot s;
    int largest = 0;
    for (int i = 0; i < count; ++i) {
        s.step = i;
        s.t = i / 100.0;
        store.addSnapshot(s);
        largest = std::max(largest, static_cast<int>(store.samples().size()));
    }
    QVERIFY2(largest <= capacity, qPrintable(QStringLiteral("held %1 > cap %2").arg(largest).arg(capacity)));
    QCOMPARE(changed.count(), count);
    QCOMPARE(store.received(), count);
    const auto& samples = store.samples();
    QCOMPARE(samples.first().step, 0);                         // the start of the run stays visible
    QCOMPARE(samples.last().step, count - 1);                  // and so does the newest point
    QVERIFY(samples.size() >= std::min(count, capacity / 2));  // thinning halves, never empties
    // Even coverage: all gaps but the last equal the stride.
    for (qsizetype i = 1; i + 1 < samples.size(); ++i) QCOMPARE(samples[i].step - samples[i - 1].step, store.stride());
    QVERIFY(samples.last().step - samples[samples.size() - 2].step <= store.stride());
}

void TestMetricsStore::keepsEpochsAndLatest()
{
    MetricsStore store;
    const auto s = testing::syntheticSnapshot(3, 8, 0.25);
    store.addSnapshot(s);
    QVERIFY(store.latest().has_value());
    QCOMPARE(store.latest()->gates.size(), size_t{3});
    QCOMPARE(store.samples().first().avgBits, s.precision.avgBits);
    csq::EpochResult e;
    e.testAccuracy = 81.5;
    store.addEpoch(e);
    e.epoch = 1;
    store.addEpoch(e);
    QCOMPARE(store.epochs().size(), 2);
    store.clear();
    QVERIFY(store.samples().isEmpty());
    QVERIFY(store.epochs().isEmpty());
    QVERIFY(!store.latest());
}

void TestMetricsStore::resumedRunStartsANewHistory()
{
    MetricsStore store;
    csq::Snapshot s;
    for (int i = 0; i < 10; ++i) {
        s.step = 100 + i;
        store.addSnapshot(s);
    }
    s.step = 3;  // a checkpoint from earlier in a run, resumed
    store.addSnapshot(s);
    QCOMPARE(store.samples().size(), 1);
    QCOMPARE(store.samples().first().step, 3);
}

QTEST_MAIN(TestMetricsStore)
#include "tst_gui_metrics_store.moc"
