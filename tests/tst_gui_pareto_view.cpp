// ParetoView: hand-made results (a dominated mixed run, three front runs, two uniform baselines and a
// float run) draw as 4 mixed and 2 uniform points, the front series holds exactly the front points in
// x order (in bits and in KiB), the float run is a horizontal line, not a point; the tooltip names a
// run with its figures; PNG, SVG, PDF and CSV exports are valid files, the CSV one row per run.
#include <cmath>

#include <QTemporaryDir>
#include <QtTest>

#include "csq/sweep.h"
#include "compare/pareto_view.h"
#include "plots/qcustomplot_include.h"
#include "tst_gui_support.h"

using namespace csq::ui;

namespace {

csq::RunResult result(const char* name, bool uniform, double target, double weightedBits, double kib, double accuracy)
{
    csq::RunResult r;
    r.name = name;
    r.runDir = std::string("/runs/sweep/") + name;
    r.model = "lenet5";
    r.uniform = uniform;
    r.targetBits = target;
    r.avgBits = target;
    r.weightedAvgBits = weightedBits;
    r.weightKiB = kib;
    r.testAccuracy = accuracy + 0.3;
    r.testAccuracyQuantized = accuracy;
    return r;
}

// Front: mixed-1.5, mixed-2, mixed-4. Dominated: mixed-3 (by mixed-2), uniform-2 (by mixed-2),
// uniform-4 (by mixed-4). The KiB order differs from the bits order for the front's last two points.
std::vector<csq::RunResult> fixture()
{
    std::vector<csq::RunResult> results = {
        result("mixed-1.5", false, 1.5, 1.2, 9.0, 85.0), result("mixed-2", false, 2, 1.6, 12.0, 88.0),
        result("mixed-3", false, 3, 2.5, 20.0, 87.5),    result("mixed-4", false, 4, 3.4, 11.0, 89.5),
        result("uniform-2", true, 2, 2.0, 16.0, 86.0),   result("uniform-4", true, 4, 4.0, 32.0, 89.0),
    };
    auto f = result("float", false, 2, 32.0, 240.0, 91.0);
    f.floatModel = true;
    results.push_back(f);
    csq::markParetoFront(results);
    return results;
}

}  // namespace

class TestParetoView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void seriesHoldMixedAndUniformRuns();
    void frontIsTheFrontPointsInXOrder();
    void frontFollowsTheKibAxis();
    void frontFollowsTheBitOpsAxis();
    void floatRunIsAReferenceLine();
    void tooltipNamesTheRun();
    void exportsImagesAndCsv();
    void emptyResultsDrawNothing();
    void seedGroupsDrawErrorBars();
    void labelsDoNotOverlap();
};

// The lenet5 study's crowded corner: mixed-3 and uniform-3 a hundredth of a bit apart, both just under
// the float line at the right edge. No two labels (the float line's included) may overlap.
void TestParetoView::labelsDoNotOverlap()
{
    std::vector<csq::RunResult> results = {
        result("mixed-1.5", false, 1.5, 1.49, 12.2, 88.39), result("mixed-2", false, 2, 1.91, 15.3, 91.10),
        result("mixed-3", false, 3, 2.99, 23.4, 91.09),     result("uniform-2", true, 2, 2.0, 16.0, 90.61),
        result("uniform-3", true, 3, 3.0, 23.5, 91.18),
    };
    auto f = result("lenet5-float", false, 0, 32.0, 241.0, 91.28);
    f.floatModel = true;
    results.push_back(f);
    csq::markParetoFront(results);
    ParetoView view;
    view.resize(900, 560);
    view.show();
    view.setResults(results);
    view.plot().replot();
    const auto rects = view.labelRects();
    QCOMPARE(rects.size(), 6);
    for (int i = 0; i < rects.size(); ++i)
        for (int j = i + 1; j < rects.size(); ++j)
            QVERIFY2(!rects[i].intersects(rects[j]),
                     qPrintable(QStringLiteral("labels %1 and %2 overlap").arg(i).arg(j)));
}

void TestParetoView::seriesHoldMixedAndUniformRuns()
{
    ParetoView view;
    view.setResults(fixture());
    QCOMPARE(view.mixedCount(), 4);
    QCOMPARE(view.uniformCount(), 2);
    QCOMPARE(static_cast<int>(view.results().size()), 7);
}

void TestParetoView::frontIsTheFrontPointsInXOrder()
{
    const auto results = fixture();
    int marked = 0;
    for (const auto& r : results) marked += r.onFront && !r.floatModel;
    QCOMPARE(marked, 3);  // the engine's front of the fixture, as designed
    ParetoView view;
    view.setResults(results);
    const QVector<QPointF> expected = {{1.2, 85.0}, {1.6, 88.0}, {3.4, 89.5}};
    QCOMPARE(view.frontPoints(), expected);
}

// Each axis draws its own front: by KiB mixed-4 (11 KiB, 89.5 %) dominates mixed-2 (12 KiB, 88 %),
// which is on the front by bits.
void TestParetoView::frontFollowsTheKibAxis()
{
    ParetoView view;
    view.setResults(fixture());
    view.setXAxis(ParetoView::XAxis::WeightKiB);
    const QVector<QPointF> expected = {{9.0, 85.0}, {11.0, 89.5}};
    QCOMPARE(view.frontPoints(), expected);
    QCOMPARE(view.plot().xAxis->label(), QStringLiteral("weight size (KiB)"));
    QVERIFY(!view.toolTipFor(1).contains(QStringLiteral("Pareto front")));  // mixed-2
    view.setXAxis(ParetoView::XAxis::WeightedBits);
    QCOMPARE(view.frontPoints().first(), QPointF(1.2, 85.0));
    QVERIFY(view.toolTipFor(1).contains(QStringLiteral("Pareto front")));
}

// Against BitOPs (in G per image): runs written before compute was measured are not drawn there, and
// the caption says so.
void TestParetoView::frontFollowsTheBitOpsAxis()
{
    auto results = fixture();
    const std::vector<double> gigaBitOps = {0.30, 0.25, 0.50, 0.60, 0.40, 0.80};  // mixed-1.5 .. uniform-4
    for (size_t i = 0; i < gigaBitOps.size(); ++i) {
        results[i].bitOps = gigaBitOps[i] * 1e9;
        results[i].macWeightedAvgBits = results[i].weightedAvgBits;
    }
    results[2].bitOps = 0;  // mixed-3: an older run
    ParetoView view;
    view.setResults(results);
    view.setXAxis(ParetoView::XAxis::BitOps);
    QCOMPARE(view.mixedCount(), 3);
    const QVector<QPointF> expected = {{0.25, 88.0}, {0.60, 89.5}};  // mixed-2 dominates mixed-1.5 here
    QCOMPARE(view.frontPoints(), expected);
    QVERIFY(view.plot().xAxis->label().startsWith(QStringLiteral("BitOPs per image")));
    QVERIFY(view.toolTipFor(3).contains(QStringLiteral("0.6000 GBitOPs")));
}

void TestParetoView::floatRunIsAReferenceLine()
{
    ParetoView view;
    auto results = fixture();
    view.setResults(results);
    QVERIFY(view.hasFloatReference());
    QCOMPARE(view.floatReference(), 91.0);
    // 32 bits would squeeze the other points: the x axis stays near them.
    QVERIFY(view.plot().xAxis->range().upper < 10);
    QVERIFY(view.plot().yAxis->range().contains(91.0));
    results.pop_back();
    view.setResults(results);
    QVERIFY(!view.hasFloatReference());
    QVERIFY(std::isnan(view.floatReference()));
}

void TestParetoView::tooltipNamesTheRun()
{
    ParetoView view;
    view.resize(900, 600);
    view.setResults(fixture());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.plot().replot();
    const auto tip = view.toolTipFor(1);  // mixed-2
    QVERIFY(tip.contains(QStringLiteral("mixed-2")));
    QVERIFY(tip.contains(QStringLiteral("1.600")));  // size-weighted bits
    QVERIFY(tip.contains(QStringLiteral("88.00")));  // exact integer model accuracy
    QVERIFY(tip.contains(QStringLiteral("12.00 KiB")));
    QVERIFY(tip.contains(QStringLiteral("Pareto front")));
    QVERIFY(!view.toolTipFor(2).contains(QStringLiteral("Pareto front")));  // mixed-3 is dominated
    QVERIFY(view.toolTipFor(99).isEmpty());
    // Hovering at a run's point finds that run; far from every point, none.
    auto& p = view.plot();
    const QPointF at(p.xAxis->coordToPixel(2.0), p.yAxis->coordToPixel(86.0));  // uniform-2
    QCOMPARE(view.resultAt(at), 4);
    QCOMPARE(view.resultAt(at + QPointF(40, 40)), -1);
}

void TestParetoView::exportsImagesAndCsv()
{
    ParetoView view;
    const auto results = fixture();
    view.setResults(results);
    QTemporaryDir dir;
    for (const char* suffix : {"png", "svg", "pdf", "csv"}) {
        const auto path = dir.filePath(QStringLiteral("pareto.%1").arg(QLatin1String(suffix)));
        QCOMPARE(view.exportTo(path), QString());
    }
    QVERIFY(testing::isPng(dir.filePath(QStringLiteral("pareto.png"))));
    QVERIFY(testing::isSvg(dir.filePath(QStringLiteral("pareto.svg"))));
    QVERIFY(testing::isPdf(dir.filePath(QStringLiteral("pareto.pdf"))));
    const auto rows = testing::readCsv(dir.filePath(QStringLiteral("pareto.csv")));
    QCOMPARE(rows.size(), 1 + static_cast<int>(results.size()));
    QCOMPARE(rows.first().mid(0, 10).join(u','),
             QStringLiteral("name,kind,target_bits,avg_bits,weighted_avg_bits,weight_kib,"
                            "test_accuracy,test_accuracy_quantized,on_front,seeds"));
    QCOMPARE(rows.first().size(), 24);  // and sd, min, max of four figures, then the compute
    QCOMPARE(rows[1][0], QStringLiteral("mixed-1.5"));
    QCOMPARE(rows[3][8], QStringLiteral("0"));  // mixed-3: dominated
    QCOMPARE(rows[5][1], QStringLiteral("uniform"));
    QCOMPARE(rows[7][1], QStringLiteral("float"));
    QVERIFY(!view.exportTo(dir.filePath(QStringLiteral("pareto.txt"))).isEmpty());
}

void TestParetoView::emptyResultsDrawNothing()
{
    ParetoView view;
    view.setResults({});
    QCOMPARE(view.mixedCount(), 0);
    QCOMPARE(view.uniformCount(), 0);
    QVERIFY(view.frontPoints().isEmpty());
    QVERIFY(!view.hasFloatReference());
    QTemporaryDir dir;
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("empty.png"))), QString());
}

// A group of seeds draws at its means with bars of one standard deviation in accuracy and in size (the
// size axis's own spread), and its tooltip gives the spread; single runs get zero-length bars.
void TestParetoView::seedGroupsDrawErrorBars()
{
    auto results = fixture();
    auto& g = results[1];  // mixed-2 as a group of 3 seeds
    g.seeds = 3;
    g.members = {"/runs/a", "/runs/b", "/runs/c"};
    g.testAccuracyQuantizedSpread = {88.0, 0.4, 87.6, 88.4};
    g.weightedAvgBitsSpread = {1.6, 0.05, 1.55, 1.65};
    g.weightKiBSpread = {12.0, 0.5, 11.5, 12.5};
    ParetoView view;
    view.setResults(results);
    const auto bars = view.errorBars(false);
    QCOMPARE(bars.size(), 4);
    QCOMPARE(bars[1], QPointF(0.05, 0.4));
    QCOMPARE(bars[0], QPointF(0, 0));
    QCOMPARE(view.errorBars(true).size(), 2);
    view.setXAxis(ParetoView::XAxis::WeightKiB);
    QCOMPARE(view.errorBars(false)[1], QPointF(0.5, 0.4));
    const auto tip = view.toolTipFor(1);
    QVERIFY2(tip.contains(QStringLiteral("means over 3 seeds")) && tip.contains(QStringLiteral("± 0.40")),
             qPrintable(tip));
}

QTEST_MAIN(TestParetoView)
#include "tst_gui_pareto_view.moc"
