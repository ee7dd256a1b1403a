// csq-shots: saves the documentation's pictures from the real windows, outside the test suite.
//   csq-shots window OUT.png [--theme dark] [--config FILE --at T --size WxH]
//                                            the main window during the default run (lenet5, Fashion-MNIST),
//                                            or during a run of FILE's config at epoch T
//   csq-shots sensitivity OUT.png --config FILE [--at T --size WxH]
//                                            the Sensitivity tab: FILE's model measured before Start, or
//                                            during its run at epoch T
//   csq-shots pareto SWEEP_DIR OUT_STEM [FLOAT_RUN_DIR]
//                                            a sweep's Pareto view (OUT_STEM.png, .csv) and the
//                                            comparison window (OUT_STEM-window.png)
// Run it without a display through QT_QPA_PLATFORM=offscreen (scripts/screenshots.sh does).
#include <cstdio>

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTimer>

#include "csq/config.h"
#include "csq/runtime.h"
#include "window/main_window.h"
#include "run/metrics_store.h"
#include "compare/pareto_view.h"
#include "compare/run_comparison_window.h"
#include "run/session_bridge.h"
#include "window/theme.h"

namespace {

int fail(const QString& message)
{
    std::fprintf(stderr, "csq-shots: %s\n", qPrintable(message));
    return 1;
}

// The app's defaults (one click on Start: lenet5 on Fashion-MNIST), saved late in the search (0.4
// epochs before the ticket): the ramped target has been reached, bits are pruned and gates still soft.
// A few minutes on 2 cores.
int windowShot(const QString& out, const QString& configFile, double at, QSize size)
{
    QTemporaryDir runDir;
    csq::TrainingConfig config;
    try {
        if (!configFile.isEmpty()) config = csq::loadConfig(configFile.toStdString());
    } catch (const std::exception& e) {
        return fail(QString::fromUtf8(e.what()));
    }
    config.outDir = runDir.path().toStdString();
    const double shotAt = at >= 0 ? at : config.ticketEpoch - 0.4;
    csq::ui::MainWindow window;
    window.resize(size.isValid() ? size : QSize(1600, 1000));
    window.setConfig(config);
    window.show();
    bool saved = false;
    auto save = [&] {
        if (saved) return;
        saved = true;
        QTimer::singleShot(200, &window, [&] {  // one coalesced replot first
            const double t = window.store().latest() ? window.store().latest()->t : 0.0;
            if (!window.grab().save(out))
                std::fprintf(stderr, "csq-shots: cannot write %s\n", qPrintable(out));
            else
                std::printf("saved %s at t = %.2f\n", qPrintable(out), t);
            window.bridge().stopAndWait();
            QApplication::quit();
        });
    };
    QObject::connect(&window.bridge(), &csq::ui::SessionBridge::snapshotArrived, &window, [&](const csq::Snapshot& s) {
        if (!window.store().epochs().empty() && s.t > shotAt) save();
    });
    QObject::connect(&window.bridge(), &csq::ui::SessionBridge::runEnded, &window, save);
    if (!window.startRun()) return fail(QStringLiteral("the run did not start (is Fashion-MNIST installed?)"));
    QApplication::exec();
    return saved && QFileInfo(out).isFile() ? 0 : 1;
}

// Run → Measure sensitivity now on the setup of FILE, before Start (its model file's weights), or during
// its run once it passes epoch `at`; saved once the Sensitivity tab shows the measurement.
int sensitivityShot(const QString& out, const QString& configFile, double at, QSize size)
{
    QTemporaryDir runDir;
    csq::TrainingConfig config;
    try {
        config = csq::loadConfig(configFile.toStdString());
    } catch (const std::exception& e) {
        return fail(QString::fromUtf8(e.what()));
    }
    config.outDir = runDir.path().toStdString();
    csq::ui::MainWindow window;
    window.resize(size.isValid() ? size : QSize(1600, 1000));
    window.setConfig(config);
    window.show();
    int code = 1;
    QObject::connect(&window.bridge(), &csq::ui::SessionBridge::sensitivityMeasured, &window, [&] {
        QTimer::singleShot(300, &window, [&] {  // one coalesced replot first
            code = window.grab().save(out) ? 0 : fail(QStringLiteral("cannot write ") + out);
            if (code == 0) std::printf("saved %s\n", qPrintable(out));
            window.bridge().stopAndWait();
            QApplication::quit();
        });
    });
    QObject::connect(&window.bridge(), &csq::ui::SessionBridge::sensitivityFailed, &window, [&](const QString& reason) {
        fail(reason);
        QApplication::quit();
    });
    auto* measure = window.findChild<QAction*>(QStringLiteral("measureSensitivityAction"));
    if (!measure) return fail(QStringLiteral("the window has no Measure sensitivity action"));
    if (at < 0) {
        QTimer::singleShot(0, measure, &QAction::trigger);
    } else {
        bool asked = false;
        QObject::connect(&window.bridge(), &csq::ui::SessionBridge::snapshotArrived, &window,
                         [&, measure](const csq::Snapshot& s) {
                             if (asked || s.t < at) return;
                             asked = true;
                             measure->trigger();
                         });
        if (!window.startRun()) return fail(QStringLiteral("the run did not start"));
    }
    QApplication::exec();
    return code;
}

int paretoShot(const QString& sweep, const QString& stem, const QString& floatRun)
{
    csq::ui::RunComparisonWindow window;
    QStringList paths{sweep};
    if (!floatRun.isEmpty()) paths << floatRun;
    if (const auto error = window.openPaths(paths); !error.isEmpty()) return fail(error);
    window.resize(1100, 700);
    window.show();
    auto* pareto = window.paretoView();
    if (const auto error = pareto->exportTo(stem + QStringLiteral(".png"), QSize(900, 560)); !error.isEmpty())
        return fail(error);
    if (const auto error = pareto->exportCsv(stem + QStringLiteral(".csv")); !error.isEmpty()) return fail(error);
    int code = 0;
    QTimer::singleShot(200, &window, [&] {  // one coalesced replot first
        code = window.grab().save(stem + QStringLiteral("-window.png")) ? 0 : 1;
        QApplication::quit();
    });
    QApplication::exec();
    if (code == 0)
        std::printf("saved %s.png, %s.csv and %s-window.png\n", qPrintable(stem), qPrintable(stem), qPrintable(stem));
    return code;
}

}  // namespace

int main(int argc, char** argv)
{
    csq::configureAllocator();  // first, before any thread starts
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("csq-shots"));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Saves the documentation's pictures.\n"
        "  window OUT.png                          the main window late in the default run's search (or a\n"
        "                                          run of --config FILE at epoch --at T)\n"
        "  sensitivity OUT.png --config FILE       the Sensitivity tab, FILE's model measured before Start (or\n"
        "                                          during its run at epoch --at T)\n"
        "  pareto SWEEP_DIR OUT_STEM [FLOAT_RUN]   a sweep's Pareto view and the comparison window"));
    parser.addHelpOption();
    const QCommandLineOption themeOption(QStringLiteral("theme"), QStringLiteral("light or dark."),
                                         QStringLiteral("THEME"));
    parser.addOption(themeOption);
    const QCommandLineOption configOption(QStringLiteral("config"), QStringLiteral("window: the run's config.json."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption atOption(QStringLiteral("at"), QStringLiteral("window: the epoch to save at."),
                                      QStringLiteral("T"));
    const QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("window: its size, WxH."),
                                        QStringLiteral("WxH"));
    parser.addOptions({configOption, atOption, sizeOption});
    parser.addPositionalArgument(QStringLiteral("what"), QStringLiteral("window or pareto"));
    parser.process(app);
    csq::configureThreads();
    csq::ui::Theme::apply(csq::ui::Theme::fromKey(parser.value(themeOption)));
    const auto args = parser.positionalArguments();
    const auto size = parser.value(sizeOption).split(u'x');
    if (args.size() == 2 && args[0] == u"window")
        return windowShot(args[1], parser.value(configOption),
                          parser.isSet(atOption) ? parser.value(atOption).toDouble() : -1.0,
                          size.size() == 2 ? QSize(size[0].toInt(), size[1].toInt()) : QSize());
    if (args.size() == 2 && args[0] == u"sensitivity" && parser.isSet(configOption))
        return sensitivityShot(args[1], parser.value(configOption),
                               parser.isSet(atOption) ? parser.value(atOption).toDouble() : -1.0,
                               size.size() == 2 ? QSize(size[0].toInt(), size[1].toInt()) : QSize());
    if ((args.size() == 3 || args.size() == 4) && args[0] == u"pareto")
        return paretoShot(args[1], args[2], args.size() == 4 ? args[3] : QString());
    parser.showHelp(2);
}
