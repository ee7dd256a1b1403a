// PlotPanel: replots are coalesced to at most 25 per second, a hidden plot does not replot until
// it is shown, and the shared exporter writes valid PNG, SVG and PDF files (and refuses others).
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include "tst_gui_support.h"
#include "metrics_store.h"
#include "plot_panel.h"
#include "qcustomplot_include.h"

using namespace csq::ui;

namespace {

// The smallest real panel: one graph of the CE samples; counts its rebuilds.
class CountingPanel : public PlotPanel {
public:
    explicit CountingPanel(MetricsStore& store) : PlotPanel(store, QStringLiteral("counting"))
    {
        graph_ = plot().addGraph();
    }
    QString exportName() const override { return QStringLiteral("counting"); }
    int rebuilds = 0;

protected:
    void rebuild() override
    {
        ++rebuilds;
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
    QTRY_COMPARE_WITH_TIMEOUT(panel.rebuilds, 1, 2000);
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
    QTRY_COMPARE_WITH_TIMEOUT(panel.rebuilds, before + 1, 2000);
    QTest::qWait(3 * PlotPanel::kMinReplotIntervalMs);
    QCOMPARE(panel.rebuilds, before + 1);
}

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
    while (clock.elapsed() < 1000) {  // a snapshot every 2 ms for one second: 500 Hz of data
        feed(store, 1, step++);
        QTest::qWait(2);
    }
    const int replots = panel.rebuilds - before;
    const double seconds = clock.elapsed() / 1000.0;
    QVERIFY2(replots >= 5, qPrintable(QStringLiteral("only %1 replots: the plot must still follow").arg(replots)));
    QVERIFY2(replots <= 25 * seconds + 1, qPrintable(QStringLiteral("%1 replots in %2 s").arg(replots).arg(seconds)));
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
