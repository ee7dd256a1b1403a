// RunComparisonWindow over fake run folders written as csq-train writes them (summary.json,
// scheme.json, metrics.csv, config.json from csq::toJson): a sweep folder and a lone run open as
// three runs (again: no duplicates; a bad path is reported); the Pareto tab shows the checked runs
// with the engine's front; the curve overlay has one graph per run with one point per matching
// metrics.csv row; the heatmap difference grid is +1/−1/0 per layer and bit as the schemes say, and
// side by side shows both schemes; unchecking a run takes it out of Pareto and Curves; every tab's
// plot exports.
#include <cmath>

#include <QDir>
#include <QFile>
#include <QListWidget>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "csq/config.h"
#include "csq/sweep.h"
#include "compare/curve_overlay_view.h"
#include "compare/pareto_view.h"
#include "compare/run_comparison_window.h"
#include "compare/scheme_grid_view.h"
#include "tst_gui_support.h"

using namespace csq::ui;

namespace {

struct FakeLayer {
    const char* name;
    int params;
    std::vector<int> kept;  // LSB first, 8 bits
};

struct FakeRun {
    QString dir;
    bool uniform = false;
    double target = 2;
    double weightedBits = 0, accuracy = 0;
    std::vector<FakeLayer> layers;
    int steps = 0, epochs = 0;
};

int bitsOf(const FakeLayer& l)
{
    int n = 0;
    for (int k : l.kept) n += k;
    return n;
}

QString layersJson(const std::vector<FakeLayer>& layers)
{
    QStringList items;
    for (const auto& l : layers) {
        QStringList kept;
        for (int k : l.kept) kept.append(QString::number(k));
        items.append(QStringLiteral(R"({"name":"%1","params":%2,"max_bits":8,"bits":%3,"kept":[%4],"searchable":true})")
                         .arg(QLatin1String(l.name))
                         .arg(l.params)
                         .arg(bitsOf(l))
                         .arg(kept.join(u',')));
    }
    return QStringLiteral("[%1]").arg(items.join(u','));
}

void write(const QString& path, const QString& text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Text));
    file.write(text.toUtf8());
}

// The four files of a finished run, in csq-train's formats.
void writeRun(const FakeRun& run)
{
    QVERIFY(QDir().mkpath(run.dir));
    const QDir dir(run.dir);
    double avg = 0;
    for (const auto& l : run.layers) avg += bitsOf(l);
    avg /= static_cast<double>(run.layers.size());
    const auto layers = layersJson(run.layers);
    write(dir.filePath(QStringLiteral("summary.json")),
          QStringLiteral(R"({"model":"lenet5","dataset":"fashion-mnist","float":false,"max_bits":8,"target_bits":%1,)"
                         R"("budget_mode":"layer","avg_bits":%2,"weighted_avg_bits":%3,"test_accuracy":%4,)"
                         R"("test_accuracy_quantized":%5,"epochs":%6,"seconds":12.5,"images_per_second":3000,)"
                         R"("total_params":62006,"layers":%7})")
              .arg(run.target)
              .arg(avg)
              .arg(run.weightedBits)
              .arg(run.accuracy + 0.2)
              .arg(run.accuracy)
              .arg(run.epochs)
              .arg(layers));
    write(dir.filePath(QStringLiteral("scheme.json")),
          QStringLiteral(R"({"budget_mode":"layer","target_bits":%1,"avg_bits":%2,"weighted_avg_bits":%3,"layers":%4})")
              .arg(run.target)
              .arg(avg)
              .arg(run.weightedBits)
              .arg(layers));
    csq::TrainingConfig config;
    config.targetBits = run.target;
    config.uniformBits = run.uniform ? static_cast<int>(run.target) : 0;
    config.epochs = run.epochs;
    config.outDir = run.dir.toStdString();
    write(dir.filePath(QStringLiteral("config.json")), QString::fromStdString(csq::toJson(config)));
    QString csv = QStringLiteral(
        "kind,step,epoch,t,phase,beta,lambda,target_bits,delta_s,avg_bits,weighted_avg_bits,ce,budget_loss,"
        "train_acc,test_acc,test_acc_quantized,val_acc,lr,images_per_second\n");
    const int stepsPerEpoch = run.steps / run.epochs;
    for (int e = 0; e < run.epochs; ++e) {
        for (int s = 1; s <= stepsPerEpoch; ++s) {
            const double t = e + s / (stepsPerEpoch + 1.0);
            csv += QStringLiteral("step,%1,%2,%3,search,%4,0.05,%5,1.5,%6,%7,%8,0.01,80,,,,0.05,3000\n")
                       .arg(e * 100 + s * 10)
                       .arg(e)
                       .arg(t)
                       .arg(4 + t)
                       .arg(run.target)
                       .arg(8 - t)
                       .arg(7 - t)
                       .arg(1.0 / (1 + t));
        }
        csv += QStringLiteral("epoch,%1,%2,%3,search,%4,,%5,,%6,%7,0.4,,85,%8,%9,,,3000\n")
                   .arg((e + 1) * 100)
                   .arg(e)
                   .arg(e + 1)
                   .arg(5 + e)
                   .arg(run.target)
                   .arg(avg)
                   .arg(run.weightedBits)
                   .arg(run.accuracy - 2 + e)
                   .arg(run.accuracy - 3 + e);
    }
    write(dir.filePath(QStringLiteral("metrics.csv")), csv);
}

}  // namespace

class TestRunComparison : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void opensRunsOnceAndReportsBadPaths();
    void paretoShowsCheckedRunsWithTheFront();
    void curvesHaveOneGraphPerRun();
    void heatmapDifferenceIsPlusMinusZero();
    void heatmapSideBySideShowsBothSchemes();
    void uncheckedRunsLeaveParetoAndCurves();
    void everyPlotExports();
    void seedGroupIsOnePointAndOverlaysItsSeeds();

private:
    QTemporaryDir tmp_;
    QString sweepDir_, loneRun_;
    std::vector<FakeRun> runs_;
};

void TestRunComparison::initTestCase()
{
    QVERIFY(tmp_.isValid());
    sweepDir_ = tmp_.filePath(QStringLiteral("sweep"));
    loneRun_ = tmp_.filePath(QStringLiteral("other/mixed-2"));  // same name as a sweep run: labelled apart
    FakeRun a{QDir(sweepDir_).filePath(QStringLiteral("mixed-2")),
              false,
              2,
              1.25,
              88.5,
              {{"features.0", 150, {0, 0, 0, 0, 0, 1, 1, 1}},
               {"features.3", 2400, {0, 0, 0, 0, 0, 0, 0, 1}},
               {"classifier.1", 48000, {0, 0, 0, 1, 1, 0, 0, 0}}},
              12,
              3};
    FakeRun b{QDir(sweepDir_).filePath(QStringLiteral("uniform-3")),
              true,
              3,
              3.0,
              88.0,
              {{"features.0", 150, {0, 0, 0, 0, 0, 1, 1, 1}},
               {"features.3", 2400, {0, 0, 0, 0, 0, 1, 1, 1}},
               {"classifier.1", 48000, {0, 0, 0, 0, 0, 1, 1, 1}}},
              8,
              2};
    FakeRun c{loneRun_,
              false,
              4,
              3.5,
              89.0,
              {{"features.0", 150, {0, 0, 0, 0, 1, 1, 1, 1}},
               {"features.3", 2400, {0, 0, 0, 0, 1, 1, 1, 1}},
               {"classifier.1", 48000, {0, 0, 0, 0, 1, 1, 1, 1}}},
              15,
              5};
    runs_ = {a, b, c};
    for (const auto& run : runs_) writeRun(run);
    write(QDir(sweepDir_).filePath(QStringLiteral("sweep.json")),
          QStringLiteral(R"({"runs":["mixed-2","uniform-3"]})"));
}

void TestRunComparison::opensRunsOnceAndReportsBadPaths()
{
    RunComparisonWindow window;
    QCOMPARE(window.openPaths({sweepDir_}), QString());
    QCOMPARE(window.runCount(), 2);
    QCOMPARE(window.openPaths({loneRun_}), QString());
    QCOMPARE(window.runCount(), 3);
    QCOMPARE(window.runList()->count(), 3);
    QCOMPARE(window.openPaths({sweepDir_, loneRun_}), QString());  // already open: skipped
    QCOMPARE(window.runCount(), 3);
    QCOMPARE(window.runLabel(0), QStringLiteral("mixed-2"));
    QCOMPARE(window.runLabel(1), QStringLiteral("uniform-3"));
    QCOMPARE(window.runLabel(2), QStringLiteral("other/mixed-2"));
    QVERIFY(window.run(1).result.uniform);
    QVERIFY(!window.run(0).result.uniform);
    QCOMPARE(window.run(2).layers.size(), size_t(3));
    QVERIFY(window.runColor(0) != window.runColor(1) && window.runColor(1) != window.runColor(2));
    for (int i = 0; i < 3; ++i) QVERIFY(window.runChecked(i));

    // "other" holds the lone run in a folder of its own, as a sweep folder would: already open.
    auto error = window.openPaths({tmp_.filePath(QStringLiteral("missing")), tmp_.filePath(QStringLiteral("other"))});
    QVERIFY(error.contains(QStringLiteral("missing")));
    QVERIFY(!error.contains(QStringLiteral("other")));
    QCOMPARE(window.runCount(), 3);
    error = window.openPaths({tmp_.path()});  // no run here nor one level down
    QVERIFY(error.contains(QStringLiteral("no finished run")));
    QCOMPARE(window.runCount(), 3);
    window.removeRun(0);
    QCOMPARE(window.runCount(), 2);
    QCOMPARE(window.runList()->count(), 2);
    window.clearRuns();
    QCOMPARE(window.runCount(), 0);
}

void TestRunComparison::paretoShowsCheckedRunsWithTheFront()
{
    RunComparisonWindow window;
    QCOMPARE(window.openPaths({sweepDir_, loneRun_}), QString());
    auto* pareto = window.paretoView();
    QCOMPARE(static_cast<int>(pareto->results().size()), 3);
    QCOMPARE(pareto->mixedCount(), 2);
    QCOMPARE(pareto->uniformCount(), 1);
    // mixed-2 (1.25, 88.5) and other/mixed-2 (3.5, 89.0) are the front; uniform-3 (3.0, 88.0) is beaten.
    const QVector<QPointF> front = {{1.25, 88.5}, {3.5, 89.0}};
    QCOMPARE(pareto->frontPoints(), front);
    QCOMPARE(QString::fromStdString(pareto->results()[2].name), QStringLiteral("other/mixed-2"));
}

void TestRunComparison::curvesHaveOneGraphPerRun()
{
    RunComparisonWindow window;
    QCOMPARE(window.openPaths({sweepDir_, loneRun_}), QString());
    auto* curves = window.curveView();
    curves->setMetric(CurveOverlayView::Metric::QuantizedAccuracy);
    QCOMPARE(curves->graphCount(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(curves->graphName(i), window.runLabel(i));
        QCOMPARE(curves->graphColor(i), window.runColor(i));
        QCOMPARE(curves->pointCount(i), runs_[i].epochs);  // one per epoch row
    }
    curves->setMetric(CurveOverlayView::Metric::CrossEntropy);
    QCOMPARE(curves->graphCount(), 3);
    for (int i = 0; i < 3; ++i) QCOMPARE(curves->pointCount(i), runs_[i].steps);  // one per step row
    for (auto metric : {CurveOverlayView::Metric::TestAccuracy, CurveOverlayView::Metric::AvgBits,
                        CurveOverlayView::Metric::WeightedAvgBits}) {
        curves->setMetric(metric);
        QCOMPARE(curves->graphCount(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(curves->pointCount(i), CurveOverlayView::perEpoch(metric) ? runs_[i].epochs : runs_[i].steps);
    }
}

void TestRunComparison::heatmapDifferenceIsPlusMinusZero()
{
    RunComparisonWindow window;
    QCOMPARE(window.openPaths({sweepDir_, loneRun_}), QString());
    window.compareSchemes(0, 1, SchemeGridView::Mode::Difference);
    auto* grid = window.schemeView();
    QCOMPARE(grid->mode(), SchemeGridView::Mode::Difference);
    QCOMPARE(grid->gridCount(), 1);
    QCOMPARE(grid->rowCount(), 3);
    QCOMPARE(grid->columnCount(), 8);
    const auto& a = runs_[0].layers;
    const auto& b = runs_[1].layers;
    int plus = 0, minus = 0;
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(grid->rowLabel(row), QLatin1String(a[row].name));
        for (int bit = 0; bit < 8; ++bit) {
            const int column = 7 - bit;  // MSB first
            QCOMPARE(grid->bitOfColumn(column), bit);
            const double expected = a[row].kept[bit] - b[row].kept[bit];
            QCOMPARE(grid->value(0, row, column), expected);
            QCOMPARE(grid->displayedValue(0, row, column), expected);
            plus += expected > 0;
            minus += expected < 0;
        }
    }
    QVERIFY(plus > 0 && minus > 0);  // the fixture has all three values
    // features.3: A keeps b7 only, B keeps b7..b5 → b6 and b5 are −1, b7 is 0 (kept in both), b0 is 0.
    QCOMPARE(grid->value(0, 1, 0), 0.0);
    QCOMPARE(grid->value(0, 1, 1), -1.0);
    QCOMPARE(grid->value(0, 1, 7), 0.0);
    QCOMPARE(grid->value(0, 2, 4), 1.0);  // classifier.1 bit 3: only A
    const auto legend = grid->legendNames();
    QCOMPARE(legend.size(), 4);
    QVERIFY(legend[0].startsWith(QStringLiteral("+1")) && legend[0].contains(QStringLiteral("mixed-2")));
    QVERIFY(legend[1].startsWith(QStringLiteral("−1")) && legend[1].contains(QStringLiteral("uniform-3")));
    QVERIFY(legend[2].startsWith(QStringLiteral("0")));
    QVERIFY(grid->cellToolTip(0, 1, 1).contains(QStringLiteral("only B")));
    // Swapped, every value changes sign.
    window.compareSchemes(1, 0, SchemeGridView::Mode::Difference);
    QCOMPARE(grid->value(0, 1, 1), 1.0);
    QCOMPARE(grid->value(0, 2, 4), -1.0);
}

void TestRunComparison::heatmapSideBySideShowsBothSchemes()
{
    RunComparisonWindow window;
    QCOMPARE(window.openPaths({sweepDir_, loneRun_}), QString());
    window.compareSchemes(0, 2, SchemeGridView::Mode::SideBySide);
    auto* grid = window.schemeView();
    QCOMPARE(grid->gridCount(), 2);
    QVERIFY(grid->gridTitle(0).contains(QStringLiteral("mixed-2")));
    QVERIFY(grid->gridTitle(1).contains(QStringLiteral("other/mixed-2")));
    for (int g = 0; g < 2; ++g) {
        const auto& layers = runs_[g == 0 ? 0 : 2].layers;
        for (int row = 0; row < 3; ++row)
            for (int bit = 0; bit < 8; ++bit) {
                QCOMPARE(grid->value(g, row, 7 - bit), static_cast<double>(layers[row].kept[bit]));
                QCOMPARE(grid->displayedValue(g, row, 7 - bit), static_cast<double>(layers[row].kept[bit]));
            }
    }
    window.compareSchemes(1, 0, SchemeGridView::Mode::Single);
    QCOMPARE(grid->gridCount(), 1);
    QCOMPARE(grid->value(0, 2, 0), 1.0);  // uniform-3 keeps b7 of classifier.1…
    QCOMPARE(grid->value(0, 2, 7), 0.0);  // …not b0
    QCOMPARE(grid->legendNames().size(), 2);
}

void TestRunComparison::uncheckedRunsLeaveParetoAndCurves()
{
    RunComparisonWindow window;
    QCOMPARE(window.openPaths({sweepDir_, loneRun_}), QString());
    window.setRunChecked(2, false);
    QCOMPARE(static_cast<int>(window.paretoView()->results().size()), 2);
    QCOMPARE(window.curveView()->graphCount(), 2);
    QCOMPARE(window.paretoView()->frontPoints(), QVector<QPointF>({{1.25, 88.5}}));  // the front is recomputed
    window.setRunChecked(2, true);
    QCOMPARE(window.curveView()->graphCount(), 3);
    QCOMPARE(window.paretoView()->frontPoints().size(), 2);
}

void TestRunComparison::everyPlotExports()
{
    RunComparisonWindow window;
    QCOMPARE(window.openPaths({sweepDir_, loneRun_}), QString());
    window.compareSchemes(0, 1, SchemeGridView::Mode::SideBySide);
    QTemporaryDir dir;
    const auto plots = window.plots();
    QCOMPARE(plots.size(), 3);
    for (int i = 0; i < plots.size(); ++i) {
        window.tabs()->setCurrentIndex(i);
        QCOMPARE(window.currentPlot(), plots[i]);
        for (const char* suffix : {"png", "svg", "pdf"}) {
            const auto path = dir.filePath(QStringLiteral("%1.%2").arg(plots[i]->exportName(), QLatin1String(suffix)));
            QCOMPARE(plots[i]->exportTo(path), QString());
        }
        QVERIFY(testing::isPng(dir.filePath(plots[i]->exportName() + QStringLiteral(".png"))));
        QVERIFY(testing::isSvg(dir.filePath(plots[i]->exportName() + QStringLiteral(".svg"))));
        QVERIFY(testing::isPdf(dir.filePath(plots[i]->exportName() + QStringLiteral(".pdf"))));
    }
    const auto csv = dir.filePath(QStringLiteral("schemes.csv"));
    QCOMPARE(window.schemeView()->exportTo(csv), QString());
    const auto rows = testing::readCsv(csv);
    QCOMPARE(rows.size(), 1 + 2 * 3);  // header + two grids × three layers
    QCOMPARE(rows.first().size(), 2 + 8);
}

// A --seeds folder: its seeds open as runs of their own (one curve each), and the Pareto view draws the
// checked seeds as one point at their means with their standard deviation; unchecking a seed
// recomputes it.
void TestRunComparison::seedGroupIsOnePointAndOverlaysItsSeeds()
{
    const auto group = tmp_.filePath(QStringLiteral("seeds-lenet5"));
    const std::vector<FakeLayer> layers = {{"features.0", 150, {0, 0, 0, 0, 0, 1, 1, 1}},
                                           {"classifier.1", 48000, {0, 0, 0, 0, 0, 0, 1, 1}}};
    const FakeRun one{QDir(group).filePath(QStringLiteral("seed-1")), false, 2, 2.0, 88.0, layers, 6, 2};
    const FakeRun two{QDir(group).filePath(QStringLiteral("seed-2")), false, 2, 2.0, 90.0, layers, 6, 2};
    writeRun(one);
    writeRun(two);
    const auto aggregate = csq::writeGroupSummary(group.toStdString(), {one.dir.toStdString(), two.dir.toStdString()});
    QCOMPARE(aggregate.testAccuracyQuantized, 89.0);

    RunComparisonWindow window;
    QCOMPARE(window.openPaths({group}), QString());
    QCOMPARE(window.runCount(), 2);
    QCOMPARE(window.runLabel(0), QStringLiteral("seeds-lenet5/seed-1"));
    QCOMPARE(window.runLabel(1), QStringLiteral("seeds-lenet5/seed-2"));
    auto* curves = window.findChild<CurveOverlayView*>();
    QVERIFY(curves);
    QCOMPARE(curves->graphCount(), 2);

    auto* pareto = window.findChild<ParetoView*>();
    QVERIFY(pareto);
    QCOMPARE(static_cast<int>(pareto->results().size()), 1);
    const auto& point = pareto->results()[0];
    QCOMPARE(point.seeds, 2);
    QCOMPARE(point.testAccuracyQuantized, 89.0);
    QVERIFY(std::abs(point.testAccuracyQuantizedSpread.sd - std::sqrt(2.0)) < 1e-9);
    QCOMPARE(pareto->errorBars(false).size(), 1);
    QVERIFY(std::abs(pareto->errorBars(false)[0].y() - std::sqrt(2.0)) < 1e-9);

    window.setRunChecked(1, false);
    QCOMPARE(static_cast<int>(pareto->results().size()), 1);
    QCOMPARE(pareto->results()[0].testAccuracyQuantized, 88.0);
    QCOMPARE(pareto->results()[0].seeds, 1);
    QCOMPARE(pareto->errorBars(false)[0].y(), 0.0);
}

QTEST_MAIN(TestRunComparison)
#include "tst_gui_run_comparison.moc"
