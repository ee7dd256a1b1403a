// The first thing a new user does: the main window's default setup (lenet5 on the installed
// Fashion-MNIST) starts with one click, shows the model's layers in its first snapshot, and stops
// into a resumable run folder under the app's data location. Its own CTest entry (label data): it
// needs the real dataset and fails, with what to install, where the package is missing.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

#include "gui_live_run.h"
#include "window/main_window.h"
#include "run/run_folders.h"
#include "run/metrics_store.h"
#include "run/run_controls.h"
#include "run/session_bridge.h"

using namespace csq::ui;
using namespace csq::ui::testing;

class TestDefaultSetup : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void defaultSetupStartsWithOneClick();
};

void TestDefaultSetup::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);  // settings and default run folders go to a test location
    QApplication::setOrganizationName(QStringLiteral("csq-studio"));
    // A name of its own: its settings are not tst_gui_main_window's, which may run beside it.
    QApplication::setApplicationName(QStringLiteral("CSQ Studio first start"));
    QSettings().clear();
    if (!QDir(QString::fromStdString(csq::TrainingConfig{}.data)).exists())
        QFAIL(qPrintable(QStringLiteral("the default dataset %1 is not installed: run packaging/install-deps.sh "
                                        "(or apt-get install dataset-fashion-mnist)")
                             .arg(QString::fromStdString(csq::TrainingConfig{}.data))));
}

void TestDefaultSetup::defaultSetupStartsWithOneClick()
{
    MainWindow window;
    window.show();
    QCOMPARE(QString::fromStdString(csq::toJson(window.config())),
             QString::fromStdString(csq::toJson(csq::TrainingConfig{})));
    auto* start = window.runControls()->startAction();
    QVERIFY(start->isEnabled());
    window.bridge().pauseAtNextSnapshot();  // the run is still there when the test stops it
    start->trigger();
    QVERIFY(window.bridge().running());
    QVERIFY(!start->isEnabled());
    QVERIFY(window.runControls()->stopAction()->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(window.store().latest().has_value() && window.bridge().paused(), 120000);
    QCOMPARE(window.store().latest()->layers.size(), size_t{5});  // lenet5's quantized layers
    window.runControls()->stopAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!window.bridge().running(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(window.runControls()->startAction()->isEnabled(), 30000);
    const auto runDir = window.bridge().runDir();
    QVERIFY(nonEmptyFile(QDir(runDir).filePath(QStringLiteral("checkpoint.pt"))));
    QVERIFY2(runDir.startsWith(csq::ui::runsRoot() + QStringLiteral("/lenet5-")),
             qPrintable(runDir));  // the runs folder
    QDir(runDir).removeRecursively();
}

QTEST_MAIN(TestDefaultSetup)
#include "tst_gui_default_setup.moc"
