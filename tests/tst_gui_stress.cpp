// A seeded, bounded stress test of the run controls from the GUI thread: start, pause, resume,
// live update, stop, finalize, export and close, in random order and at random moments against a
// tiny real run. It must end with no deadlock (every step returns, every run ends), no crash, and
// no thread left behind. CSQ_STRESS_SEED and CSQ_STRESS_STEPS replay or lengthen a sequence.
#include <memory>
#include <random>

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QPointer>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "gui_live_run.h"
#include "window/main_window.h"
#include "run/metrics_store.h"
#include "run/run_controls.h"
#include "run/session_bridge.h"

using namespace csq::ui;
using namespace csq::ui::testing;

namespace {

constexpr int kEndTimeoutMs = 120000;

enum class Step { Start, TogglePause, Pause, Resume, Update, Stop, Finalize, Export, Close, Wait, Count };

const char* nameOf(Step step)
{
    static const char* names[] = {"start", "pause/resume", "pause",  "resume", "update",
                                  "stop",  "finalize",     "export", "close",  "wait"};
    return names[static_cast<int>(step)];
}

unsigned seedFromEnvironment()
{
    bool ok = false;
    const auto seed = qEnvironmentVariable("CSQ_STRESS_SEED").toUInt(&ok);
    return ok ? seed : 20261126u;
}

int stepsFromEnvironment()
{
    bool ok = false;
    const auto steps = qEnvironmentVariable("CSQ_STRESS_STEPS").toInt(&ok);
    return ok && steps > 0 ? steps : 150;
}

}  // namespace

class TestStress : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void randomControlSequence();
};

void TestStress::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("csq-studio"));
    QApplication::setApplicationName(QStringLiteral("CSQ Studio stress"));
    QSettings().clear();
}

void TestStress::randomControlSequence()
{
    const unsigned seed = seedFromEnvironment();
    const int steps = stepsFromEnvironment();
    qInfo("seed %u, %d steps (replay with CSQ_STRESS_SEED=%u)", seed, steps, seed);
    std::mt19937 rng(seed);
    auto uniform = [&rng](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
    QTemporaryDir dir;
    auto config = tinyConfig(dir.path());
    config.trainLimit = 3000;
    config.logEvery = 1;

    // Torch's and OpenMP's worker pools live as long as the process: the baseline is taken after
    // one run has created them, so what is counted later is only what a run leaves behind.
    int baseline = 0;
    {
        MainWindow warmUp;
        auto first = config;
        first.outDir = QDir(dir.path()).filePath(QStringLiteral("warm-up")).toStdString();
        warmUp.setConfig(first);
        QVERIFY(warmUp.startRun());
        QTRY_VERIFY_WITH_TIMEOUT(!warmUp.bridge().running(), kEndTimeoutMs);
    }
    baseline = threadCount();

    auto window = std::make_unique<MainWindow>();
    int runs = 0, windows = 1, updatesTaken = 0;
    auto configure = [&] {
        auto c = config;
        c.outDir = QDir(dir.path()).filePath(QStringLiteral("run-%1").arg(runs)).toStdString();
        window->setConfig(c);
    };
    configure();
    QString trace;
    for (int i = 0; i < steps; ++i) {
        const auto step = static_cast<Step>(std::uniform_int_distribution<int>(0, int(Step::Count) - 1)(rng));
        trace += QStringLiteral(" %1").arg(QLatin1String(nameOf(step)));
        auto& bridge = window->bridge();
        switch (step) {
            case Step::Start:
                // A run asked to stop ends at its next batch, however slow the machine: wait for that, so
                // the number of runs a seed starts does not depend on speed (only runs that end by
                // themselves can add to it).
                if (bridge.stopping()) QTRY_VERIFY2_WITH_TIMEOUT(!bridge.running(), qPrintable(trace), kEndTimeoutMs);
                if (!bridge.running()) {
                    configure();
                    if (window->startRun()) ++runs;
                }
                break;
            case Step::TogglePause:
                window->runControls()->pauseAction()->trigger();
                break;
            case Step::Pause:
                bridge.pause();
                break;
            case Step::Resume:
                bridge.resume();
                break;
            case Step::Update: {
                csq::ConfigPatch patch;
                patch.set("target_bits", uniform(1.0, 6.0));
                if (rng() % 2) patch.set("lambda", uniform(0.01, 0.5));
                if (rng() % 3 == 0)
                    patch.set("ticket_epoch", uniform(0.5, 1.9));  // may lie in the past: refused, not a crash
                if (bridge.update(patch).isEmpty()) ++updatesTaken;
                break;
            }
            case Step::Stop:
                window->runControls()->stopAction()->trigger();
                break;
            case Step::Finalize:
                window->runControls()->finalizeAction()->trigger();
                break;
            case Step::Export:
                // Answered at the next batch boundary, or while paused, or at once when idle: never hangs.
                bridge.exportScheme(QDir(dir.path()).filePath(QStringLiteral("export-scheme.json")));
                break;
            case Step::Close: {
                const bool yes = rng() % 2;
                bool asked = false;
                QPointer<QTimer> answer = answerCloseQuestion(yes ? QMessageBox::Yes : QMessageBox::No, &asked);
                const bool closed = window->close();
                delete answer.data();  // not asked (no run): it must not answer a later question
                QVERIFY2(closed == (!asked || yes), qPrintable(trace));
                if (closed) {
                    QVERIFY2(!window->bridge().running(), qPrintable(trace));  // stopped and joined by close()
                    window = std::make_unique<MainWindow>();
                    ++windows;
                    configure();
                }
                break;
            }
            case Step::Wait:
            case Step::Count:
                QTest::qWait(std::uniform_int_distribution<int>(0, 150)(rng));
                break;
        }
        QCoreApplication::processEvents();
    }
    qInfo("sequence:%s", qPrintable(trace));
    qInfo("%d runs started, %d windows, %d live updates accepted", runs, windows, updatesTaken);
    QVERIFY2(runs >= 3, "the sequence started too few runs to mean anything");

    // Whatever state the sequence left: a stop ends it and the controls come back to idle.
    window->runControls()->stopAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!window->bridge().running(), kEndTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(window->runControls()->state(), RunControls::State::Idle, 30000);
    QVERIFY(window->runControls()->startAction()->isEnabled());
    window.reset();
    QTRY_VERIFY_WITH_TIMEOUT(threadCount() <= baseline, 10000);
}

QTEST_MAIN(TestStress)
#include "tst_gui_stress.moc"
