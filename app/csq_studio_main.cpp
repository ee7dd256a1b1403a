// csq-studio: the desktop application. Parses the command line and shows the main window.
#include <QApplication>
#include <QCommandLineParser>

#include "csq/runtime.h"
#include "csq/version.h"
#include "main_window.h"

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("CSQ Studio"));
    QApplication::setOrganizationName(QStringLiteral("csq-studio"));
    QApplication::setApplicationVersion(QString::fromUtf8(csq::kVersion));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Watch a mixed-precision quantization scheme form with CSQ."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);

    csq::configureThreads();
    csq::ui::MainWindow window;
    window.show();
    return QApplication::exec();
}
