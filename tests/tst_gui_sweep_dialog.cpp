// SweepDialog: bad budget or uniform text shows the engine's message beside the field and disables
// Start; a budget the setup cannot take (over max bits) shows the engine's config error; good input
// enables Start. A tiny two-run sweep (on a dataset the test writes) is stopped while its first run
// trains (thread joined, the run marked stopped, the other still waiting), started again to resume
// and finish both runs; a dialog destroyed mid-sweep stops and joins its thread. The run is held at
// its first progress line until the stop is requested (the dialog's line tap, on the training
// thread), so it is mid-run when the stop lands however fast the machine is.
#include <chrono>
#include <thread>

#include <QDir>
#include <QFileInfo>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "csq/run_names.h"
#include "csq/sweep.h"
#include "gui_live_run.h"
#include "run/run_folders.h"
#include "compare/sweep_dialog.h"

using namespace csq::ui;
using namespace csq::ui::testing;

namespace {

constexpr int kRunTimeoutMs = 150000;

void fill(SweepDialog& dialog, const QString& budgets, const QString& uniform, const QString& directory)
{
    dialog.budgetsEdit()->setText(budgets);
    dialog.uniformEdit()->setText(uniform);
    dialog.directoryEdit()->setText(directory);
}

csq::TrainingConfig tinySweepBase()
{
    auto config = tinyConfig({});
    config.epochs = 1;  // one short epoch per run: the sweep, not the training, is under test
    config.ticketEpoch = 0.75;
    return config;
}

// Holds the training thread of `run` at its first progress line until the dialog's stop is
// requested (bounded, so that a failing test cannot hang the sweep's thread for ever).
void holdUntilStopRequested(SweepDialog& dialog, const QString& run)
{
    auto held = std::make_shared<std::atomic<bool>>(false);
    dialog.setLineTap([&dialog, run, held](const QString& r, const QString&) {
        if (r != run || held->exchange(true)) return;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kRunTimeoutMs);
        while (!dialog.stopRequested() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
}

}  // namespace

class TestSweepDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void badBudgetsShowTheErrorAndDisableStart();
    void badUniformBitsShowTheError();
    void planErrorsComeFromTheEngine();
    void seedsMakeGroups();
    void emptyInputIsRefused();
    void defaultFolderIsInTheRunsFolder();
    void stopThenResumeFinishesTheSweep();
    void destroyingTheDialogJoinsTheThread();

private:
    QTemporaryDir tmp_;
};

// A new sweep's folder sits in the runs folder the setup shows, named by the engine's one rule.
void TestSweepDialog::defaultFolderIsInTheRunsFolder()
{
    SweepDialog dialog;
    const auto folder = dialog.directoryEdit()->text();
    QVERIFY2(folder.startsWith(runsRoot() + QStringLiteral("/sweep-lenet5-")), qPrintable(folder));
    const auto name = QFileInfo(folder).fileName();
    QCOMPARE(name.size(), QStringLiteral("sweep-lenet5-20261130-180000").size());
    QCOMPARE(QString::fromStdString(csq::defaultRunName("m")).size(), QStringLiteral("m-20261130-180000").size());
}

void TestSweepDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(tmp_.isValid());
}

void TestSweepDialog::badBudgetsShowTheErrorAndDisableStart()
{
    SweepDialog dialog;
    fill(dialog, QStringLiteral("1.5,2,3,4"), QStringLiteral("2,3,4"), tmp_.filePath(QStringLiteral("a")));
    QCOMPARE(dialog.budgetsError(), QString());
    QVERIFY(dialog.startButton()->isEnabled());
    QVERIFY(dialog.plan().has_value());
    QCOMPARE(dialog.plan()->runs().size(), size_t(7));

    dialog.budgetsEdit()->setText(QStringLiteral("1.5,abc,3"));
    QVERIFY(dialog.budgetsError().contains(QStringLiteral("'abc' is not a positive number")));
    QVERIFY(!dialog.startButton()->isEnabled());
    QVERIFY(!dialog.start());
    QVERIFY(!dialog.running());
    dialog.budgetsEdit()->setText(QStringLiteral("1.5,-2"));
    QVERIFY(dialog.budgetsError().contains(QStringLiteral("-2")));
    QVERIFY(!dialog.startButton()->isEnabled());
    dialog.budgetsEdit()->setText(QStringLiteral("1.5, 2"));  // spaces are fine
    QCOMPARE(dialog.budgetsError(), QString());
    QVERIFY(dialog.startButton()->isEnabled());
    QCOMPARE(dialog.plan()->budgets, (std::vector<double>{1.5, 2}));
}

void TestSweepDialog::badUniformBitsShowTheError()
{
    SweepDialog dialog;
    fill(dialog, QStringLiteral("2"), QStringLiteral("2,x"), tmp_.filePath(QStringLiteral("b")));
    QVERIFY(dialog.uniformError().contains(QStringLiteral("'x'")));
    QVERIFY(!dialog.startButton()->isEnabled());
    dialog.uniformEdit()->setText(QStringLiteral("2.5"));
    QVERIFY(dialog.uniformError().contains(QStringLiteral("whole number")));
    QVERIFY(!dialog.startButton()->isEnabled());
    dialog.uniformEdit()->clear();  // no baselines: fine
    QCOMPARE(dialog.uniformError(), QString());
    QVERIFY(dialog.startButton()->isEnabled());
    QCOMPARE(dialog.plan()->uniformBits.size(), size_t(0));
}

// Seeds turn each point into a group: the plan runs each point once per seed, the run list shows them;
// a bad list is an error that disables Start.
void TestSweepDialog::seedsMakeGroups()
{
    SweepDialog dialog;
    fill(dialog, QStringLiteral("2"), QStringLiteral("3"), tmp_.filePath(QStringLiteral("s")));
    dialog.seedsEdit()->setText(QStringLiteral("1,1"));
    QVERIFY(dialog.plan() == std::nullopt);
    QVERIFY(!dialog.startButton()->isEnabled());
    dialog.seedsEdit()->setText(QStringLiteral("1, 2, 3"));
    const auto plan = dialog.plan();
    QVERIFY(plan.has_value());
    QVERIFY(dialog.startButton()->isEnabled());
    QCOMPARE(plan->seeds, (std::vector<uint64_t>{1, 2, 3}));
    QCOMPARE(plan->runs().size(), size_t{6});
    QCOMPARE(plan->runs()[4].name, std::string("uniform-3/seed-2"));
    dialog.seedsEdit()->clear();
    QCOMPARE(dialog.plan()->runs().size(), size_t{2});
}

void TestSweepDialog::planErrorsComeFromTheEngine()
{
    SweepDialog dialog;
    csq::TrainingConfig base;
    base.maxBits = 4;
    dialog.setConfigSource([base] { return base; });
    fill(dialog, QStringLiteral("2,6"), QString(), tmp_.filePath(QStringLiteral("c")));
    QCOMPARE(dialog.budgetsError(), QString());                           // the list itself is fine…
    QVERIFY(dialog.planError().contains(QStringLiteral("target_bits")));  // …but 6 bits is over max bits
    QVERIFY(!dialog.startButton()->isEnabled());
    dialog.budgetsEdit()->setText(QStringLiteral("2,3"));
    QCOMPARE(dialog.planError(), QString());
    QVERIFY(dialog.startButton()->isEnabled());
}

void TestSweepDialog::emptyInputIsRefused()
{
    SweepDialog dialog;
    fill(dialog, QString(), QString(), tmp_.filePath(QStringLiteral("d")));
    QVERIFY(!dialog.budgetsError().isEmpty());
    QVERIFY(!dialog.startButton()->isEnabled());
    fill(dialog, QStringLiteral("2"), QString(), QString());
    QVERIFY(!dialog.directoryError().isEmpty());
    QVERIFY(!dialog.startButton()->isEnabled());
    QVERIFY(!dialog.stopButton()->isEnabled());  // nothing runs
}

void TestSweepDialog::stopThenResumeFinishesTheSweep()
{
    const QString sweepDir = tmp_.filePath(QStringLiteral("live"));
    const int baseline = threadCount();
    SweepDialog dialog;
    dialog.setConfigSource(tinySweepBase);
    holdUntilStopRequested(dialog, QStringLiteral("mixed-2"));
    fill(dialog, QStringLiteral("2"), QStringLiteral("2"), sweepDir);
    QSignalSpy ended(&dialog, &SweepDialog::sweepEnded);
    QVERIFY(dialog.start());
    QVERIFY(dialog.running());
    QVERIFY(!dialog.startButton()->isEnabled());
    QVERIFY(dialog.stopButton()->isEnabled());
    QVERIFY(!dialog.budgetsEdit()->isEnabled());
    QCOMPARE(dialog.runState(QStringLiteral("mixed-2")), QStringLiteral("waiting"));
    QTRY_COMPARE_WITH_TIMEOUT(dialog.runState(QStringLiteral("mixed-2")), QStringLiteral("running"), 60000);
    dialog.requestStop();
    QVERIFY(!dialog.stopButton()->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, kRunTimeoutMs);
    QVERIFY(!dialog.running());
    QCOMPARE(ended.first().at(0).toString(), sweepDir);
    QCOMPARE(ended.first().at(1).toString(), QString());
    QCOMPARE(dialog.runState(QStringLiteral("mixed-2")), QStringLiteral("stopped"));
    QCOMPARE(dialog.runState(QStringLiteral("uniform-2")), QStringLiteral("waiting"));  // never started
    QVERIFY(QFile::exists(QDir(sweepDir).filePath(QStringLiteral("sweep.json"))));
    QVERIFY(!QFile::exists(QDir(sweepDir).filePath(QStringLiteral("mixed-2/summary.json"))));
    QVERIFY(dialog.startButton()->isEnabled());

    // The same sweep again: the stopped run resumes, the other runs, both finish.
    dialog.setLineTap({});
    QVERIFY(dialog.start());
    QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 2, 2 * kRunTimeoutMs);
    QCOMPARE(ended.last().at(1).toString(), QString());
    QCOMPARE(dialog.runState(QStringLiteral("mixed-2")), QStringLiteral("done"));
    QCOMPARE(dialog.runState(QStringLiteral("uniform-2")), QStringLiteral("done"));
    QVERIFY(dialog.logText().contains(QStringLiteral("[mixed-2] finished")));
    const auto results = csq::readSweepResults(sweepDir.toStdString());
    QCOMPARE(results.size(), size_t(2));
    QVERIFY(results[1].uniform);
    QVERIFY(QFile::exists(QDir(sweepDir).filePath(QStringLiteral("results.csv"))));
    QTRY_VERIFY_WITH_TIMEOUT(threadCount() <= baseline, 10000);
}

void TestSweepDialog::destroyingTheDialogJoinsTheThread()
{
    const int baseline = threadCount();
    {
        SweepDialog dialog;
        dialog.setConfigSource(tinySweepBase);
        holdUntilStopRequested(dialog, QStringLiteral("mixed-3"));  // the destructor's stop releases it
        fill(dialog, QStringLiteral("3"), QString(), tmp_.filePath(QStringLiteral("destroyed")));
        QVERIFY(dialog.start());
        QTRY_COMPARE_WITH_TIMEOUT(dialog.runState(QStringLiteral("mixed-3")), QStringLiteral("running"), 60000);
        QVERIFY(threadCount() > baseline);
    }  // the destructor stops the sweep and joins its thread
    QTRY_VERIFY_WITH_TIMEOUT(threadCount() <= baseline, 10000);
}

QTEST_MAIN(TestSweepDialog)
#include "tst_gui_sweep_dialog.moc"
