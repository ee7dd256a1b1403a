// PlotPanel: replots are coalesced to at most 25 per second, a hidden plot does not replot until
// it is shown, and the shared exporter writes valid PNG, SVG and PDF files (and refuses others).
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include "tst_gui_support.h"
#include "run/metrics_store.h"
#include "plots/plot_panel.h"
#include "plots/qcustomplot_include.h"

using namespace csq::ui;

namespace {

// The smallest real panel: one graph of the CE samples; counts its rebuilds.
class CountingPanel : public PlotPanel {
public:
    explicit CountingPanel(MetricsStore& store) : PlotPanel(store, QStringLiteral("counting"))
    {
        graph_ = plot().addGraph();
        clock_.start();
    }
    QString exportName() const override { return QStringLiteral("counting"); }
    int rebuilds = 0;
    QList<qint64> rebuildTimes;  // ms since the panel was made

protected:
    void rebuild() override
    {
        ++rebuilds;
        rebuildTimes.append(clock_.elapsed());
        QVector<double> t, ce;
        for (const auto& s : store().samples()) {
            t.append(s.t);
            ce.append(s.ce);
        }
        graph_->setData(t, ce, true);
        plot().rescaleAxes();
    }

private:
    QCPGraph* graph_;
    QElapsedTimer clock_;
};

void feed(MetricsStore& store, int count, int startStep = 0)
{
    for (int i = 0; i < count; ++i)
        store.addSnapshot(csq::ui::testing::syntheticSnapshot(2, 4, (startStep + i) / 10.0));
}

}  // namespace

class TestPlotPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hiddenPanelWaitsForShow();
    void burstsCostOneReplot();
    void replotRateStaysUnder25Hz();
    void exportsValidFiles();
};

void TestPlotPanel::hiddenPanelWaitsForShow()
{
    MetricsStore store;
    CountingPanel panel(store);
    panel.resize(400, 300);
    feed(store, 20);
    QTest::qWait(3 * PlotPanel::kMinReplotIntervalMs);
    QCOMPARE(panel.rebuilds, 0);
    QVERIFY(panel.refreshPending());
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTRY_COMPARE_WITH_TIMEOUT(panel.rebuilds, 1, 30000);
    QVERIFY(!panel.refreshPending());
}

void TestPlotPanel::burstsCostOneReplot()
{
    MetricsStore store;
    CountingPanel panel(store);
    panel.resize(400, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTest::qWait(2 * PlotPanel::kMinReplotIntervalMs);
    const int before = panel.rebuilds;
    feed(store, 200);  // one burst, no event processing in between
    QTRY_COMPARE_WITH_TIMEOUT(panel.rebuilds, before + 1, 30000);
    QTest::qWait(3 * PlotPanel::kMinReplotIntervalMs);
    QCOMPARE(panel.rebuilds, before + 1);
}

// A steady stream of snapshots (one every 2 ms) never starves the plot, and no two replots come
// closer than the 25 Hz interval. Both hold on any machine: the stream runs until three replots
// happened (a slow machine just takes longer), and a busy machine only delays the timer.
void TestPlotPanel::replotRateStaysUnder25Hz()
{
    MetricsStore store;
    CountingPanel panel(store);
    panel.resize(400, 300);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTest::qWait(2 * PlotPanel::kMinReplotIntervalMs);
    const int before = panel.rebuilds;
    QElapsedTimer clock;
    clock.start();
    int step = 0;
    while (panel.rebuilds - before < 3 && clock.elapsed() < 60000) {
        feed(store, 1, step++);
        QTest::qWait(2);
    }
    QVERIFY2(panel.rebuilds - before >= 3, "a steady stream of snapshots starved the plot");
    QVERIFY2(step > 3, "the replots did not coalesce: one per snapshot");
    // Qt's coarse timers may fire up to 5 % early; whole milliseconds: 1 ms more.
    const double minGap = 0.95 * PlotPanel::kMinReplotIntervalMs - 1;
    const auto& times = panel.rebuildTimes;
    for (int i = 1; i < times.size(); ++i)
        QVERIFY2(times[i] - times[i - 1] >= minGap,
                 qPrintable(QStringLiteral("replots %1 ms apart").arg(times[i] - times[i - 1])));
}

void TestPlotPanel::exportsValidFiles()
{
    MetricsStore store;
    CountingPanel panel(store);
    feed(store, 30);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto png = dir.filePath(QStringLiteral("plot.png"));
    const auto svg = dir.filePath(QStringLiteral("plot.svg"));
    const auto pdf = dir.filePath(QStringLiteral("plot.pdf"));
    QCOMPARE(panel.exportTo(png), QString());
    QCOMPARE(panel.exportTo(svg), QString());
    QCOMPARE(panel.exportTo(pdf), QString());
    QVERIFY(testing::isPng(png));
    QVERIFY(testing::isSvg(svg));
    QVERIFY(testing::isPdf(pdf));
    QVERIFY(panel.rebuilds >= 1);  // a hidden panel exports its latest data, not an empty frame
    QVERIFY(!QFile::exists(png + QStringLiteral(".part")));
    QVERIFY(!panel.exportTo(dir.filePath(QStringLiteral("plot.bmpx"))).isEmpty());
    QVERIFY(!panel.exportTo(dir.filePath(QStringLiteral("missing/dir/plot.png"))).isEmpty());
}

QTEST_MAIN(TestPlotPanel)
#include "tst_gui_plot_panel.moc"
