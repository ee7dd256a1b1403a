// csq-studio: the desktop application. Parses the command line, applies the saved theme and shows
// the main window; --config loads a run config and --autostart starts it; --follow watches a run that
// another process writes.
#include <cstdio>
#include <cstring>

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QSettings>
#include <QTimer>

#include "csq/runtime.h"
#include "csq/version.h"
#include "window/main_window.h"
#include "run/session_bridge.h"
#include "window/theme.h"

namespace {

void setIdentity()
{
    QCoreApplication::setApplicationName(QStringLiteral("CSQ Studio"));
    QCoreApplication::setOrganizationName(QStringLiteral("csq-studio"));
    QCoreApplication::setApplicationVersion(QString::fromUtf8(csq::kVersion));
}

struct CommandLine {
    CommandLine()
    {
        parser.setApplicationDescription(QStringLiteral("Watch a mixed-precision quantization scheme form with CSQ."));
        parser.addHelpOption();
        parser.addOptions({version, config, quit, autostart, theme, follow});
        parser.addPositionalArgument(QStringLiteral("path"),
                                     QStringLiteral("A config .json, a checkpoint .pt to resume, or a dataset folder."),
                                     QStringLiteral("[path]"));
    }
    QCommandLineParser parser;
    // Not addVersionOption(): its "CSQ Studio 0.1.0" names no program, and help2man reads the program
    // name from the first word of --version when it writes the man page.
    const QCommandLineOption version{QStringList{QStringLiteral("v"), QStringLiteral("version")},
                                     QStringLiteral("Displays version information.")};
    const QCommandLineOption config{QStringList{QStringLiteral("c"), QStringLiteral("config")},
                                    QStringLiteral("Load the run config FILE (config.json) into the setup."),
                                    QStringLiteral("FILE")};
    const QCommandLineOption quit{QStringLiteral("quit-when-done"),
                                  QStringLiteral("Quit once the run has ended (for scripted measurements).")};
    const QCommandLineOption autostart{QStringLiteral("autostart"),
                                       QStringLiteral("Start the run as soon as the window is up.")};
    const QCommandLineOption theme{QStringLiteral("theme"), QStringLiteral("light or dark (default: as last used)."),
                                   QStringLiteral("THEME")};
    const QCommandLineOption follow{QStringLiteral("follow"),
                                    QStringLiteral("Watch the run directory DIR that csq-train writes, read-only."),
                                    QStringLiteral("DIR")};
};

void printVersion()
{
    std::printf("csq-studio %s (Qt %s, LibTorch %s)\n", csq::kVersion, qVersion(), csq::torchVersion().c_str());
}

// --help and --version only print: they are answered before QApplication, which needs a display
// (help2man and a user over SSH have none).
bool printsOnly(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        for (const char* flag : {"-h", "--help", "-?", "--help-all", "-v", "--version"})
            if (std::strcmp(argv[i], flag) == 0) return true;
    return false;
}

}  // namespace

int main(int argc, char** argv)
{
    csq::configureAllocator();  // first, before any thread starts
    if (printsOnly(argc, argv)) {
        QCoreApplication app(argc, argv);
        setIdentity();
        CommandLine cli;
        cli.parser.process(app);  // --help prints and exits here
        if (cli.parser.isSet(cli.version)) printVersion();
        return 0;
    }
    QApplication app(argc, argv);
    setIdentity();
    QApplication::setDesktopFileName(QStringLiteral("io.github.csqstudio.CsqStudio"));  // packaging/*.desktop

    CommandLine cli;
    auto& parser = cli.parser;
    parser.process(app);
    if (parser.isSet(cli.version)) {
        printVersion();
        return 0;
    }

    csq::configureThreads();
    const QString theme =
        parser.isSet(cli.theme) ? parser.value(cli.theme) : QSettings().value(QStringLiteral("theme")).toString();
    csq::ui::Theme::apply(csq::ui::Theme::fromKey(theme));

    csq::ui::MainWindow window;
    if (parser.isSet(cli.config) && !window.openPath(parser.value(cli.config))) {
        std::fprintf(stderr, "csq-studio: cannot load the config %s (see the window's log)\n",
                     qPrintable(parser.value(cli.config)));
    }
    for (const auto& path : parser.positionalArguments()) window.openPath(path);
    window.show();
    if (parser.isSet(cli.follow)) {
        const auto dir = parser.value(cli.follow);
        if (!QFileInfo(dir).isDir())
            std::fprintf(stderr, "csq-studio: %s does not exist (yet); following it until it appears\n",
                         qPrintable(dir));
        window.followRun(dir);
    }
    if (!parser.isSet(cli.autostart) && parser.positionalArguments().isEmpty() && !parser.isSet(cli.follow))
        QTimer::singleShot(0, &window, &csq::ui::MainWindow::offerInterruptedRun);
    if (parser.isSet(cli.quit))
        QObject::connect(&window.bridge(), &csq::ui::SessionBridge::runEnded, &app, &QApplication::quit,
                         Qt::QueuedConnection);
    if (parser.isSet(cli.autostart))
        QTimer::singleShot(0, &window, [&window] {
            if (!window.startRun())
                std::fprintf(stderr, "csq-studio: the setup is not valid; the run was not started\n");
        });
    return QApplication::exec();
}
