// csq-studio: the desktop application. Parses the command line, applies the saved theme and shows
// the main window; --config loads a run config and --autostart starts it; --follow watches a run that
// another process writes.
#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include "csq/runtime.h"
#include "csq/version.h"
#include "main_window.h"
#include "session_bridge.h"
#include "theme.h"

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("CSQ Studio"));
    QApplication::setOrganizationName(QStringLiteral("csq-studio"));
    QApplication::setApplicationVersion(QString::fromUtf8(csq::kVersion));
    QApplication::setDesktopFileName(QStringLiteral("io.github.csqstudio.CsqStudio"));  // packaging/*.desktop

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Watch a mixed-precision quantization scheme form with CSQ."));
    parser.addHelpOption();
    // Not addVersionOption(): its "CSQ Studio 0.1.0" names no program, and help2man reads the program
    // name from the first word of --version when it writes the man page.
    const QCommandLineOption versionOption(QStringList{QStringLiteral("v"), QStringLiteral("version")},
                                           QStringLiteral("Displays version information."));
    parser.addOption(versionOption);
    const QCommandLineOption configOption(QStringList{QStringLiteral("c"), QStringLiteral("config")},
                                          QStringLiteral("Load the run config FILE (config.json) into the setup."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption autostartOption(QStringLiteral("autostart"),
                                             QStringLiteral("Start the run as soon as the window is up."));
    const QCommandLineOption themeOption(
        QStringLiteral("theme"), QStringLiteral("light or dark (default: as last used)."), QStringLiteral("THEME"));
    const QCommandLineOption quitOption(QStringLiteral("quit-when-done"),
                                        QStringLiteral("Quit once the run has ended (for scripted measurements)."));
    const QCommandLineOption followOption(
        QStringLiteral("follow"), QStringLiteral("Watch the run directory DIR that csq-train writes, read-only."),
        QStringLiteral("DIR"));
    parser.addOption(configOption);
    parser.addOption(quitOption);
    parser.addOption(autostartOption);
    parser.addOption(themeOption);
    parser.addOption(followOption);
    parser.addPositionalArgument(QStringLiteral("path"),
                                 QStringLiteral("A config .json, a checkpoint .pt to resume, or a dataset folder."),
                                 QStringLiteral("[path]"));
    parser.process(app);
    if (parser.isSet(versionOption)) {
        std::printf("csq-studio %s (Qt %s, LibTorch %s)\n", csq::kVersion, qVersion(), csq::torchVersion().c_str());
        return 0;
    }

    csq::configureThreads();
    const QString theme =
        parser.isSet(themeOption) ? parser.value(themeOption) : QSettings().value(QStringLiteral("theme")).toString();
    csq::ui::Theme::apply(csq::ui::Theme::fromKey(theme));

    csq::ui::MainWindow window;
    if (parser.isSet(configOption) && !window.openPath(parser.value(configOption))) {
        std::fprintf(stderr, "csq-studio: cannot load the config %s (see the window's log)\n",
                     qPrintable(parser.value(configOption)));
    }
    for (const auto& path : parser.positionalArguments()) window.openPath(path);
    window.show();
    if (parser.isSet(followOption)) {
        const auto dir = parser.value(followOption);
        if (!QFileInfo(dir).isDir())
            std::fprintf(stderr, "csq-studio: %s does not exist (yet); following it until it appears\n", qPrintable(dir));
        window.followRun(dir);
    }
    if (!parser.isSet(autostartOption) && parser.positionalArguments().isEmpty() && !parser.isSet(followOption))
        QTimer::singleShot(0, &window, &csq::ui::MainWindow::offerInterruptedRun);
    if (parser.isSet(quitOption))
        QObject::connect(&window.bridge(), &csq::ui::SessionBridge::runEnded, &app, &QApplication::quit,
                         Qt::QueuedConnection);
    if (parser.isSet(autostartOption))
        QTimer::singleShot(0, &window, [&window] {
            if (!window.startRun())
                std::fprintf(stderr, "csq-studio: the setup is not valid; the run was not started\n");
        });
    return QApplication::exec();
}
