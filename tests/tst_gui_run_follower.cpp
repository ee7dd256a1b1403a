// RunFollower and FollowWindow over a run folder written stage by stage as csq-train writes it
// (atomically: temp file + rename): config.json, then a few step rows of metrics.csv, then more rows
// with an epoch row and scheme.json, then a malformed metrics.csv and scheme.json (reported once each,
// the last good data kept, following goes on), then the final files and summary.json (read, finished,
// polling stopped). After each stage the follower's signals and the window's status line, curves and
// layer bits are checked. Also: a missing folder is a clear error until it appears; a rewritten
// metrics.csv starts the plots over; MainWindow's File ▸ Follow run directory… opens one window per folder.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QPointer>
#include <QSaveFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "plots/beta_schedule_view.h"
#include "csq/config.h"
#include "csq/errors.h"
#include "run/metrics_csv.h"
#include "follow/follow_window.h"
#include "plots/layer_bits_view.h"
#include "plots/loss_accuracy_view.h"
#include "window/main_window.h"
#include "follow/metrics_csv_feed.h"
#include "run/metrics_store.h"
#include "plots/precision_view.h"
#include "follow/run_follower.h"
#include "compare/scheme_grid_view.h"
#include "tst_gui_support.h"

using namespace csq::ui;

namespace {

constexpr int kPollMs = 15;

const QString kHeader = QStringLiteral(
    "kind,step,epoch,t,phase,beta,lambda,target_bits,delta_s,avg_bits,weighted_avg_bits,ce,budget_loss,"
    "train_acc,test_acc,test_acc_quantized,val_acc,lr,images_per_second\n");

// Atomically, as the engine writes: a reader sees the old file or the new one, never half of one.
void writeFile(const QString& path, const QString& text)
{
    QSaveFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Text));
    file.write(text.toUtf8());
    QVERIFY(file.commit());
}

// A step row at epoch time t: β grows, bits fall from 6 towards the target 2, the loss falls.
QString stepRow(int step, double t, const QString& phase = QStringLiteral("search"))
{
    return QStringLiteral("step,%1,%2,%3,%4,%5,0.05,2,1.5,%6,%7,%8,0.01,%9,,,,0.05,%10\n")
        .arg(step)
        .arg(static_cast<int>(t))
        .arg(t)
        .arg(phase)
        .arg(4 + 10 * t)
        .arg(6 - t)
        .arg(5.5 - t)
        .arg(1.0 / (1 + t))
        .arg(80 + 2 * t)
        .arg(3000 + step);
}

QString epochRow(int step, int epoch, double test, double exact)
{
    return QStringLiteral("epoch,%1,%2,%3,search,14,,2,,5,4.5,0.5,,81,%4,%5,,,3100\n")
        .arg(step)
        .arg(epoch)
        .arg(epoch + 1)
        .arg(test)
        .arg(exact);
}

QString schemeJson(const QList<std::vector<int>>& kept)
{
    const QStringList names = {QStringLiteral("features.0"), QStringLiteral("features.4"),
                               QStringLiteral("classifier.1")};
    const QList<int> params = {150, 2400, 48000};
    QStringList layers;
    for (int l = 0; l < kept.size(); ++l) {
        QStringList bits;
        int n = 0;
        for (int k : kept[l]) {
            bits.append(QString::number(k));
            n += k;
        }
        layers.append(
            QStringLiteral(R"({"name":"%1","params":%2,"max_bits":8,"bits":%3,"kept":[%4],"searchable":true})")
                .arg(names[l])
                .arg(params[l])
                .arg(n)
                .arg(bits.join(u',')));
    }
    return QStringLiteral(
               R"({"budget_mode":"layer","target_bits":2,"avg_bits":2,"weighted_avg_bits":1.5,"layers":[%1]})")
        .arg(layers.join(u','));
}

// runs/results/lenet5-layer-2/summary.json's shape, with this run's numbers.
QString summaryJson()
{
    return QStringLiteral(
        R"({"model":"lenet5","dataset":"fashion-mnist","float":false,"max_bits":8,"target_bits":2E0,"budget_mode":"layer",)"
        R"("avg_bits":2E0,"weighted_avg_bits":1.25E0,"test_accuracy":8.92E1,"test_accuracy_quantized":8.875E1,"epochs":3,)"
        R"("seconds":2.09E2,"images_per_second":2.86E3,"layers":[)"
        R"({"name":"features.0","params":150,"max_bits":8,"bits":3,"kept":[0,0,0,0,0,1,1,1],"searchable":true},)"
        R"({"name":"features.4","params":2400,"max_bits":8,"bits":1,"kept":[0,0,0,0,0,0,0,1],"searchable":true},)"
        R"({"name":"classifier.1","params":48000,"max_bits":8,"bits":2,"kept":[0,0,0,0,0,0,1,1],"searchable":true}]})");
}

const QList<std::vector<int>> kSchemeA = {{0, 0, 0, 0, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 0, 1, 1}, {0, 0, 0, 0, 0, 1, 1, 1}};
const QList<std::vector<int>> kSchemeB = {{0, 0, 0, 0, 0, 1, 1, 1}, {0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 1, 1}};

// What a follower said, counted as it said it.
struct Heard {
    int configs = 0, metrics = 0, schemes = 0;
    QStringList errors;
    QObject listening;  // the connections end with this struct, whichever of it and the follower goes first

    explicit Heard(RunFollower& follower)
    {
        QObject::connect(&follower, &RunFollower::configChanged, &listening, [this] { ++configs; });
        QObject::connect(&follower, &RunFollower::metricsChanged, &listening, [this] { ++metrics; });
        QObject::connect(&follower, &RunFollower::schemeChanged, &listening, [this] { ++schemes; });
        QObject::connect(&follower, &RunFollower::error, &listening, [this](const QString& m) { errors.append(m); });
    }
};

}  // namespace

class TestRunFollower : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void followsARunFromStartToFinish();
    void missingFolderIsAClearErrorUntilItAppears();
    void rewrittenMetricsStartThePlotsOver();
    void metricsCsvReadsOnlyAppendedRows();
    void mainWindowFollowsAFolderOnce();
};

// A run appends its rows: extend parses only the new whole lines, leaves a line without its end for
// later, takes nothing from a malformed line (and says where it is), and tells a rewritten file apart.
void TestRunFollower::metricsCsvReadsOnlyAppendedRows()
{
    QTemporaryDir dir;
    const auto path = dir.filePath(QStringLiteral("metrics.csv"));
    QString csv = kHeader + stepRow(10, 0.25) + stepRow(20, 0.5);
    writeFile(path, csv);
    auto metrics = MetricsCsv::read(path);
    QCOMPARE(metrics.rowCount(), 2);
    writeFile(path, csv + stepRow(30, 0.75) + QStringLiteral("step,40"));  // the last row half written
    QVERIFY(metrics.extend(path));
    QCOMPARE(metrics.rowCount(), 3);
    csv += stepRow(30, 0.75) + stepRow(40, 1.0);
    writeFile(path, csv);
    QVERIFY(metrics.extend(path));
    QCOMPARE(metrics.rowCount(), 4);
    QCOMPARE(metrics.number(3, QStringLiteral("t")), 1.0);
    writeFile(path, csv + QStringLiteral("step,50,1\n"));  // whole, but no t
    try {
        metrics.extend(path);
        QFAIL("a malformed row was taken");
    } catch (const csq::Error& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("metrics.csv:6")), e.what());
    }
    QCOMPARE(metrics.rowCount(), 4);
    writeFile(path, kHeader + stepRow(10, 0.25));  // a new run from the top
    QVERIFY(!metrics.extend(path));
    QCOMPARE(metrics.rowCount(), 4);
    QCOMPARE(MetricsCsv::read(path).rowCount(), 1);
}

void TestRunFollower::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);  // MainWindow's settings go to a test location
    QApplication::setOrganizationName(QStringLiteral("csq-studio"));
    QApplication::setApplicationName(QStringLiteral("CSQ Studio follower"));
    QSettings().clear();
}

void TestRunFollower::followsARunFromStartToFinish()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QDir dir(tmp.filePath(QStringLiteral("run")));
    QVERIFY(QDir().mkpath(dir.path()));
    FollowWindow window(dir.path(), nullptr, kPollMs);
    auto& follower = window.follower();
    Heard heard(follower);
    QSignalSpy finished(&follower, &RunFollower::finished);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(window.windowTitle(), QStringLiteral("Following %1").arg(QDir::toNativeSeparators(dir.absolutePath())));
    QVERIFY(follower.isPolling());
    QCOMPARE(follower.interval(), kPollMs);
    QVERIFY(window.statusText().contains(QStringLiteral("waiting")));
    QCOMPARE(window.problemText(), QString());
    auto* readOnly = window.findChild<QLabel*>(QStringLiteral("followReadOnlyLabel"));
    QVERIFY(readOnly && readOnly->text().contains(QStringLiteral("read-only")));

    // 1. config.json: the β plan follows it.
    csq::TrainingConfig config;
    config.epochs = 3;
    config.finetuneEpochs = 0;
    config.floatEpochs = 0;
    config.ticketEpoch = 2;
    config.betaFinal = 150;
    writeFile(dir.filePath(QStringLiteral("config.json")), QString::fromStdString(csq::toJson(config)));
    QTRY_COMPARE(heard.configs, 1);
    QVERIFY(follower.config().has_value());
    QCOMPARE(follower.config()->betaFinal, 150.0);
    QCOMPARE(window.betaView()->plan().betaFinal, 150.0);
    QCOMPARE(window.betaView()->plan().epochs, 3);
    QVERIFY(window.statusText().contains(QStringLiteral("waiting for the first metrics")));

    // 2. metrics.csv with three step rows.
    QString csv = kHeader + stepRow(10, 0.25) + stepRow(20, 0.5) + stepRow(30, 0.75);
    writeFile(dir.filePath(QStringLiteral("metrics.csv")), csv);
    QTRY_COMPARE(heard.metrics, 1);
    QTRY_COMPARE(window.precisionView()->pointCount(), 3);  // the visible tab redraws by itself
    QCOMPARE(window.precisionView()->targetAt(2), 2.0);
    window.lossView()->refreshNow();  // a background tab: drawn when shown
    QCOMPARE(window.lossView()->lossPointCount(), 3);
    QCOMPARE(window.lossView()->testPointCount(), 0);
    window.layerBitsView()->refreshNow();
    QCOMPARE(window.layerBitsView()->barCount(), 0);
    auto status = window.statusText();
    for (const auto* part : {"epoch 1/3", "search", "step 30", "β 11.50", "bits 5.25 (weighted 4.75) → target 2.00",
                             "loss 0.5714", "train 81.5 %", "3030 img/s"})
        QVERIFY2(status.contains(QString::fromUtf8(part)),
                 qPrintable(status + QStringLiteral(" lacks ") + QString::fromUtf8(part)));
    QVERIFY(!status.contains(QStringLiteral("test")));

    // 3. Two more step rows and the epoch's row, and scheme.json.
    csv += stepRow(40, 0.9) + stepRow(50, 1.0) + epochRow(50, 0, 85.5, 84.25);
    writeFile(dir.filePath(QStringLiteral("metrics.csv")), csv);
    writeFile(dir.filePath(QStringLiteral("scheme.json")), schemeJson(kSchemeA));
    QTRY_COMPARE(heard.metrics, 2);
    QTRY_COMPARE(heard.schemes, 1);
    QTRY_COMPARE(window.precisionView()->pointCount(), 5);
    window.lossView()->refreshNow();
    QCOMPARE(window.lossView()->lossPointCount(), 5);
    QCOMPARE(window.lossView()->testPointCount(), 1);
    window.layerBitsView()->refreshNow();
    QCOMPARE(window.layerBitsView()->barCount(), 3);
    QCOMPARE(window.layerBitsView()->keptBits(0), 4.0);
    QCOMPARE(window.layerBitsView()->keptBits(1), 2.0);
    QCOMPARE(window.layerBitsView()->keptBits(2), 3.0);
    QCOMPARE(window.schemeView()->rowCount(), 3);
    QCOMPARE(window.schemeView()->value(0, 0, 3), 1.0);  // features.0 keeps b4 (column 3, MSB first)…
    QCOMPARE(window.schemeView()->value(0, 0, 4), 0.0);  // …not b3
    status = window.statusText();
    QVERIFY2(status.contains(QStringLiteral("test 85.50 % (exact 84.25 %)")), qPrintable(status));
    QVERIFY2(status.contains(QStringLiteral("step 50")), qPrintable(status));
    QCOMPARE(window.problemText(), QString());
    QVERIFY(heard.errors.isEmpty());

    // 4. A row still being appended (no line end yet) is waited for, not reported; once whole but
    //    malformed it is reported, as is a malformed scheme.json: once each, naming the file (and line)
    //    and what is wrong; the plots keep the last good data; following goes on.
    writeFile(dir.filePath(QStringLiteral("metrics.csv")), csv + QStringLiteral("step,60,1"));
    QTest::qWait(4 * kPollMs);
    QCOMPARE(heard.errors.size(), 0);
    QCOMPARE(heard.metrics, 2);
    writeFile(dir.filePath(QStringLiteral("metrics.csv")), csv + QStringLiteral("step,60,1\n"));
    writeFile(dir.filePath(QStringLiteral("scheme.json")),
              QStringLiteral(R"({"budget_mode":"layer","layers":[{"name":)"));
    QTRY_COMPARE(heard.errors.size(), 2);
    const auto errors = heard.errors.join(u'\n');
    QVERIFY2(errors.contains(QStringLiteral("metrics.csv:8")) && errors.contains(QStringLiteral("no epoch time t")),
             qPrintable(errors));
    QVERIFY2(errors.contains(QStringLiteral("scheme.json")) && errors.contains(QStringLiteral("cannot be parsed")),
             qPrintable(errors));
    QTest::qWait(8 * kPollMs);  // several polls: an unchanged bad file is not reported again
    QCOMPARE(heard.errors.size(), 2);
    QCOMPARE(heard.metrics, 2);
    QCOMPARE(heard.schemes, 1);
    QVERIFY(follower.isPolling());
    QVERIFY(!window.isFinished());
    QCOMPARE(follower.metrics()->rowCount(), 6);
    QCOMPARE(follower.layers().size(), size_t(3));
    QCOMPARE(window.precisionView()->pointCount(), 5);
    QCOMPARE(window.layerBitsView()->barCount(), 3);
    QCOMPARE(follower.problems().size(), 2);
    QVERIFY(window.problemText().contains(QStringLiteral("metrics.csv")));
    QVERIFY(window.problemText().contains(QStringLiteral("scheme.json")));
    QVERIFY(window.statusText().contains(QStringLiteral("step 50")));

    // 5. The run ends: final metrics and scheme, then summary.json. Everything is read before the
    //    end is reported, the problems are gone, and polling stops.
    csv += stepRow(60, 1.5) + stepRow(70, 2.0) + epochRow(70, 1, 88.5, 88.75);
    writeFile(dir.filePath(QStringLiteral("metrics.csv")), csv);
    writeFile(dir.filePath(QStringLiteral("scheme.json")), schemeJson(kSchemeB));
    writeFile(dir.filePath(QStringLiteral("summary.json")), summaryJson());
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY(window.isFinished());
    QVERIFY(!follower.isPolling());
    QCOMPARE(heard.metrics, 3);
    QCOMPARE(heard.schemes, 2);
    QCOMPARE(heard.errors.size(), 2);
    QCOMPARE(follower.problems(), QStringList());
    QCOMPARE(window.problemText(), QString());
    QVERIFY(follower.summary().has_value());
    QCOMPARE(follower.summary()->testAccuracyQuantized, 88.75);
    status = window.statusText();
    QVERIFY2(status.startsWith(QStringLiteral("finished: test 89.20 %, exact integer model 88.75 %")),
             qPrintable(status));
    QVERIFY2(status.contains(QStringLiteral("1.25 bits/weight")), qPrintable(status));
    QTRY_COMPARE(window.precisionView()->pointCount(), 7);
    window.lossView()->refreshNow();
    QCOMPARE(window.lossView()->testPointCount(), 2);
    window.layerBitsView()->refreshNow();
    QCOMPARE(window.layerBitsView()->keptBits(0), 3.0);
    QCOMPARE(window.layerBitsView()->keptBits(1), 1.0);

    // Stopped: a later change is not read.
    writeFile(dir.filePath(QStringLiteral("metrics.csv")), csv + stepRow(80, 2.5));
    QTest::qWait(8 * kPollMs);
    QCOMPARE(heard.metrics, 3);
    QCOMPARE(follower.metrics()->rowCount(), 9);

    // Every plot exports, as elsewhere in the app.
    QTemporaryDir out;
    for (auto* plot : window.plots())
        QCOMPARE(plot->exportTo(out.filePath(plot->exportName() + QStringLiteral(".png"))), QString());
    QCOMPARE(window.schemeView()->exportTo(out.filePath(QStringLiteral("scheme.png"))), QString());
    QCOMPARE(QDir(out.path()).entryList(QDir::Files).size(), window.plots().size() + 1);
    for (const auto& file : QDir(out.path()).entryList(QDir::Files))
        QVERIFY2(testing::isPng(out.filePath(file)), qPrintable(file));
}

void TestRunFollower::missingFolderIsAClearErrorUntilItAppears()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const auto path = tmp.filePath(QStringLiteral("not-yet"));
    RunFollower follower(path);
    Heard heard(follower);
    follower.setInterval(kPollMs);
    follower.start();  // the first poll is immediate
    QCOMPARE(heard.errors.size(), 1);
    QVERIFY2(heard.errors[0].contains(QDir::toNativeSeparators(path)) &&
                 heard.errors[0].contains(QStringLiteral("no such folder")),
             qPrintable(heard.errors[0]));
    QTest::qWait(6 * kPollMs);
    QCOMPARE(heard.errors.size(), 1);  // said once, not on every poll
    QVERIFY(follower.isPolling());
    QCOMPARE(follower.problems().size(), 1);

    QVERIFY(QDir().mkpath(path));
    writeFile(QDir(path).filePath(QStringLiteral("config.json")),
              QString::fromStdString(csq::toJson(csq::TrainingConfig{})));
    QTRY_COMPARE(heard.configs, 1);
    QCOMPARE(follower.problems(), QStringList());
    QCOMPARE(heard.errors.size(), 1);
    follower.stop();
    QVERIFY(!follower.isPolling());
}

void TestRunFollower::rewrittenMetricsStartThePlotsOver()
{
    MetricsStore store;
    MetricsCsvFeed feed(store);
    const auto grown = kHeader + stepRow(10, 0.25) + stepRow(20, 0.5, QStringLiteral("float"));
    feed.feed(MetricsCsv::parse(grown, QStringLiteral("a")));
    QCOMPARE(store.samples().size(), 2);
    QCOMPARE(store.samples()[1].beta, 9.0);
    QVERIFY(store.latest()->phase == csq::Phase::Float);
    // Grown: only the new rows are added.
    feed.feed(MetricsCsv::parse(grown + stepRow(30, 0.75) + epochRow(30, 0, 70, 69), QStringLiteral("b")));
    QCOMPARE(store.samples().size(), 3);
    QCOMPARE(store.epochs().size(), 1);
    QCOMPARE(store.epochs()[0].testAccuracyQuantized, 69.0);
    QCOMPARE(store.epochs()[0].validationAccuracy, -1.0);  // no val_acc cell
    // Rewritten from the top by a new run in the same folder: the history starts over.
    feed.feed(MetricsCsv::parse(kHeader + stepRow(5, 0.125), QStringLiteral("c")));
    QCOMPARE(store.samples().size(), 1);
    QCOMPARE(store.epochs().size(), 0);
    QCOMPARE(store.samples()[0].step, qint64(5));
}

void TestRunFollower::mainWindowFollowsAFolderOnce()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    MainWindow main;
    auto* action = main.findChild<QAction*>(QStringLiteral("followRunAction"));
    QVERIFY(action);
    QCOMPARE(action->text(), QStringLiteral("&Follow run directory…"));
    QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    for (auto* other : main.findChildren<QAction*>())  // no other action of the window takes the shortcut
        if (other != action) QVERIFY2(!other->shortcuts().contains(action->shortcut()), qPrintable(other->text()));
    auto* window = main.followRun(tmp.path());
    QVERIFY(window);
    QVERIFY(window->isVisible());
    QCOMPARE(window->directory(), QDir::cleanPath(tmp.path()));
    QVERIFY(window->follower().isPolling());
    QCOMPARE(main.followRun(tmp.path() + QStringLiteral("/")), window);  // the same folder: the same window
    QCOMPARE(main.findChildren<FollowWindow*>().size(), 1);
    QVERIFY(window->testAttribute(Qt::WA_DeleteOnClose));
    QPointer<FollowWindow> closed(window);
    window->close();
    QTRY_VERIFY(closed.isNull());  // closing it stops following
}

QTEST_MAIN(TestRunFollower)
#include "tst_gui_run_follower.moc"
