// RunResultCard: the figures of a finished run's summary, each in its row (accuracy both ways, bits
// both ways against the target, the weights' size against the float model, time, folder), and its
// Compare button asks for this run's folder.
#include <QPushButton>
#include <QSignalSpy>
#include <QLabel>
#include <QtTest>

#include "run/run_result_card.h"

using namespace csq::ui;

class TestRunResultCard : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsTheSummarysFigures();
    void floatRunHasNoBits();
    void collapseIsSaid();
};

namespace {

csq::RunSummary summary()
{
    csq::RunSummary s;
    s.model = "lenet5";
    s.dataset = "fashion-mnist";
    s.budgetMode = "layer";
    s.targetBits = 2;
    s.precision = {2.0, 1.25};
    s.testAccuracy = 89.37;
    s.testAccuracyQuantized = 89.21;
    s.epochs = 10;
    s.seconds = 94.4;
    s.imagesPerSecond = 6355;
    s.time = {.wall = 110.0,
              .startup = 2.0,
              .steps = 94.4,
              .data = 0.6,
              .evaluation = 9.0,
              .snapshots = 0.4,
              .files = 1.0,
              .checkpoints = 2.0};
    s.runDir = "/tmp/runs/lenet5-x";
    s.totalParams = 8192 + 100;  // two quantized layers of 4096 weights, 100 float parameters
    csq::LayerScheme a{"a", 4096, 8, std::vector<bool>(8, false), true},
        b{"b", 4096, 8, std::vector<bool>(8, false), true};
    a.kept[0] = true;              // 1 bit
    b.kept[6] = b.kept[7] = true;  // 2 bits
    s.layers = {a, b};
    return s;
}

}  // namespace

void TestRunResultCard::showsTheSummarysFigures()
{
    const auto s = summary();
    // 4096·1 + 4096·2 bits + 100·32 bits = 15488 bits = 1.890625 KiB; float: 8292·4 bytes = 32.390625 KiB
    QVERIFY(std::abs(RunResultCard::weightKiB(s) - 15488.0 / 8 / 1024) < 1e-12);
    QVERIFY(std::abs(RunResultCard::floatKiB(s) - 8292.0 * 4 / 1024) < 1e-12);
    RunResultCard card(s);
    QCOMPARE(card.figure(QStringLiteral("exact")), QStringLiteral("89.21 %"));
    QCOMPARE(card.figure(QStringLiteral("soft")), QStringLiteral("89.37 %"));
    QVERIFY2(card.figure(QStringLiteral("bits"))
                 .startsWith(QStringLiteral("2.000 per layer · 1.250 per weight (target 2, layer")),
             qPrintable(card.figure(QStringLiteral("bits"))));
    QVERIFY2(card.figure(QStringLiteral("size"))
                 .startsWith(QStringLiteral("1.9 KiB against 32.4 KiB as float (17.1× smaller)")),
             qPrintable(card.figure(QStringLiteral("size"))));
    QCOMPARE(card.figure(QStringLiteral("time")), QStringLiteral("94 s over 10 epochs (6355 images/s)"));
    // Where the wall time went; the rest: data 0.6 + snapshots 0.4 + unnamed 0.6 s.
    QCOMPARE(card.figure(QStringLiteral("wall")),
             QStringLiteral("110 s: steps 94, evaluation 9, start-up 2, files and checkpoints 3, the rest 2"));
    // A measured ticket (ticket_by_loss) is its own part, named only when the run drew one.
    auto measured = s;
    measured.time.ticket = 6.0;
    measured.time.wall += 6.0;
    QCOMPARE(RunResultCard(measured).figure(QStringLiteral("wall")),
             QStringLiteral(
                 "116 s: steps 94, evaluation 9, measured ticket 6, start-up 2, files and checkpoints 3, the rest 2"));
    QVERIFY(card.figure(QStringLiteral("folder")).contains(QStringLiteral("lenet5-x")));

    QSignalSpy compare(&card, &RunResultCard::compareRequested);
    QPushButton* button = nullptr;
    for (auto* b : card.findChildren<QPushButton*>())
        if (b->text().startsWith(QStringLiteral("Compare"))) button = b;
    QVERIFY(button);
    button->click();
    QCOMPARE(compare.count(), 1);
    QCOMPARE(compare.first().first().toString(), QStringLiteral("/tmp/runs/lenet5-x"));
}

void TestRunResultCard::floatRunHasNoBits()
{
    auto s = summary();
    s.floatModel = true;
    s.layers.clear();
    RunResultCard card(s);
    QVERIFY(card.figure(QStringLiteral("bits")).startsWith(QStringLiteral("float")));
    QVERIFY(card.figure(QStringLiteral("size")).startsWith(QStringLiteral("32.4 KiB as float")));
}

void TestRunResultCard::collapseIsSaid()
{
    auto s = summary();
    QVERIFY(!RunResultCard(s).findChild<QLabel*>(QStringLiteral("collapseWarning")));
    s.collapsedEpoch = 2;
    RunResultCard card(s);
    const auto* warning = card.findChild<QLabel*>(QStringLiteral("collapseWarning"));
    QVERIFY(warning);
    QVERIFY(warning->text().contains(QStringLiteral("collapsed to chance in epoch 2")));
}

QTEST_MAIN(TestRunResultCard)
#include "tst_gui_run_result_card.moc"
