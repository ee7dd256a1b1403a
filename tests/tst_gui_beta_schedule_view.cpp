// BetaScheduleView: the planned curve equals β(t) from the schedule formula (search growth,
// held after the ticket, finetune rewind) at sample points, replans when the schedule changes,
// and marks the run's current position.
#include <cmath>

#include <QTemporaryDir>
#include <QtTest>

#include "plots/beta_schedule_view.h"
#include "run/metrics_store.h"
#include "plots/qcustomplot_include.h"
#include "tst_gui_support.h"

using namespace csq::ui;

namespace {

// The formula written out independently of BetaPlan.
double expectedBeta(double b0, double bf, double ticket, int epochs, int finetune, double warmup, bool rewinds,
                    double t)
{
    if (t < warmup) return b0;
    if (t < ticket) return b0 * std::pow(bf / b0, (t - warmup) / (ticket - warmup));
    if (t < epochs || finetune == 0 || !rewinds) return bf;
    return b0 * std::pow(bf / b0, std::min(1.0, (t - epochs) / finetune));
}

// The drawn curve's value from t on: the last point at or before t (at a corner the curve holds two
// points with the same t, the value before and after the jump).
double drawnAt(const BetaScheduleView& view, double t)
{
    double value = std::nan("");
    for (int i = 0; i < view.curvePointCount(); ++i)
        if (const auto p = view.curvePoint(i); p.x() <= t + 1e-12) value = p.y();
    return value;
}

}  // namespace

class TestBetaScheduleView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void curveFollowsTheFormula_data();
    void curveFollowsTheFormula();
    void replansWhenTheScheduleChanges();
    void marksTheCurrentPosition();
    void exports();
    void labelsNeverOverlap_data();
    void labelsNeverOverlap();
};

void TestBetaScheduleView::curveFollowsTheFormula_data()
{
    QTest::addColumn<double>("betaFinal");
    QTest::addColumn<double>("ticket");
    QTest::addColumn<int>("epochs");
    QTest::addColumn<int>("finetune");
    QTest::addColumn<double>("warmup");
    QTest::addColumn<bool>("rewinds");
    QTest::newRow("plain") << 200.0 << 8.0 << 10 << 0 << 0.0 << true;
    QTest::newRow("early ticket") << 50.0 << 2.5 << 10 << 0 << 0.0 << true;
    QTest::newRow("with bits finetune") << 500.0 << 6.0 << 8 << 4 << 0.0 << true;
    QTest::newRow("with lattice finetune") << 500.0 << 6.0 << 8 << 4 << 0.0 << false;
    QTest::newRow("ticket at the end") << 100.0 << 10.0 << 10 << 2 << 0.0 << true;
    QTest::newRow("float warm-up") << 200.0 << 5.0 << 6 << 4 << 2.0 << true;
    QTest::newRow("float warm-up, lattice") << 200.0 << 5.0 << 6 << 4 << 2.0 << false;
}

void TestBetaScheduleView::curveFollowsTheFormula()
{
    QFETCH(double, betaFinal);
    QFETCH(double, ticket);
    QFETCH(int, epochs);
    QFETCH(int, finetune);
    QFETCH(double, warmup);
    QFETCH(bool, rewinds);
    MetricsStore store;
    BetaScheduleView view(store);
    const double b0 = 4.0;
    view.setPlan({b0, betaFinal, ticket, epochs, finetune, warmup, rewinds});
    QVERIFY(view.curvePointCount() > 50);
    // Exactly on the grid (64 points per epoch) and at the phase boundaries.
    const double end = epochs + finetune;
    for (double t : {0.0, 0.5, 1.0, warmup, (warmup + ticket) / 2, ticket * 0.25, ticket * 0.5, ticket,
                     (ticket + epochs) / 2.0, double(epochs), epochs + finetune / 2.0, end}) {
        const double grid = std::round(t * 64) / 64;
        const double expected = expectedBeta(b0, betaFinal, ticket, epochs, finetune, warmup, rewinds, grid);
        const double drawn = drawnAt(view, grid);
        QVERIFY2(std::abs(drawn - expected) <= 1e-9 * expected,
                 qPrintable(QStringLiteral("t=%1: drawn %2, formula %3").arg(grid).arg(drawn).arg(expected)));
        QVERIFY(std::abs(view.plan().at(grid) - expected) <= 1e-9 * expected);
    }
    // The ticket corner is drawn exactly: just before it the curve has not yet reached β_final.
    if (ticket < epochs) QVERIFY(view.plan().at(ticket - 1e-3) < betaFinal);
    // A bits-mode finetune rewinds to β0; the lattice finetune holds β_final.
    if (finetune > 0) QVERIFY(std::abs(drawnAt(view, epochs) - (rewinds ? b0 : betaFinal)) < 1e-9);
    // Halfway through the search β is the geometric mean of β0 and β_final.
    QVERIFY(std::abs(view.plan().at((warmup + ticket) / 2) - std::sqrt(b0 * betaFinal)) < 1e-9 * betaFinal);
}

void TestBetaScheduleView::replansWhenTheScheduleChanges()
{
    MetricsStore store;
    BetaScheduleView view(store);
    view.setPlan({1.0, 200.0, 8.0, 10, 0, 0.0});
    const int revision = view.planRevision();
    const double before = drawnAt(view, 4.0);
    view.setPlan({1.0, 200.0, 8.0, 10, 0, 0.0});  // the same plan: nothing to redo
    QCOMPARE(view.planRevision(), revision);
    view.setPlan({1.0, 1000.0, 4.0, 10, 0, 0.0});
    QCOMPARE(view.planRevision(), revision + 1);
    const double after = drawnAt(view, 4.0);
    QVERIFY(std::abs(before - std::sqrt(200.0)) < 1e-9);  // halfway to the ticket: geometric mean
    QVERIFY(std::abs(after - 1000.0) < 1e-9);             // now at the (earlier) ticket
    QVERIFY(std::abs(drawnAt(view, 2.0) - std::sqrt(1000.0)) < 1e-9);
}

void TestBetaScheduleView::marksTheCurrentPosition()
{
    MetricsStore store;
    BetaScheduleView view(store);
    view.refreshNow();
    QVERIFY(std::isnan(view.marker().x()));
    auto s = testing::syntheticSnapshot(2, 4, 3.25);
    s.beta = 42.0;
    store.addSnapshot(s);
    view.refreshNow();
    QCOMPARE(view.marker(), QPointF(3.25, 42.0));
}

void TestBetaScheduleView::exports()
{
    MetricsStore store;
    BetaScheduleView view(store);
    view.setPlan({1.0, 200.0, 8.0, 10, 2, 0.0});
    QTemporaryDir dir;
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("beta.png"))), QString());
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("beta.svg"))), QString());
    QCOMPARE(view.exportTo(dir.filePath(QStringLiteral("beta.pdf"))), QString());
    QVERIFY(testing::isPng(dir.filePath(QStringLiteral("beta.png"))));
    QVERIFY(testing::isSvg(dir.filePath(QStringLiteral("beta.svg"))));
    QVERIFY(testing::isPdf(dir.filePath(QStringLiteral("beta.pdf"))));
}

void TestBetaScheduleView::labelsNeverOverlap_data()
{
    QTest::addColumn<double>("warmup");
    QTest::addColumn<double>("ticket");
    QTest::addColumn<int>("epochs");
    QTest::addColumn<int>("finetune");
    QTest::newRow("quick config") << 1.0 << 3.0 << 4 << 0;
    QTest::newRow("a quick config: ticket 4, epochs 5") << 1.0 << 4.0 << 5 << 1;
    QTest::newRow("ticket one batch before the finetune") << 2.0 << 6.0 - 1.0 / 469 << 6 << 4;
    QTest::newRow("all three together") << 0.99 << 1.0 << 1 << 1;
    QTest::newRow("defaults") << 2.0 << 5.0 << 6 << 4;
}

// Whatever the schedule, the labels of the float, ticket and finetune lines do not overlap.
void TestBetaScheduleView::labelsNeverOverlap()
{
    QFETCH(double, warmup);
    QFETCH(double, ticket);
    QFETCH(int, epochs);
    QFETCH(int, finetune);
    MetricsStore store;
    BetaScheduleView view(store);
    view.resize(520, 260);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setPlan({4.0, 200.0, ticket, epochs, finetune, warmup, true});
    view.refreshNow();
    view.plot().replot(QCustomPlot::rpImmediateRefresh);  // lays the labels out at this size, now
    QVector<QRectF> shown;
    for (int i = 0; i < 3; ++i)
        if (const auto r = view.labelRect(i); !r.isEmpty()) shown.append(r);
    QVERIFY(shown.size() >= 2);
    for (int i = 0; i < shown.size(); ++i)
        for (int j = i + 1; j < shown.size(); ++j)
            QVERIFY2(!shown[i].intersects(shown[j]),
                     qPrintable(QStringLiteral("labels %1 and %2 overlap").arg(i).arg(j)));
}

QTEST_MAIN(TestBetaScheduleView)
#include "tst_gui_beta_schedule_view.moc"
