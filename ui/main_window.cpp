#include "main_window.h"

#include <QLabel>

#include "csq/version.h"

namespace csq::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("CSQ Studio %1").arg(QString::fromUtf8(kVersion)));
    auto* placeholder = new QLabel(tr("The training panels land with the engine."), this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
    resize(1280, 800);
}

}  // namespace csq::ui
