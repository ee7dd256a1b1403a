// MainWindow with the real engine on a tiny run over a dataset the test writes: moving the budget
// slider during the run changes the target in later snapshots; closing during training asks, then
// stops cleanly (thread joined, run files kept, settings saved); dropped paths are dispatched; an
// interrupted run is offered on the next start. Each run that must still be alive when the test acts
// holds itself at its first snapshot (pauseAtNextSnapshot): nothing depends on the machine's speed.
// The default setup's one-click start on real Fashion-MNIST is tst_gui_default_setup.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include "plots/beta_schedule_view.h"
#include "setup/budget_panel.h"
#include "setup/dataset_field.h"
#include "plots/gate_heatmap_view.h"
#include "gui_live_run.h"
#include "setup/dataset_inspector.h"
#include "window/main_window.h"
#include "run/metrics_store.h"
#include "run/run_controls.h"
#include "run/run_result_card.h"
#include "run/session_bridge.h"
#include "setup/setup_panel.h"
#include "setup/value_slider.h"

using namespace csq::ui;
using namespace csq::ui::testing;

namespace {

constexpr int kRunTimeoutMs = 120000;

QMessageBox* resumeOffer(const MainWindow& window)
{
    auto* box = window.findChild<QMessageBox*>(QStringLiteral("resumeOfferBox"));
    return box && box->isVisible() ? box : nullptr;
}

QAbstractButton* buttonNamed(QMessageBox* box, const QString& text)
{
    for (auto* button : box->buttons())
        if (button->text() == text) return button;
    return nullptr;
}

QString rememberedRun()
{
    return QSettings().value(QStringLiteral("interruptedRun")).toString();
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void heatmapShowsTheModelBeforeStart();
    void epochsRescaleTheDefaultSchedule();
    void budgetSliderChangesLaterSnapshots();
    void closeCanBeCancelled();
    void closeDuringTrainingStopsCleanly();
    void droppedPathsAreDispatched();
    void droppedTorchScriptModelIsTheModel();
    void checkpointResumesTheRun();
    void interruptedRunIsOfferedOnNextStart();
    void stoppedOrFinishedRunIsNotOffered();
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);  // settings and default run folders go to a test location
    QApplication::setOrganizationName(QStringLiteral("csq-studio"));
    QApplication::setApplicationName(QStringLiteral("CSQ Studio"));
    QSettings().clear();
}

// As soon as the setup is valid the heatmap has the model's rows (its quantized layers at their initial
// gates), follows a change of model, and is empty while the setup cannot be built.
void TestMainWindow::heatmapShowsTheModelBeforeStart()
{
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    auto config = tinyConfig(dir.path());
    window.setConfig(config);
    auto* heatmap = window.heatmap();
    QTRY_COMPARE(heatmap->rowCount(), 5);  // lenet5: two convolutions, three linear layers
    QCOMPARE(heatmap->rowLabel(0), QStringLiteral("features.0"));
    QCOMPARE(heatmap->columnCount(), config.maxBits);
    QCOMPARE(heatmap->keptMarkerCount(), 5 * config.maxBits);
    QVERIFY(heatmap->gate(0, 0) > 0.5);  // sigmoid(β0 · mask_logit_init): every bit starts kept
    config.model = "mlp";
    config.maxBits = 6;
    window.setConfig(config);
    QTRY_COMPARE(heatmap->rowCount(), 3);
    QCOMPARE(heatmap->columnCount(), 6);
    config.data = dir.filePath(QStringLiteral("no-such-data")).toStdString();
    window.setConfig(config);
    QTRY_COMPARE(heatmap->rowCount(), 0);
}

// A user who only changes the length gets the default schedule scaled to it (as csq-train --epochs);
// a ticket set by hand, or a loaded config's own schedule, stays as it is.
void TestMainWindow::epochsRescaleTheDefaultSchedule()
{
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    csq::TrainingConfig defaults;
    defaults.data = tinyConfig(dir.path()).data;
    window.setConfig(defaults);
    auto* epochs = qobject_cast<QSpinBox*>(window.setupPanel()->editor(QStringLiteral("epochs")));
    QVERIFY(epochs);
    epochs->setValue(3);
    auto scaled = defaults;
    csq::scaleScheduleTo(scaled, 3);
    auto c = window.config();
    QCOMPARE(c.epochs, 3);
    QCOMPARE(c.floatEpochs, scaled.floatEpochs);
    QCOMPARE(c.ticketEpoch, scaled.ticketEpoch);
    QCOMPARE(c.finetuneEpochs, scaled.finetuneEpochs);
    QVERIFY(csq::validate(c).empty());
    QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("default schedule")));
    epochs->setValue(defaults.epochs);  // and back
    c = window.config();
    QCOMPARE(c.ticketEpoch, defaults.ticketEpoch);
    QCOMPARE(c.floatEpochs, defaults.floatEpochs);
    QCOMPARE(c.finetuneEpochs, defaults.finetuneEpochs);

    auto* ticket = window.budgetPanel()->slider(QStringLiteral("ticket_epoch"));
    ticket->slider()->setValue(ticket->positionOf(3.0));  // by hand
    QCOMPARE(window.config().ticketEpoch, 3.0);
    epochs->setValue(defaults.epochs + 2);
    QCOMPARE(window.config().ticketEpoch, 3.0);
    QCOMPARE(window.config().floatEpochs, defaults.floatEpochs);

    auto quick = defaults;  // a loaded schedule of its own (the quick config's)
    quick.epochs = 4;
    quick.ticketEpoch = 3;
    quick.floatEpochs = 1;
    quick.finetuneEpochs = 0;
    window.setConfig(quick);
    epochs->setValue(6);
    QCOMPARE(window.config().ticketEpoch, 3.0);
    QCOMPARE(window.config().finetuneEpochs, 0);
}

void TestMainWindow::budgetSliderChangesLaterSnapshots()
{
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    window.setConfig(tinyConfig(dir.path()));
    window.bridge().pauseAtNextSnapshot();  // the change lands while the run still has batches to train
    window.statusBar()->showMessage(QStringLiteral("Start a run with the setup shown"));  // as hovering Start leaves it
    QVERIFY(window.startRun());
    QVERIFY(window.statusBar()->currentMessage().startsWith(QStringLiteral("run started")));
    QTRY_VERIFY_WITH_TIMEOUT(
        window.store().latest().has_value() && window.runControls()->state() == RunControls::State::Paused, 60000);
    QCOMPARE(window.store().latest()->targetBits, 2.0);
    auto* target = window.budgetPanel()->slider(QStringLiteral("target_bits"));
    target->slider()->setValue(target->positionOf(3.0));  // as a user's drag ends
    const int plan = window.betaView()->planRevision();
    auto* betaFinal = window.budgetPanel()->slider(QStringLiteral("beta_final"));
    betaFinal->slider()->setValue(betaFinal->positionOf(400));
    QVERIFY(window.betaView()->planRevision() > plan);                           // the plan follows at once
    QTRY_COMPARE_WITH_TIMEOUT(window.bridge().config().targetBits, 3.0, 30000);  // debounced, then sent
    const auto before = window.store().latest()->step;
    window.runControls()->pauseAction()->trigger();  // resume
    QTRY_VERIFY_WITH_TIMEOUT(!window.bridge().running(), kRunTimeoutMs);
    const auto& samples = window.store().samples();
    QVERIFY(samples.last().step > before);
    QCOMPARE(samples.last().targetBits, 3.0);
    QVERIFY(std::abs(samples.last().beta - 400) < 1e-6 || samples.last().beta < 400);  // the new β_final rules
    for (const auto& s : samples) QCOMPARE(s.targetBits, s.step <= before ? 2.0 : 3.0);
}

void TestMainWindow::closeCanBeCancelled()
{
    QTemporaryDir dir;
    MainWindow window;
    window.show();
    window.setConfig(tinyConfig(dir.path()));
    window.bridge().pauseAtNextSnapshot();
    QVERIFY(window.startRun());
    QTRY_VERIFY_WITH_TIMEOUT(window.store().latest().has_value() && window.bridge().paused(), 60000);
    bool asked = false;
    answerCloseQuestion(QMessageBox::No, &asked);
    QVERIFY(!window.close());
    QVERIFY(asked);
    QVERIFY(window.isVisible());
    QVERIFY(window.bridge().running());
    window.bridge().stopAndWait();
    QVERIFY(!window.bridge().running());
}

void TestMainWindow::closeDuringTrainingStopsCleanly()
{
    QTemporaryDir dir;
    const int baseline = threadCount();
    auto window = std::make_unique<MainWindow>();
    window->show();
    window->setConfig(tinyConfig(dir.path()));
    window->bridge().pauseAtNextSnapshot();
    QVERIFY(window->startRun());
    QTRY_VERIFY_WITH_TIMEOUT(window->store().latest().has_value() && window->bridge().paused(), 60000);
    QVERIFY(window->bridge().running());
    bool asked = false;
    answerCloseQuestion(QMessageBox::Yes, &asked);
    QVERIFY(window->close());
    QVERIFY(asked);
    QVERIFY(!window->bridge().running());  // stopped and joined before close() returned
    for (const char* f : {"checkpoint.pt", "metrics.csv", "scheme.json", "config.json"})
        QVERIFY2(nonEmptyFile(QDir(dir.path()).filePath(QLatin1String(f))), f);
    window.reset();
    QTRY_VERIFY_WITH_TIMEOUT(threadCount() <= baseline, 10000);
    // The setup is remembered for the next start.
    const auto saved = csq::configFromJson(QSettings().value(QStringLiteral("config")).toString().toStdString());
    QCOMPARE(saved.trainLimit, 2000);
    QCOMPARE(saved.ticketEpoch, 1.5);
    MainWindow next;
    QCOMPARE(next.config().trainLimit, 2000);
}

void TestMainWindow::droppedPathsAreDispatched()
{
    QTemporaryDir dir;
    MainWindow window;
    const auto json = QDir(dir.path()).filePath(QStringLiteral("my-config.json"));
    {
        QFile file(json);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"model": "mlp", "epochs": 7, "target_bits": 3.5})");
    }
    QVERIFY(window.openPath(json));
    QCOMPARE(window.config().model, std::string("mlp"));
    QCOMPARE(window.config().epochs, 7);
    QCOMPARE(window.config().targetBits, 3.5);
    QVERIFY(window.openPath(liveRunData()));
    QCOMPARE(window.setupPanel()->datasetField()->path(), liveRunData());
    QVERIFY(window.setupPanel()->datasetField()->formatText().contains(QStringLiteral("IDX")));
    const auto broken = QDir(dir.path()).filePath(QStringLiteral("broken.json"));
    {
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"epochs": "many"})");
    }
    QVERIFY(!window.openPath(broken));
    QCOMPARE(window.config().epochs, 7);  // a bad file changes nothing
    QVERIFY(!window.openPath(QDir(dir.path()).filePath(QStringLiteral("notes.txt"))));
}

// A TorchScript file dropped on the window becomes the run's model, whatever its name: its layers show
// before Start. One whose input does not fit the dataset says so in the dataset dock and the Setup
// panel, and Start stays off.
void TestMainWindow::droppedTorchScriptModelIsTheModel()
{
    const QDir models(qEnvironmentVariable("CSQ_SCRIPTED_MODELS"));
    const auto tiny = models.filePath(QStringLiteral("tiny_cnn.pt")),
               rgb = models.filePath(QStringLiteral("rgb_cnn.pt"));
    QVERIFY2(QFileInfo(tiny).isFile() && QFileInfo(rgb).isFile(),
             "CSQ_SCRIPTED_MODELS must hold tests/make_scripted_models.py's files (ctest runs it first)");
    QTemporaryDir dir;
    const auto renamed = QDir(dir.path()).filePath(QStringLiteral("weights.pth"));
    QVERIFY(QFile::copy(tiny, renamed));
    MainWindow window;
    auto config = window.config();
    config.data = liveRunData().toStdString();
    window.setConfig(config);
    QVERIFY(window.openPath(renamed));
    QCOMPARE(QString::fromStdString(window.config().modelSpec), QFileInfo(renamed).absoluteFilePath());
    QVERIFY(window.store().plannedStart().has_value());
    QStringList layers;
    for (const auto& l : window.store().plannedStart()->layers) layers << QString::fromStdString(l.name + " " + l.type);
    QCOMPARE(layers, (QStringList{QStringLiteral("stem.0 Conv2d"), QStringLiteral("depthwise.0 Conv2d"),
                                  QStringLiteral("head Linear")}));
    QCOMPARE(window.store().plannedStart()->layers[1].groups, int64_t{16});
    QVERIFY(window.datasetInspector()->modelFitText().isEmpty());
    QVERIFY(window.runControls()->startAction()->isEnabled());

    QVERIFY(window.openPath(rgb));
    QVERIFY(!window.store().plannedStart().has_value());
    const auto fit = window.datasetInspector()->modelFitText();
    QVERIFY2(fit.contains(QStringLiteral("takes 3 input channels")) && fit.contains(QStringLiteral("1-channel 28x28")),
             qPrintable(fit));
    QVERIFY2(window.setupPanel()->issueText(QStringLiteral("model_spec")).contains(QStringLiteral("3 input channels")),
             qPrintable(window.setupPanel()->issueText(QStringLiteral("model_spec"))));
    QVERIFY(!window.runControls()->startAction()->isEnabled());
}

void TestMainWindow::checkpointResumesTheRun()
{
    QTemporaryDir dir;
    qint64 stoppedAt = 0;
    {
        MainWindow first;
        first.setConfig(tinyConfig(dir.path()));
        first.bridge().pauseAtNextSnapshot();
        QVERIFY(first.startRun());
        QTRY_VERIFY_WITH_TIMEOUT(first.store().latest().has_value() && first.bridge().paused(), 60000);
        first.bridge().stopAndWait();
        stoppedAt = first.store().latest()->step;
    }
    const auto checkpoint = QDir(dir.path()).filePath(QStringLiteral("checkpoint.pt"));
    QVERIFY(nonEmptyFile(checkpoint));
    MainWindow second;  // a fresh window, default setup: the checkpoint brings its own config
    second.show();
    QVERIFY(second.openPath(checkpoint));  // as a drop of checkpoint.pt does
    QVERIFY(second.bridge().running());
    QTRY_VERIFY_WITH_TIMEOUT(second.store().latest().has_value(), 60000);
    QVERIFY(second.store().samples().first().step > stoppedAt);  // continued, not restarted
    QCOMPARE(second.config().trainLimit, 2000);                  // the panels show the run's config
    QTRY_VERIFY_WITH_TIMEOUT(!second.bridge().running(), kRunTimeoutMs);
    QVERIFY(nonEmptyFile(QDir(dir.path()).filePath(QStringLiteral("summary.json"))));
    QVERIFY(nonEmptyFile(QDir(dir.path()).filePath(QStringLiteral("quantized.pt"))));
    // The end of the run says what came out in one card, with the run's folder.
    QTRY_VERIFY_WITH_TIMEOUT(second.findChild<RunResultCard*>() != nullptr, 30000);
    QVERIFY(second.findChild<RunResultCard*>()
                ->figure(QStringLiteral("folder"))
                .contains(QFileInfo(dir.path()).fileName()));
}

void TestMainWindow::interruptedRunIsOfferedOnNextStart()
{
    QTemporaryDir dir;
    const auto runDir = QDir(dir.path()).absolutePath();
    {
        MainWindow first;
        auto config = tinyConfig(runDir);
        config.trainLimit = 2500;  // a value of its own: the resumed run's panels must show it
        first.setConfig(config);
        first.bridge().pauseAtNextSnapshot();
        QVERIFY(first.startRun());
        QTRY_VERIFY_WITH_TIMEOUT(first.store().latest().has_value() && first.bridge().paused(), 60000);
        // What a crash or kill -9 leaves behind from here on: the run is remembered as in progress.
        QCOMPARE(rememberedRun(), runDir);
    }  // the window goes away mid-run, as when it is closed: the run stays resumable
    QCOMPARE(rememberedRun(), runDir);
    QVERIFY(nonEmptyFile(QDir(runDir).filePath(QStringLiteral("checkpoint.pt"))));
    QVERIFY(!QFileInfo::exists(QDir(runDir).filePath(QStringLiteral("summary.json"))));

    MainWindow second;
    second.show();
    second.offerInterruptedRun();
    auto* box = resumeOffer(second);
    QVERIFY(box);
    QVERIFY2(box->text().contains(QDir::toNativeSeparators(runDir)), qPrintable(box->text()));
    QVERIFY2(box->text().contains(QStringLiteral("lenet5")), qPrintable(box->text()));
    QVERIFY(!second.bridge().running());  // nothing happens until the user answers
    buttonNamed(box, QStringLiteral("&Resume"))->click();
    QVERIFY(second.bridge().running());
    QTRY_VERIFY_WITH_TIMEOUT(second.store().latest().has_value(), 60000);
    QCOMPARE(second.config().trainLimit, 2500);  // the panels show the resumed run's config
    QTRY_VERIFY_WITH_TIMEOUT(!second.bridge().running(), kRunTimeoutMs);
    QVERIFY(nonEmptyFile(QDir(runDir).filePath(QStringLiteral("summary.json"))));
    QTRY_VERIFY_WITH_TIMEOUT(rememberedRun().isEmpty(), 30000);  // finished: forgotten

    MainWindow third;
    third.offerInterruptedRun();
    QVERIFY(!resumeOffer(third));
}

void TestMainWindow::stoppedOrFinishedRunIsNotOffered()
{
    QTemporaryDir dir;
    {
        MainWindow window;
        window.setConfig(tinyConfig(dir.path()));
        window.bridge().pauseAtNextSnapshot();
        QVERIFY(window.startRun());
        QTRY_VERIFY_WITH_TIMEOUT(window.store().latest().has_value() && window.bridge().paused(), 60000);
        QVERIFY(!rememberedRun().isEmpty());
        window.runControls()->stopAction()->trigger();  // the user's own decision: not an interruption
        QTRY_VERIFY_WITH_TIMEOUT(!window.bridge().running(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(rememberedRun().isEmpty(), 30000);
    }
    // A remembered run that finished after all (summary.json) or lost its checkpoint is dropped quietly.
    QTemporaryDir finished;
    for (const char* name : {"checkpoint.pt", "summary.json"}) {
        QFile file(QDir(finished.path()).filePath(QLatin1String(name)));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("x");
    }
    QSettings().setValue(QStringLiteral("interruptedRun"), finished.path());
    MainWindow window;
    window.offerInterruptedRun();
    QVERIFY(!resumeOffer(window));
    QVERIFY(rememberedRun().isEmpty());
    // "Forget it" drops a resumable one without touching its files.
    QFile::remove(QDir(finished.path()).filePath(QStringLiteral("summary.json")));
    QSettings().setValue(QStringLiteral("interruptedRun"), finished.path());
    window.offerInterruptedRun();
    auto* box = resumeOffer(window);
    QVERIFY(box);
    buttonNamed(box, QStringLiteral("&Forget it"))->click();
    QVERIFY(rememberedRun().isEmpty());
    QVERIFY(!window.bridge().running());
    QVERIFY(QFileInfo::exists(QDir(finished.path()).filePath(QStringLiteral("checkpoint.pt"))));
}

QTEST_MAIN(TestMainWindow)
#include "tst_gui_main_window.moc"
