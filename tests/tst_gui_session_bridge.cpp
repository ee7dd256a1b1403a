// SessionBridge with the real engine on a tiny run: snapshots, epochs and the summary arrive on
// the GUI thread as copies; a live update shows in later snapshots; Stop ends the run, joins its
// thread (the process's thread count returns to where it was) and leaves the run files on disk.
// Where a test needs the run alive, the run holds itself at its first snapshot (pauseAtNextSnapshot),
// so no test depends on how fast the machine trains.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include "run/beta_plan.h"
#include "gui_live_run.h"
#include "run/session_bridge.h"

using namespace csq::ui;
using namespace csq::ui::testing;

class TestSessionBridge : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void deliversOnTheGuiThreadAndFinishes();
    void pauseAtNextSnapshotHoldsTheRunThere();
    void liveUpdateReachesLaterSnapshots();
    void stopJoinsTheThreadAndKeepsFiles();
    void startErrorsAreReported();
    void sensitivityBeforeStartAndOnAPausedRun();
    void plannedBetaIsWhatTheRunUses_data();
    void plannedBetaIsWhatTheRunUses();
};

void TestSessionBridge::deliversOnTheGuiThreadAndFinishes()
{
    QTemporaryDir dir;
    SessionBridge bridge;
    int snapshots = 0, offThread = 0;
    size_t layers = 0;
    connect(&bridge, &SessionBridge::snapshotArrived, this, [&](const csq::Snapshot& s) {
        ++snapshots;
        offThread += QThread::currentThread() != qApp->thread();
        layers = s.layers.size();
    });
    QSignalSpy epochs(&bridge, &SessionBridge::epochFinished);
    QSignalSpy finished(&bridge, &SessionBridge::finished);
    QSignalSpy ended(&bridge, &SessionBridge::runEnded);
    QCOMPARE(bridge.start(tinyConfig(dir.path())), QString());
    QVERIFY(bridge.running());
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 120000);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(epochs.count(), 2);
    QVERIFY(snapshots >= 8);
    QCOMPARE(offThread, 0);
    QVERIFY(layers >= 4);  // lenet5: conv, conv, fc, fc, fc
    QVERIFY(!bridge.running());
    const auto summary = finished.first().first().value<csq::RunSummary>();
    QCOMPARE(summary.epochs, 2);
    QCOMPARE(summary.layers.size(), layers);
    QCOMPARE(QDir(QString::fromStdString(summary.runDir)), QDir(dir.path()));
    QVERIFY(summary.testAccuracyQuantized >= 0 && summary.testAccuracyQuantized <= 100);
    qInfo("tiny run: test %.2f %%, exact %.2f %%, %.2f bits/layer, %.0f img/s", summary.testAccuracy,
          summary.testAccuracyQuantized, summary.precision.avgBits, summary.imagesPerSecond);
    for (const char* f : {"config.json", "metrics.csv", "scheme.json", "summary.json", "checkpoint.pt", "quantized.pt"})
        QVERIFY2(nonEmptyFile(QDir(dir.path()).filePath(QLatin1String(f))), f);
}

void TestSessionBridge::pauseAtNextSnapshotHoldsTheRunThere()
{
    QTemporaryDir dir;
    SessionBridge bridge;
    QList<csq::Snapshot> seen;
    connect(&bridge, &SessionBridge::snapshotArrived, this, [&](const csq::Snapshot& s) { seen.append(s); });
    QSignalSpy ended(&bridge, &SessionBridge::runEnded);
    QSignalSpy states(&bridge, &SessionBridge::stateChanged);
    auto config = tinyConfig(dir.path());
    bridge.pauseAtNextSnapshot();
    QCOMPARE(bridge.start(config), QString());
    QTRY_VERIFY_WITH_TIMEOUT(bridge.paused() && !seen.isEmpty(), 60000);
    QCOMPARE(seen.size(), 1);
    QCOMPARE(seen.first().step, int64_t(config.logEvery));  // held at the first snapshot, not later
    QVERIFY(bridge.running());
    QVERIFY(states.count() >= 2);  // started, then paused: the run controls follow
    // Stepping: resume and hold at the next snapshot, one logging interval further on.
    bridge.pauseAtNextSnapshot();
    bridge.resume();
    QTRY_VERIFY_WITH_TIMEOUT(seen.size() == 2 && bridge.paused(), 60000);
    QCOMPARE(seen.last().step, int64_t(2 * config.logEvery));
    bridge.resume();
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 120000);
    QVERIFY(seen.size() > 2);
}

void TestSessionBridge::liveUpdateReachesLaterSnapshots()
{
    QTemporaryDir dir;
    SessionBridge bridge;
    QList<csq::Snapshot> seen;
    connect(&bridge, &SessionBridge::snapshotArrived, this, [&](const csq::Snapshot& s) { seen.append(s); });
    QSignalSpy ended(&bridge, &SessionBridge::runEnded);
    bridge.pauseAtNextSnapshot();  // the change lands while the run still has batches to go
    QCOMPARE(bridge.start(tinyConfig(dir.path())), QString());
    QTRY_VERIFY_WITH_TIMEOUT(!seen.isEmpty() && bridge.paused(), 60000);
    QCOMPARE(seen.size(), 1);
    QCOMPARE(seen.first().targetBits, 2.0);
    csq::ConfigPatch patch;
    patch.set("target_bits", 3.25);
    QCOMPARE(bridge.update(patch), QString());
    csq::ConfigPatch bad;
    bad.set("target_bits", 99);  // above max bits
    QVERIFY(!bridge.update(bad).isEmpty());
    bridge.resume();
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 120000);
    QCOMPARE(seen.last().targetBits, 3.25);
    QCOMPARE(bridge.config().targetBits, 3.25);
}

void TestSessionBridge::stopJoinsTheThreadAndKeepsFiles()
{
    QTemporaryDir dir;
    const int baseline = threadCount();
    QVERIFY(baseline > 0);
    {
        SessionBridge bridge;
        QSignalSpy ended(&bridge, &SessionBridge::runEnded);
        int snapshots = 0;
        connect(&bridge, &SessionBridge::snapshotArrived, this, [&] { ++snapshots; });
        bridge.pauseAtNextSnapshot();
        QCOMPARE(bridge.start(tinyConfig(dir.path())), QString());
        QTRY_VERIFY_WITH_TIMEOUT(snapshots >= 1 && bridge.paused(), 60000);
        QVERIFY(threadCount() > baseline);  // the training thread is there
        // Exports of a live run wait for a batch boundary and write real files.
        QTemporaryDir exports;
        const QDir out(exports.path());
        QCOMPARE(bridge.exportScheme(out.filePath(QStringLiteral("scheme.json"))), QString());
        QCOMPARE(bridge.exportMetrics(out.filePath(QStringLiteral("metrics.csv"))), QString());
        QCOMPARE(bridge.exportQuantized(out.filePath(QStringLiteral("quantized.pt"))), QString());
        QCOMPARE(bridge.saveCheckpoint(out.filePath(QStringLiteral("checkpoint.pt"))), QString());
        for (const char* f : {"scheme.json", "metrics.csv", "quantized.pt", "checkpoint.pt"})
            QVERIFY2(nonEmptyFile(out.filePath(QLatin1String(f))), f);
        QVERIFY(!bridge.exportScheme(out.filePath(QStringLiteral("missing/scheme.json"))).isEmpty());
        // The menu's way: off the GUI thread, answered by exported() through the event loop.
        QSignalSpy exported(&bridge, &SessionBridge::exported);
        bridge.exportLater(SessionBridge::Export::Quantized, out.filePath(QStringLiteral("later.pt")));
        bridge.exportLater(SessionBridge::Export::Scheme, out.filePath(QStringLiteral("missing/later.json")));
        QCOMPARE(exported.count(), 0);  // never inside the call
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 2, 60000);
        for (const auto& answer : exported) {
            const auto what = answer.at(0).value<SessionBridge::Export>();
            const auto failure = answer.at(2).toString();
            if (what == SessionBridge::Export::Quantized) {
                QVERIFY2(failure.isEmpty(), qPrintable(failure));
                QVERIFY(nonEmptyFile(answer.at(1).toString()));
            } else {
                QVERIFY(what == SessionBridge::Export::Scheme && !failure.isEmpty());
            }
        }
        bridge.stop();
        QVERIFY(bridge.stopping());
        QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 60000);
        QVERIFY(!bridge.running());
        QVERIFY(!bridge.stopping());
        for (const char* f : {"checkpoint.pt", "metrics.csv", "scheme.json", "config.json"})
            QVERIFY2(nonEmptyFile(QDir(dir.path()).filePath(QLatin1String(f))), f);
        QVERIFY(!QFile::exists(QDir(dir.path()).filePath(QStringLiteral("summary.json"))));  // it did not finish
    }
    QTRY_VERIFY_WITH_TIMEOUT(threadCount() <= baseline, 10000);
}

// Before Start the setup's model is measured off the GUI thread; on a run paused at its first snapshot
// the measurement runs at the batch boundary it waits at (tasks run while paused), and the run's
// sensitivity.csv holds it.
void TestSessionBridge::sensitivityBeforeStartAndOnAPausedRun()
{
    QTemporaryDir dir;
    SessionBridge bridge;
    QSignalSpy measured(&bridge, &SessionBridge::sensitivityMeasured);
    QSignalSpy failed(&bridge, &SessionBridge::sensitivityFailed);
    const auto config = tinyConfig(dir.path());
    bridge.measureSensitivity(config);
    QVERIFY(bridge.measuringSensitivity());
    bridge.measureSensitivity(config);  // a second request meanwhile is ignored
    QTRY_COMPARE_WITH_TIMEOUT(measured.count(), 1, 60000);
    QCOMPARE(failed.count(), 0);
    QVERIFY(!bridge.measuringSensitivity());
    const auto before = measured.first().first().value<csq::Sensitivity>();
    QCOMPARE(before.epoch, 0.0);
    QVERIFY(before.layers.size() >= 4);

    QSignalSpy ended(&bridge, &SessionBridge::runEnded);
    int snapshots = 0;
    connect(&bridge, &SessionBridge::snapshotArrived, this, [&] { ++snapshots; });
    bridge.pauseAtNextSnapshot();
    QCOMPARE(bridge.start(config), QString());
    QTRY_VERIFY_WITH_TIMEOUT(snapshots >= 1 && bridge.paused(), 60000);
    bridge.measureSensitivity(config);
    QTRY_COMPARE_WITH_TIMEOUT(measured.count(), 2, 60000);
    QVERIFY(measured.last().first().value<csq::Sensitivity>().epoch > 0);
    QVERIFY(nonEmptyFile(QDir(dir.path()).filePath(QStringLiteral("sensitivity.csv"))));
    bridge.stop();
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 60000);
}

void TestSessionBridge::startErrorsAreReported()
{
    SessionBridge bridge;
    QSignalSpy failed(&bridge, &SessionBridge::failed);
    csq::TrainingConfig invalid;
    invalid.epochs = 0;
    QVERIFY(bridge.start(invalid).contains(QStringLiteral("epochs")));
    QCOMPARE(failed.count(), 1);
    QVERIFY(!bridge.running());
    QTemporaryDir dir;
    auto missing = tinyConfig(dir.path());
    missing.data = dir.filePath(QStringLiteral("no-such-dataset")).toStdString();
    QCOMPARE(bridge.start(missing), QString());  // valid config; the data fails on the run's thread
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 2, 60000);
    QVERIFY(failed.last().first().toString().contains(QStringLiteral("no-such-dataset")));
    QTRY_VERIFY_WITH_TIMEOUT(!bridge.running(), 10000);
}

void TestSessionBridge::plannedBetaIsWhatTheRunUses_data()
{
    QTest::addColumn<int>("mode");
    QTest::newRow("lattice finetune") << static_cast<int>(csq::FinetuneMode::Lattice);
    QTest::newRow("bits finetune") << static_cast<int>(csq::FinetuneMode::Bits);
}

// The β plan the GUI draws is the β the run reports in every snapshot, finetune included: held at
// β_final in the lattice finetune, rewound and growing again in the bits finetune.
void TestSessionBridge::plannedBetaIsWhatTheRunUses()
{
    QFETCH(int, mode);
    QTemporaryDir dir;
    SessionBridge bridge;
    QList<csq::Snapshot> seen;
    connect(&bridge, &SessionBridge::snapshotArrived, this, [&](const csq::Snapshot& s) { seen.append(s); });
    QSignalSpy ended(&bridge, &SessionBridge::runEnded);
    auto config = tinyConfig(dir.path());
    config.finetuneEpochs = 1;
    config.finetuneMode = static_cast<csq::FinetuneMode>(mode);
    QCOMPARE(bridge.start(config), QString());
    QTRY_VERIFY_WITH_TIMEOUT(ended.count() == 1, 120000);
    const auto plan = csq::ui::BetaPlan::of(config);
    int inFinetune = 0;
    for (const auto& s : seen) {
        QVERIFY2(std::abs(plan.at(s.t) - s.beta) <= 1e-9 * s.beta,
                 qPrintable(QStringLiteral("t %1: planned %2, run %3").arg(s.t).arg(plan.at(s.t)).arg(s.beta)));
        inFinetune += s.t > config.epochs;
    }
    QVERIFY(inFinetune > 0);
}

QTEST_MAIN(TestSessionBridge)
#include "tst_gui_session_bridge.moc"
